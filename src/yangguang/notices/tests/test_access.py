"""The notices and portal rows of the platform's access matrix, run on their own (quick feedback while the
full matrix also covers every other app)."""

from __future__ import annotations

from tests.test_access_matrix import access_failures
from yangguang.notices.tests import access_cases as notices_cases
from yangguang.portal.tests import access_cases as portal_cases


def test_notices_and_portal_access(demo, user_of):
    ctx = {"user_of": user_of}
    cases = [*notices_cases.cases(ctx), *notices_cases.api_write_cases(ctx), *portal_cases.cases(ctx)]
    failures = access_failures(cases, user_of)
    assert not failures, "\n".join(failures)
