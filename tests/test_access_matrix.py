"""Every URL and every API operation, requested as every role: each gets exactly what the table says.

Each app declares its expectations in ``<app>/tests/access_cases.py`` (``cases(ctx)``, and optionally
``api_write_cases(ctx)`` for API writes with valid JSON bodies, same tuples as below); the platform-wide
pages are declared here. A URL pattern or an API operation without a case fails the test, so a new page
cannot ship without its access rules being written down and checked.
"""

from __future__ import annotations

import json
import re
from importlib import import_module

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from yangguang.accounts.states import Role

ROLES = [*Role.values, "anonymous"]
SIGNED_IN = {r: 200 for r in Role.values}
APPS_WITH_CASES = ["rules", "catalogue", "suppliers", "projects", "notices", "portal", "experts", "tendering",
                   "auctions", "bidding", "evaluation"]


def _everyone(status: int) -> dict[str, int]:
    return {"*": status}


def base_cases(ctx) -> list[tuple[str, str, dict[str, int]]]:
    from yangguang.core.eventlog import checkpoint_sign

    checkpoint_sign(reason="test")
    return [
        ("GET", "/healthz", _everyone(200)),
        ("GET", "/log/", _everyone(200)),
        ("GET", "/log/calendar/", {"*": 403, "platform_admin": 200, "anonymous": 302}),
        ("GET", "/accounts/login/", {"*": 302, "anonymous": 200}),
        ("POST", "/accounts/logout/", _everyone(302)),
        ("GET", "/accounts/workbench/", {**SIGNED_IN, "anonymous": 302}),
        ("GET", "/accounts/profile/", {**SIGNED_IN, "anonymous": 302}),
        ("GET", "/accounts/organisations/",
         {"*": 403, "platform_admin": 200, "centre_staff": 200, "committee_office": 200, "anonymous": 302}),
        ("POST", "/i18n/setlang/", _everyone(302)),
        ("GET", "/i18n/switch/?language=en&next=/announcements/", _everyone(302)),
        ("GET", "/api/v1/openapi.json", _everyone(200)),
        ("GET", "/api/v1/docs", _everyone(200)),
        ("GET", "/api/v1/", _everyone(404)),
        ("GET", "/api/v1/log/head", _everyone(200)),
        ("GET", "/api/v1/log/proof?index=0", _everyone(200)),
        ("GET", "/api/v1/accounts/me", {**SIGNED_IN, "anonymous": 401}),
    ]


