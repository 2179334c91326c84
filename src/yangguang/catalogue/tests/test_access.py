"""Walk this app's own access cases, so the table is checked even before the project-wide matrix runs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from yangguang.catalogue import urls as catalogue_urls
from yangguang.catalogue.tests.access_cases import cases

pytestmark = pytest.mark.django_db


def test_every_url_pattern_has_a_case(user_of):
    urls = [url for _m, url, _e in cases({"user_of": user_of}) if not url.startswith("/api/")]
    covered = {get_resolver().resolve(url).url_name for url in urls}
    assert covered == {p.name for p in catalogue_urls.urlpatterns}


def test_access_cases_hold_for_every_role(user_of):
    for method, url, expected in cases({"user_of": user_of}):
        for role, status in expected.items():
            client = Client()
            if role != "anonymous":
                client.force_login(user_of(role))
            response = client.generic(method, url)
            assert response.status_code == status, (method, url, role, response.status_code)
