"""This app's rows of the access matrix, run alone (the platform test runs them with every app's)."""

from __future__ import annotations

import pytest

from tests.test_access_matrix import access_failures

from . import access_cases


@pytest.mark.django_db
def test_every_bidding_url_gives_each_role_what_the_table_says(demo, user_of, items, settings, tmp_path):
    ctx = {"user_of": user_of}
    failures = access_failures(access_cases.cases(ctx) + access_cases.api_write_cases(ctx), user_of)
    assert not failures, "\n".join(failures)