def api_write_cases(ctx) -> list[tuple]:
    """Write operations of the API, each with a JSON body that is valid for the role that may use it, so a
    role is refused for its role and not for a malformed request. A step succeeds once (the first allowed
    role in Role order); the table says so."""
    from yangguang.accounts.models import Region
    from yangguang.projects.states import ProjectStatus
    from yangguang.projects.tests.factories import catalogue_setup, project_make
    from yangguang.suppliers.credit_code import credit_code_generate
    from yangguang.suppliers.services import supplier_register

    submitted = supplier_register(
        actor=None, name="丽水市访问矩阵服务有限公司", credit_code=credit_code_generate(serial=880001),
        region=Region.objects.get(code="331100"), classes=["services"], legal_representative="甲",
        registered_capital="100", address="丽水市", business_scope="服务", username="matrix_api_supplier",
        password="Matrix-api-2026",
    )
    to_return = supplier_register(
        actor=None, name="丽水市访问矩阵退回有限公司", credit_code=credit_code_generate(serial=880002),
        region=Region.objects.get(code="331100"), classes=["goods"], legal_representative="乙",
        registered_capital="100", address="丽水市", business_scope="货物", username="matrix_api_supplier2",
        password="Matrix-api-2026",
    )
    items = catalogue_setup()
    draft = project_make(status=ProjectStatus.DRAFT, name="矩阵API草稿", with_agency=False)
    withdrawable = project_make(status=ProjectStatus.DRAFT, name="矩阵API撤回", with_agency=False)
    pending = project_make(status=ProjectStatus.SUBMITTED, name="矩阵API待受理")
    pending2 = project_make(status=ProjectStatus.SUBMITTED, name="矩阵API待退回")
    new_project = {
        "name": "矩阵API新项目", "category": "construction", "catalogue_item_id": items["construction"].pk,
        "region_code": "331100", "budget": "5000000.00",
        "fundings": [{"source": "budget", "amount": "5000000.00"}],
        "responsible_leader": "王", "responsible_section": "采购科", "responsible_person": "李",
        "responsible_phone": "0578-2780000", "owner_id": ctx["user_of"]("purchaser").organisation_id,
    }
    registration = {
        "name": "丽水市访问矩阵注册有限公司", "credit_code": credit_code_generate(serial=880003),
        "region": "331100", "classes": ["goods"], "primary_class": "goods", "legal_representative": "丙",
        "registered_capital": "100", "address": "丽水市", "business_scope": "货物", "contact_name": "丙",
        "contact_phone": "13800000001", "username": "matrix_api_register", "password": "Matrix-api-2026",
    }
    staff_only = {"*": 403, "centre_staff": 200, "anonymous": 401}
    return [
        # Public registration: the first request registers, every later one is a duplicate credit code.
        ("POST", "/api/v1/suppliers/register", {"*": 422, "centre_staff": 201}, registration),
        ("POST", f"/api/v1/suppliers/{submitted.pk}/approve", staff_only, {"reason": ""}),
        ("POST", f"/api/v1/suppliers/{to_return.pk}/return", staff_only, {"reason": "资质证书不清晰"}),
        ("POST", "/api/v1/projects/", {"*": 403, "purchaser": 201, "agency": 201, "anonymous": 401}, new_project),
        ("GET", "/api/v1/projects/", {"*": 200, "supplier": 403, "expert": 403, "anonymous": 401}, None),
        ("GET", f"/api/v1/projects/{pending.pk}",
         {"*": 200, "supplier": 403, "expert": 403, "anonymous": 401}, None),
        ("POST", f"/api/v1/projects/{draft.pk}/submit",
         {"*": 403, "purchaser": 200, "agency": 404, "anonymous": 401}, None),
        ("POST", f"/api/v1/projects/{withdrawable.pk}/withdraw",
         {"*": 403, "purchaser": 200, "agency": 404, "anonymous": 401}, None),
        ("POST", f"/api/v1/projects/{pending.pk}/accept", staff_only, None),
        ("POST", f"/api/v1/projects/{pending2.pk}/return", staff_only, {"reason": "预算资料不全"}),
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


def access_failures(cases: list[tuple], user_of) -> list[str]:
    """Request every case as every role; the lines that did not get the expected status. Used by the whole
    matrix below and by apps that run their own rows alone."""
    failures = []
    for case in cases:
        method, url, expected = case[:3]
        body = case[3] if len(case) > 3 else None
        for role in ROLES:
            want = expected.get(role, expected.get("*"))
            assert want is not None, f"{method} {url}: no expectation for {role}"
            client = _client_for(role, user_of)
            if method == "GET":
                response = client.get(url)
            elif body is None:
                response = client.generic(method, url)
            else:
                response = client.generic(method, url, json.dumps(body), content_type="application/json")
            if response.status_code != want:
                failures.append(f"{method} {url} as {role}: got {response.status_code}, expected {want}")
    return failures


def test_every_url_and_operation_gives_each_role_what_the_table_says(demo, user_of, settings):
    ctx = {"user_of": user_of}
    cases = base_cases(ctx)
    for app in APPS_WITH_CASES:
        module = import_module(f"yangguang.{app}.tests.access_cases")
        cases.extend(module.cases(ctx))
        if hasattr(module, "api_write_cases"):
            cases.extend(module.api_write_cases(ctx))
    cases.extend(api_write_cases(ctx))

    # Routes, not view names: django-ninja gives each method of one path its own name but one route.
    covered_routes = {resolve(case[1].split("?")[0]).route for case in cases}
    missing_views = sorted({name for route, name in _patterns() if route not in covered_routes
                            and not route.startswith("static/")})
    covered_ops = {(case[0], _route_template(case[1])) for case in cases}
    missing_ops = sorted(op for op in _api_operations() if op not in covered_ops)
    assert not missing_views, f"URL patterns with no access case: {missing_views}"
    assert not missing_ops, f"API operations with no access case: {missing_ops}"

    failures = access_failures(cases, user_of)
    assert not failures, "\n".join(failures)
