"""The funding check remembers an authenticated key for a few seconds per process: revoking it through the
service takes effect at once; a change the process cannot see (another server process) within the TTL."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yangguang.accounts.apikey_models import ApiKey
from yangguang.accounts.apikeys import apikey_issue, apikey_revoke
from yangguang.accounts.models import Organisation, User
from yangguang.accounts.states import OrganisationKind
from yangguang.projects import api_funding
from yangguang.projects.models import FundingCheck

from .factories import project_make


def test_a_cached_key_is_bounded_by_the_ttl_and_cleared_by_a_revocation(items, monkeypatch):
    project = project_make(status="accepted")
    admin = User.objects.get(username="admin")
    finance = Organisation.objects.get(kind=OrganisationKind.FINANCE)
    row, key = apikey_issue(actor=admin, organisation=finance, name="支付系统", scopes=["funding_check"])
    url = f"/api/v1/funding-check?project={project.code}"
    client = Client()
    now = [1000.0]
    monkeypatch.setattr(api_funding.time, "monotonic", lambda: now[0])
    api_funding._key_cache.clear()
    assert client.get(url, HTTP_X_API_KEY=key).status_code == 200
    # Within the TTL the key is not read again (the check is still decided and logged).
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, HTTP_X_API_KEY=key).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not any(ApiKey._meta.db_table in q for q in sql)
    assert any(q.startswith(f"INSERT INTO {FundingCheck._meta.db_table}") for q in sql)
    # Revoked behind this process's back (no signal, as in another server process): accepted until the TTL ends.
    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert client.get(url, HTTP_X_API_KEY=key).status_code == 200
    now[0] += api_funding.KEY_CACHE_SECONDS + 0.1
    assert client.get(url, HTTP_X_API_KEY=key).status_code == 401
    # Revoked through the service: refused at once, cache or not.
    other, other_key = apikey_issue(actor=admin, organisation=finance, name="支付系统二", scopes=["funding_check"])
    assert client.get(url, HTTP_X_API_KEY=other_key).status_code == 200
    apikey_revoke(actor=admin, key=other)
    assert client.get(url, HTTP_X_API_KEY=other_key).status_code == 401
    # A key of another scope never authenticates here, cached or not.
    department = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).first()
    _row, import_key = apikey_issue(actor=admin, organisation=department, name="发改", scopes=["project_list_import"])
    assert client.get(url, HTTP_X_API_KEY=import_key).status_code == 401
