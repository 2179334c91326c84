"""The evaluation's rows of the access matrix, run alone (the whole matrix runs them with every app)."""

from __future__ import annotations

import pytest

from tests.test_access_matrix import access_failures

from .access_cases import api_write_cases, cases

pytestmark = pytest.mark.django_db


def test_every_evaluation_page_and_operation_gives_each_role_what_the_table_says(demo, user_of):
    ctx = {"user_of": user_of}
    failures = access_failures([*cases(ctx), *api_write_cases(ctx)], user_of)
    assert not failures, "\n".join(failures)
