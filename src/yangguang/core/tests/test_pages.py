"""Health check, OpenAPI description and the public log page."""

from __future__ import annotations

from django.test import Client

from yangguang.core import eventlog
from yangguang.core.tests.test_eventlog import append


def test_healthz(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == "ok"


def test_openapi(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "openapi" in schema
    assert "/api/v1/log/head" in schema["paths"] and "/api/v1/log/proof" in schema["paths"]


def test_log_page_without_and_with_head(db):
    client = Client()
    response = client.get("/log/")
    assert response.status_code == 200
    assert 'id="head-root"' not in response.content.decode()
    append(4)
    cp = eventlog.checkpoint_sign()
    append(2, 4)
    page = client.get("/log/").content.decode()
    assert f'<dd id="head-size">{cp.size}</dd>' in page
    assert cp.root_hash in page and cp.signature in page
