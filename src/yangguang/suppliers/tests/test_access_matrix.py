"""Runs this app's access cases as every role and checks every URL pattern of the app has a case."""

import pytest
from django.test import Client
from django.urls import resolve

from yangguang.accounts.states import Role
from yangguang.suppliers import urls as supplier_urls

from .access_cases import cases

pytestmark = pytest.mark.django_db


def test_every_page_answers_every_role_as_declared(user_of):
    declared = cases({"user_of": user_of})
    covered = {resolve(url).url_name for _m, url, _e in declared if url.startswith("/suppliers/")}
    assert covered == {p.name for p in supplier_urls.urlpatterns}
    failures = []
    for method, url, expected in declared:
        assert set(expected) == {*Role.values, "anonymous"}, url
        for role, status in expected.items():
            client = Client()
            if role != "anonymous":
                client.force_login(user_of(role))
            response = client.get(url) if method == "GET" else client.post(url)
            if response.status_code != status:
                failures.append(f"{method} {url} as {role}: {response.status_code}, expected {status}")
    assert not failures, "\n".join(failures)
