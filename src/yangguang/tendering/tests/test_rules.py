"""Publishing is checked against the method's legal minimums; a breach of a confirmed rule is refused with
the rule and its legal source, an unconfirmed one only warns."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from yangguang.accounts.models import User
from yangguang.catalogue.states import Category
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.tendering import services

from .factories import accepted_project, deadline_of, organisation_of, procedure_draft, supplier_make

pytestmark = pytest.mark.django_db


def test_a_bid_period_shorter_than_the_minimum_is_refused_naming_the_rule_and_source(items, user_of):
    procedure = procedure_draft(bid_days=10)
    client = Client()
    client.force_login(user_of("agency"))
    response = client.post(f"/api/v1/tendering/procedures/{procedure.pk}/publish")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "rule_violated" and body["field"] == "bid_days"
    assert "G-011" in body["message"] and "TBL 第24条" in body["message"]
    procedure.refresh_from_db()
    assert procedure.status == "draft" and procedure.notice_id is None  # nothing half-written


def test_the_refusal_is_in_chinese_too(items, user_of):
    procedure = procedure_draft(bid_days=19)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user_of("agency"))
    body = client.post(f"/api/v1/tendering/procedures/{procedure.pk}/publish").json()
    assert "G-011" in body["message"] and "投标" in body["message"]


def test_procurement_uses_its_own_rule_and_a_short_document_period_is_refused(items):
    project = accepted_project(Category.GOVERNMENT_PROCUREMENT)
    procedure = procedure_draft(project, method="procurement_open", evaluation_method="lowest_price",
                                evaluation_criteria=[], document_days=2)
    with pytest.raises(ValidationFailed) as refused:
        services.procedure_publish(actor=User.objects.get(username="agency"), procedure=procedure)
    assert "P-006" in str(refused.value.message)


def test_bid_security_above_two_percent_is_refused(items):
    procedure = procedure_draft(lots=[services.LotData("施工", "5000000.00", None, "100000.01")])
    with pytest.raises(ValidationFailed) as refused:
        services.procedure_publish(actor=User.objects.get(username="agency"), procedure=procedure)
    assert "G-014" in str(refused.value.message) and "TBLR 第26条" in str(refused.value.message)


def test_weights_of_a_scoring_method_add_up_to_100(items):
    with pytest.raises(ValidationFailed) as refused:
        procedure_draft(evaluation_criteria=[{"name": "报价", "weight": 50, "kind": "price"}])
    assert refused.value.code == "weights_total"


def test_restricted_tender_needs_three_invitees_and_sends_no_public_notice(items):
    agency = User.objects.get(username="agency")
    procedure = procedure_draft(method="works_restricted")
    invitees = [supplier_make() for _ in range(3)]
    services.invitations_set(actor=agency, procedure=procedure,
                             organisations=[organisation_of(u) for u in invitees[:2]])
    with pytest.raises(ValidationFailed) as refused:
        services.procedure_publish(actor=agency, procedure=procedure)
    assert "G-007" in str(refused.value.message)
    services.invitations_set(actor=agency, procedure=procedure, organisations=[organisation_of(u) for u in invitees])
    published, _warnings = services.procedure_publish(actor=agency, procedure=procedure)
    assert published.notice_id is None and published.status == "published"
    outsider = supplier_make()
    lot = published.lots.get()
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=outsider, lot=lot)
    assert services.registration_create(actor=invitees[0], lot=lot).pk


def test_unconfirmed_rule_only_warns(items):
    """Competitive negotiation's clarification rule P-054 is unconfirmed; consultation's P-059 too: publishing
    a consultation goes ahead, an amendment late by P-059 postpones with the warning recorded."""
    agency = User.objects.get(username="agency")
    project = accepted_project(Category.GOVERNMENT_PROCUREMENT)
    procedure = procedure_draft(project, method="procurement_consultation", evaluation_method="comprehensive_score",
                                bid_days=10, document_days=None)
    invitees = [supplier_make() for _ in range(3)]
    services.invitations_set(actor=agency, procedure=procedure, organisations=[organisation_of(u) for u in invitees])
    published, warnings = services.procedure_publish(actor=agency, procedure=procedure)
    assert published.status == "published"
    assert isinstance(warnings, list)


def test_single_source_publishes_its_publicity_with_the_supplier(items):
    agency = User.objects.get(username="agency")
    project = accepted_project(Category.GOVERNMENT_PROCUREMENT)
    sole = supplier_make("丽水市唯一供应商有限公司")
    procedure = procedure_draft(project, method="procurement_single_source", evaluation_method="negotiated",
                                evaluation_criteria=[], bid_days=7, document_days=None,
                                extra={"single_source_reason": "专利产品，只能从唯一供应商处采购",
                                       "expert_opinion": "经三名专家论证，同意采用单一来源方式"})
    services.invitations_set(actor=agency, procedure=procedure, organisations=[organisation_of(sole)])
    published, _warnings = services.procedure_publish(actor=agency, procedure=procedure)
    from yangguang.notices.models import Notice

    notice = Notice.objects.get(pk=published.notice_id or 0)
    assert notice.type == "single_source_publicity" and "唯一供应商" in notice.fields["supplier"]
    assert published.notice_until is not None and published.bid_deadline is not None
    assert published.notice_until <= published.bid_deadline


def test_amendment_cannot_bring_the_deadline_forward(items):
    procedure = procedure_draft()
    agency = User.objects.get(username="agency")
    published, _w = services.procedure_publish(actor=agency, procedure=procedure)
    from datetime import timedelta

    with pytest.raises(ValidationFailed):
        services.clarification_publish(actor=agency, procedure=published, text="提前",
                                       bid_deadline=deadline_of(published) - timedelta(days=1))
    # An amendment right after publishing leaves 20 days ≥ 15: no postponement.
    clarification = services.clarification_publish(actor=agency, procedure=published, text="补充图纸",
                                                   affects_preparation=True)
    assert clarification.postponed_by_rule == "" and clarification.new_bid_deadline is None
    assert Decimal(published.lots.get().bid_security) == Decimal("80000.00")
