"""Every URL and every API operation, requested as every role: each gets exactly what the table says.

Each app declares its expectations in ``<app>/tests/access_cases.py`` (``cases(ctx)``); the platform-wide
pages are declared here. A URL pattern or an API operation without a case fails the test, so a new page
cannot ship without its access rules being written down and checked.
"""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from yangguang.accounts.states import Role

ROLES = [*Role.values, "anonymous"]
SIGNED_IN = {r: 200 for r in Role.values}
APPS_WITH_CASES = ["catalogue", "suppliers", "projects"]


def _everyone(status: int) -> dict[str, int]:
    return {"*": status}


def base_cases(ctx) -> list[tuple[str, str, dict[str, int]]]:
    from yangguang.core.eventlog import checkpoint_sign

    checkpoint_sign(reason="test")
    return [
        ("GET", "/healthz", _everyone(200)),
        ("GET", "/", _everyone(200)),
        ("GET", "/log/", _everyone(200)),
        ("GET", "/log/calendar/", {"*": 403, "platform_admin": 200, "anonymous": 302}),
        ("GET", "/accounts/login/", {"*": 302, "anonymous": 200}),
        ("POST", "/accounts/logout/", _everyone(302)),
        ("GET", "/accounts/workbench/", {**SIGNED_IN, "anonymous": 302}),
        ("GET", "/accounts/profile/", {**SIGNED_IN, "anonymous": 302}),
        ("GET", "/accounts/organisations/",
         {"*": 403, "platform_admin": 200, "centre_staff": 200, "committee_office": 200, "anonymous": 302}),
        ("POST", "/i18n/setlang/", _everyone(302)),
        ("GET", "/api/v1/openapi.json", _everyone(200)),
        ("GET", "/api/v1/docs", _everyone(200)),
        ("GET", "/api/v1/", _everyone(404)),
        ("GET", "/api/v1/log/head", _everyone(200)),
        ("GET", "/api/v1/log/proof?index=0", _everyone(200)),
        ("GET", "/api/v1/accounts/me", {**SIGNED_IN, "anonymous": 401}),
    ]


def _patterns(resolver: URLResolver | None = None, prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    """(route, view name) of every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    found: list[tuple[str, str]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner_ns = f"{ns}{entry.namespace}:" if entry.namespace else ns
            found.extend(_patterns(entry, prefix + str(entry.pattern), inner_ns))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), f"{ns}{entry.name}"))
    return found


def _api_operations() -> set[tuple[str, str]]:
    """(METHOD, route with {params}) of every operation in the OpenAPI description."""
    from yangguang.api import api

    schema = api.get_openapi_schema()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def _route_template(url: str) -> str:
    route = resolve(url.split("?")[0]).route
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _client_for(role: str, user_of) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(user_of(role))
    return client


def test_every_url_and_operation_gives_each_role_what_the_table_says(demo, user_of, settings):
    ctx = {"user_of": user_of}
    cases = base_cases(ctx)
    for app in APPS_WITH_CASES:
        module = import_module(f"yangguang.{app}.tests.access_cases")
        cases.extend(module.cases(ctx))

    covered_views = {resolve(url.split("?")[0]).view_name for _m, url, _e in cases}
    missing_views = sorted({name for route, name in _patterns() if name not in covered_views
                            and not route.startswith("static/")})
    covered_ops = {(method, _route_template(url)) for method, url, _e in cases}
    missing_ops = sorted(op for op in _api_operations() if op not in covered_ops)
    assert not missing_views, f"URL patterns with no access case: {missing_views}"
    assert not missing_ops, f"API operations with no access case: {missing_ops}"

    failures = []
    for method, url, expected in cases:
        for role in ROLES:
            want = expected.get(role, expected.get("*"))
            assert want is not None, f"{method} {url}: no expectation for {role}"
            client = _client_for(role, user_of)
            response = client.get(url) if method == "GET" else client.generic(method, url)
            if response.status_code != want:
                failures.append(f"{method} {url} as {role}: got {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
