"""The notices and portal rows of the platform's access matrix, run on their own (quick feedback while the
full matrix also covers every other app)."""

from __future__ import annotations

import json

from django.test import Client

from tests.test_access_matrix import ROLES
from yangguang.notices.tests import access_cases as notices_cases
from yangguang.portal.tests import access_cases as portal_cases


def test_notices_and_portal_access(demo, user_of):
    ctx = {"user_of": user_of}
    cases = [*notices_cases.cases(ctx), *notices_cases.api_write_cases(ctx), *portal_cases.cases(ctx)]
    failures = []
    for case in cases:
        method, url, expected = case[:3]
        body = case[3] if len(case) > 3 else None
        for role in ROLES:
            want = expected.get(role, expected.get("*"))
            client = Client()
            if role != "anonymous":
                client.force_login(user_of(role))
            if method == "GET":
                response = client.get(url)
            elif body is None:
                response = client.generic(method, url)
            else:
                response = client.generic(method, url, json.dumps(body), content_type="application/json")
            if response.status_code != want:
                failures.append(f"{method} {url} as {role}: got {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
