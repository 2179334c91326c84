"""This app's rows of the platform's access matrix, checked on their own (every role, every page and API
operation of the expert pool and draws), so a failure elsewhere in the matrix does not hide one here."""

from __future__ import annotations

import json

from tests.test_access_matrix import ROLES, _client_for

from . import access_cases


def test_every_expert_page_and_operation_gives_each_role_what_the_table_says(demo, user_of) -> None:
    ctx = {"user_of": user_of}
    cases = access_cases.cases(ctx) + access_cases.api_write_cases(ctx)
    failures = []
    for case in cases:
        method, url, expected = case[:3]
        body = case[3] if len(case) > 3 else None
        for role in ROLES:
            want = expected.get(role, expected.get("*"))
            client = _client_for(role, user_of)
            if method == "GET":
                response = client.get(url)
            elif body is None:
                response = client.generic(method, url)
            else:
                response = client.generic(method, url, json.dumps(body), content_type="application/json")
            if response.status_code != want:
                failures.append(f"{method} {url} as {role}: got {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
