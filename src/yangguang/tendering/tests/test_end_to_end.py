"""The whole way through the fast sandbox, over the API: accepted project → open tender published → five
suppliers register → a question and an amendment that postpones the deadline → the deadline passes and the
worker's chronograph moves the procedure to opening."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.eventlog import Event
from yangguang.notices.models import Notice
from yangguang.tendering.models import ClarificationDelivery, Procedure

from .factories import accepted_project, deadline_of, supplier_make

pytestmark = pytest.mark.django_db

SECONDS_PER_DAY = 0.25  # 20 legal days ≈ 5 s


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_open_tender_through_the_sandbox(items, user_of, settings):
    settings.YANGGUANG_SANDBOX = True
    settings.YANGGUANG_SANDBOX_SECONDS_PER_DAY = SECONDS_PER_DAY
    project = accepted_project()
    agency = _client(user_of("agency"))
    response = agency.post("/api/v1/tendering/procedures", {
        "project_id": project.pk, "title": "门诊楼改扩建工程施工", "method": "works_open",
        "qualification_requirements": "建筑工程施工总承包二级及以上", "evaluation_method": "comprehensive_evaluation",
        "evaluation_criteria": [{"name": "报价", "weight": 60, "kind": "price"},
                                {"name": "施工组织设计", "weight": 40, "kind": "technical"}],
        "lots": [{"name": "施工总承包", "budget": "5000000.00", "ceiling_price": "4800000.00",
                  "bid_security": "80000.00"}],
        "document_days": 5, "bid_days": 20, "place": "丽水市莲都区"}, content_type="application/json")
    assert response.status_code == 201, response.content
    procedure_id = response.json()["id"]
    upload = ContentFile(b"%PDF tender documents", name="zhaobiao.pdf")
    assert agency.post(f"/api/v1/tendering/procedures/{procedure_id}/documents", {"file": upload}).status_code == 201

    published = agency.post(f"/api/v1/tendering/procedures/{procedure_id}/publish")
    assert published.status_code == 200, published.content
    data = published.json()
    assert data["status"] == "published" and data["sandbox"] is True
    legal = dt.datetime.fromisoformat(data["timeline"]["bid_deadline"])
    origin = dt.datetime.fromisoformat(data["timeline"]["documents_from"])
    assert (legal.date() - origin.astimezone(legal.tzinfo).date()).days >= 20  # the legal timeline is real
    notice = Notice.objects.get(pk=data["notice_id"])
    assert notice.type == "tender_construction" and notice.owner == f"tendering.procedure:{procedure_id}"

    lot_id = data["lots"][0]["id"]
    bidders = [supplier_make() for _ in range(5)]
    for bidder in bidders:
        client = _client(bidder)
        assert client.post(f"/api/v1/tendering/lots/{lot_id}/register").status_code == 201
        document_id = data["documents"][0]["id"]
        download = client.get(f"/api/v1/tendering/documents/{document_id}/download")
        content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        assert download.status_code == 200 and content == b"%PDF tender documents"

    asker = _client(bidders[0])
    question = asker.post(f"/api/v1/tendering/procedures/{procedure_id}/questions", {"text": "工期能否调整为300天？"},
                          content_type="application/json")
    assert question.status_code == 201
    # Wait until less than 15 legal days remain before the deadline (G-012), then amend.
    procedure = Procedure.objects.get(pk=procedure_id)
    while (deadline_of(procedure) - db_now()).total_seconds() > 13 * SECONDS_PER_DAY:
        time.sleep(0.1)
    amendment = agency.post(f"/api/v1/tendering/procedures/{procedure_id}/clarifications", {
        "text": "工期调整为300日历天，招标文件第三章相应修改。", "affects_preparation": True,
        "answers": [question.json()["id"]]}, content_type="application/json")
    assert amendment.status_code == 201, amendment.content
    assert amendment.json()["postponed_by_rule"] == "G-012"
    procedure.refresh_from_db()
    assert procedure.bid_deadline is not None and procedure.bid_deadline > legal
    correction = Notice.objects.get(pk=amendment.json()["notice_id"])
    assert correction.type == "correction" and correction.corrects_id == notice.pk
    assert "new_deadline" in correction.fields
    assert ClarificationDelivery.objects.filter(clarification__procedure=procedure).count() == 5
    seen = _client(bidders[3]).get(f"/api/v1/tendering/procedures/{procedure_id}").json()
    assert seen["clarifications"][0]["postponed_by_rule"] == "G-012"
    assert seen["questions"][0]["answered_by"] == 1 and seen["questions"][0]["mine"] is False

    # Before the new deadline the worker leaves the procedure open; after it, it moves it to opening.
    chronograph_run()
    procedure.refresh_from_db()
    assert procedure.status == "published"
    while db_now() < deadline_of(procedure):
        time.sleep(0.2)
    chronograph_run()
    procedure.refresh_from_db()
    # Five registered, none sealed a bid: the worker's deadline step closes bidding (tendering: enough
    # registrations, ready for opening) and the bidding app's step then fails the lot and the procedure
    # for too few bids (tendering's failure path), without anyone's hand.
    assert procedure.status == "failed"
    assert procedure.lots.get().status == "failed"
    steps = Event.objects.filter(action="tendering.procedure.time_steps", object_id=str(procedure_id))
    assert sum("bidding_closed" in e.payload["steps"] for e in steps) == 1
    assert steps.get(payload__contains='"bidding_closed"').payload["lots"] == {"1": "ready_for_opening"}
    closed = Event.objects.get(action="bidding.bids.closed", object_id=str(procedure_id))
    assert closed.payload["lots"] == {"1": {"status": "failed", "bids": 0}}
    # After the deadline the agency may see the count.
    final = agency.get(f"/api/v1/tendering/procedures/{procedure_id}").json()
    assert final["registration_summary"][0]["registrations"] == 5
