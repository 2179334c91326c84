"""The notices API: public search and detail shapes, bad parameters, publishing over JSON."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from yangguang.notices import services

from .factories import full_fields, notice_make

pytestmark = pytest.mark.django_db


def test_list_shape_filters_and_paging(demo):
    for i in range(22):
        notice_make(title=f"丽水市第{i}号道路施工招标公告")
    notice_make(notice_type="land_listing", title="工业用地挂牌出让公告", region_code="331121")
    client = Client()
    data = client.get("/api/v1/notices", {"q": "施工"}).json()
    assert data["count"] == 22 and data["count_is_estimate"] is False and len(data["items"]) == 20
    item = data["items"][0]
    assert set(item) >= {"id", "type", "title", "category", "region", "published_at", "url"}
    assert item["title"] == "丽水市第21号道路施工招标公告" and item["url"] == f"/announcements/{item['id']}/"
    assert len(client.get("/api/v1/notices", {"q": "施工", "page": "2"}).json()["items"]) == 2
    land = client.get("/api/v1/notices", {"category": "land", "region": "331100"}).json()
    assert [i["region"] for i in land["items"]] == ["331121"]  # the city includes its counties
    assert client.get("/api/v1/notices", {"region": "331122"}).json()["count"] == 0


@pytest.mark.parametrize(("params", "field"), [
    ({"type": "bogus"}, "type"), ({"category": "bogus"}, "category"), ({"region": "999999"}, "region"),
    ({"page": 0}, "page"), ({"page": 501}, "page"), ({"date_from": "2026-13-01"}, "date_from"),
    ({"q": "施" * 101}, "q"),
])
def test_bad_parameters_are_422_with_a_code(demo, params: dict, field):
    response = Client().get("/api/v1/notices", params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["code"] and body["message"]


def test_detail_with_fields_attachments_and_correction_links(demo, client_as):
    original = notice_make(notice_type="candidate_publicity", title="门诊楼工程中标候选人公示",
                           attachments=[ContentFile(b"report", name="评标报告.pdf")])
    correction = services.notice_correct(actor=original.published_by, original=original, title="更正公告",
                                         body_html="", fields={"changes": "第二名报价更正"}, reason="笔误")
    client = Client()
    data = client.get(f"/api/v1/notices/{original.pk}").json()
    assert data["fields"]["candidates"] == "candidates的内容"
    assert data["field_labels"]["candidates"]
    assert data["attachments"][0]["name"] == "评标报告.pdf" and len(data["attachments"][0]["sha256"]) == 64
    assert data["corrections"] == [{"id": correction.pk, "code": correction.code, "title": "更正公告",
                                    "url": f"/announcements/{correction.pk}/"}]
    assert data["publicity"]["days"] == 3 and data["publicity"]["closed"] is False
    back = client.get(f"/api/v1/notices/{correction.pk}").json()
    assert back["corrects"]["id"] == original.pk
    assert client.get("/api/v1/notices/999999").status_code == 404


def test_publish_over_json(demo, client_as):
    staff = client_as("staff")
    body = {"type": "tender_construction", "region": "331100", "title": "API施工招标公告",
            "fields": full_fields("tender_construction"), "body_html": "<p>正文<script>x()</script></p>"}
    created = staff.post("/api/v1/notices", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["body_html"] == "<p>正文</p>"
    missing = {**body, "fields": full_fields("tender_construction", tenderer="")}
    refused = staff.post("/api/v1/notices", json.dumps(missing), content_type="application/json",
                         headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "tenderer" and "Tenderer's name and address" in refused.json()["message"]
    assert Client().post("/api/v1/notices", json.dumps(body), content_type="application/json").status_code == 401
    assert client_as("supplier").post("/api/v1/notices", json.dumps(body),
                                      content_type="application/json").status_code == 403
