"""This app's rows of the platform's access matrix, checked on their own (every role, every page and API
operation of the expert pool and draws), so a failure elsewhere in the matrix does not hide one here."""

from __future__ import annotations

from tests.test_access_matrix import access_failures

from . import access_cases


def test_every_expert_page_and_operation_gives_each_role_what_the_table_says(demo, user_of) -> None:
    ctx = {"user_of": user_of}
    cases = access_cases.cases(ctx) + access_cases.api_write_cases(ctx)
    failures = access_failures(cases, user_of)
    assert not failures, "\n".join(failures)
