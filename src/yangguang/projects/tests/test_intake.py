from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from yangguang.accounts.models import Organisation, User
from yangguang.catalogue.states import Category, FundingSource
from yangguang.core.errors import IllegalTransition, ValidationFailed
from yangguang.core.models import Event
from yangguang.projects import services
from yangguang.projects.models import Project, ProjectDocument
from yangguang.projects.states import ProjectStatus

from .factories import agency_org, project_data, project_make

pytestmark = pytest.mark.django_db


def _api_body(items, **overrides):
    body = {
        "name": "丽水市第一人民医院门诊楼改造", "category": "construction",
        "catalogue_item_id": items[Category.CONSTRUCTION].pk, "region_code": "331100", "budget": "5000000.00",
        "fundings": [{"source": "budget", "amount": "3000000.00"}, {"source": "self_raised", "amount": "2000000"}],
        "responsible_leader": "王院长", "responsible_section": "基建科", "responsible_person": "李采购",
        "responsible_phone": "0578-2780000",
    }
    body.update(overrides)
    return body


def test_web_flow_register_upload_submit_accept(items, client_as):
    purchaser = client_as("purchaser")
    response = purchaser.post("/projects/register/", {
        "agency": agency_org().pk, "name": "医院食堂改造工程", "category": "construction", "region": items[
            Category.CONSTRUCTION].type.version.region_id, "catalogue_item": items[Category.CONSTRUCTION].pk,
        "budget": "4500000.00", "responsible_leader": "王院长", "responsible_section": "基建科",
        "responsible_person": "李采购", "responsible_phone": "0578-2780000",
        "funding_source_0": "budget", "funding_amount_0": "4000000.00",
        "funding_source_1": "self_raised", "funding_amount_1": "500000.00",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="医院食堂改造工程")
    assert project.status == ProjectStatus.DRAFT
    assert project.code == ""
    assert sorted((f.source, f.amount) for f in project.fundings.all()) == [
        ("budget", Decimal("4000000.00")), ("self_raised", Decimal("500000.00"))]

    content = b"%PDF-1.4 project approval"
    sha = hashlib.sha256(content).hexdigest()
    response = purchaser.post(f"/projects/{project.pk}/documents/", {
        "title": "立项批复", "file": SimpleUploadedFile("approval.pdf", content), "sha256": sha})
    assert response.status_code == 302
    page = purchaser.get(f"/projects/{project.pk}/").content.decode()
    assert sha in page

    assert purchaser.post(f"/projects/{project.pk}/submit/").status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED

    staff = client_as("staff")
    assert "医院食堂改造工程" in staff.get("/projects/queue/").content.decode()
    assert staff.post(f"/projects/{project.pk}/accept/").status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert re.fullmatch(r"331100-GC-\d{4}-00001", project.code)
    assert project.must_trade is True
    page = staff.get(f"/projects/{project.pk}/").content.decode()
    assert project.code in page
    for action in ("registered", "document_attached", "submitted", "accepted"):
        assert f"projects.project.{action}" in page


def test_web_form_shows_the_service_error_next_to_the_field(items, client_as):
    response = client_as("purchaser").post("/projects/register/", {
        "name": "金额不符的项目", "category": "construction", "region": items[Category.CONSTRUCTION].type.version
        .region_id, "catalogue_item": items[Category.CONSTRUCTION].pk, "budget": "100.00",
        "responsible_leader": "王", "responsible_section": "科", "responsible_person": "李",
        "responsible_phone": "1", "funding_source_0": "budget", "funding_amount_0": "90.00",
    })
    assert response.status_code == 200
    assert not Project.objects.filter(name="金额不符的项目").exists()
    assert "100.00" in response.content.decode()


def test_api_flow_with_return_and_resubmit(items, client_as):
    agency = client_as("agency")
    purchaser_org = Organisation.objects.get(name="丽水市第一人民医院")
    response = agency.post("/api/v1/projects/", _api_body(items, owner_id=purchaser_org.pk),
                           content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.content
    created = response.json()
    again = agency.post("/api/v1/projects/", _api_body(items, owner_id=purchaser_org.pk),
                        content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert again.json()["id"] == created["id"]
    assert Project.objects.count() == 1
    pid = created["id"]
    assert created["status"] == "draft"
    assert created["owner"] == "丽水市第一人民医院"
    assert agency.post(f"/api/v1/projects/{pid}/submit").json()["status"] == "submitted"

    staff = client_as("staff")
    refused = staff.post(f"/api/v1/projects/{pid}/return", {"reason": "  "}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "reason"
    returned = staff.post(f"/api/v1/projects/{pid}/return", {"reason": "缺少资金证明"},
                          content_type="application/json")
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "缺少资金证明"
    assert client_as("purchaser").post(f"/api/v1/projects/{pid}/submit").json()["status"] == "submitted"
    accepted = staff.post(f"/api/v1/projects/{pid}/accept").json()
    assert accepted["status"] == "accepted"
    assert accepted["must_trade"] is True
    assert accepted["code"].startswith("331100-GC-")
    assert client_as("purchaser").get(f"/api/v1/projects/{pid}").json()["code"] == accepted["code"]


def test_illegal_moves_are_409(items, client_as):
    project = project_make(status=ProjectStatus.ACCEPTED)
    purchaser = client_as("purchaser")
    for step in ("submit", "withdraw"):
        response = purchaser.post(f"/api/v1/projects/{project.pk}/{step}")
        assert response.status_code == 409
        assert response.json()["code"] == "illegal_transition"
    assert client_as("staff").post(f"/api/v1/projects/{project.pk}/accept").status_code == 409
    draft = project_make(status=ProjectStatus.DRAFT)
    assert client_as("staff").post(f"/api/v1/projects/{draft.pk}/accept").status_code == 409
    withdrawn = project_make(status=ProjectStatus.WITHDRAWN)
    assert purchaser.post(f"/api/v1/projects/{withdrawn.pk}/submit").status_code == 409
    # Only the right roles reach a step at all.
    assert purchaser.post(f"/api/v1/projects/{draft.pk}/accept").status_code == 403


@pytest.mark.parametrize(("overrides", "field"), [
    ({"budget": "0"}, "budget"),
    ({"budget": "-5"}, "budget"),
    ({"fundings": [{"source": "budget", "amount": "1000"}]}, "fundings"),
    ({"fundings": [{"source": "lottery", "amount": "5000000"}]}, "fundings"),
    ({"category": "government_procurement"}, "catalogue_item"),
    ({"name": " "}, "name"),
    ({"responsible_phone": ""}, "responsible_phone"),
    ({"region_code": "999999"}, "region_code"),
])
def test_bad_input_is_422_naming_the_field(items, client_as, overrides, field):
    response = client_as("purchaser").post("/api/v1/projects/", _api_body(items, **overrides),
                                           content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Project.objects.exists()


def test_item_of_another_catalogue_version_is_refused(items):
    from yangguang.catalogue.models import CatalogueItem, CatalogueType, CatalogueVersion

    old = CatalogueVersion.objects.create(region=items[Category.LAND].type.version.region, number=99,
                                          title="旧目录", status="retired")
    type_ = CatalogueType.objects.create(version=old, category=Category.LAND, code="OLD", name="旧类型")
    stale = CatalogueItem.objects.create(type=type_, code="OLD-1", name="旧事项")
    purchaser = User.objects.get(username="purchaser")
    with pytest.raises(ValidationFailed) as error:
        services.project_register(actor=purchaser, data=project_data(category=Category.LAND, catalogue_item=stale))
    assert error.value.field == "catalogue_item"


@pytest.mark.parametrize(("category", "budget", "source", "must_trade"), [
    (Category.CONSTRUCTION, "4000000.00", FundingSource.BUDGET, True),
    (Category.CONSTRUCTION, "3999999.99", FundingSource.BUDGET, False),
    (Category.CONSTRUCTION, "9000000.00", FundingSource.SOCIAL_CAPITAL, False),
    (Category.GOVERNMENT_PROCUREMENT, "1000000.00", FundingSource.BUDGET, True),
    (Category.LAND, "10.00", FundingSource.STATE_ASSET_PROCEEDS, True),
])
def test_must_trade_decision_is_stored_at_acceptance(items, category, budget, source, must_trade):
    project = project_make(status=ProjectStatus.ACCEPTED, category=category, budget=budget,
                           fundings=[(source, budget)])
    assert project.must_trade is must_trade
    assert project.must_trade_reason
    assert project.catalogue_version.startswith("测试交易目录")
    event = Event.objects.get(action="projects.project.accepted", object_id=str(project.pk))
    assert event.payload["must_trade"] is must_trade
    assert event.payload["code"] == project.code


def test_codes_follow_region_category_year_and_never_repeat(items):
    first = project_make(status=ProjectStatus.ACCEPTED)
    second = project_make(status=ProjectStatus.ACCEPTED)
    procurement = project_make(status=ProjectStatus.ACCEPTED, category=Category.GOVERNMENT_PROCUREMENT)
    county = project_make(status=ProjectStatus.ACCEPTED, region_code="331121")
    year = first.accepted_at.astimezone().year  # type: ignore[union-attr]
    assert first.code == f"331100-GC-{year}-00001"
    assert second.code == f"331100-GC-{year}-00002"
    assert procurement.code == f"331100-CG-{year}-00001"
    assert county.code == f"331121-GC-{year}-00001"
    assert county.centre.region.code == "331121"


def test_county_without_active_centre_trades_at_the_city_centre(items):
    project = project_make(status=ProjectStatus.ACCEPTED, region_code="331125")  # 云和县: centre inactive
    assert project.centre.region.code == "331100"
    assert project.code.startswith("331125-GC-")


def test_county_staff_cannot_accept_a_city_project(items):
    project = project_make(status=ProjectStatus.SUBMITTED)
    from yangguang.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.project_accept(actor=User.objects.get(username="staff_qingtian"), project=project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_document_hash_mismatch_stores_nothing(items, client_as):
    project = project_make()
    before = Event.objects.count()
    response = client_as("purchaser").post(f"/projects/{project.pk}/documents/", {
        "title": "预算批复", "file": SimpleUploadedFile("b.pdf", b"real bytes"), "sha256": "0" * 64})
    assert response.status_code == 302
    assert not ProjectDocument.objects.exists()
    assert Event.objects.count() == before
    assert not default_storage.exists(f"projects/{hashlib.sha256(b'real bytes').hexdigest()[:2]}")
    page = client_as("purchaser").get(f"/projects/{project.pk}/").content.decode()
    assert "SHA-256" in page


def test_documents_only_before_acceptance(items):
    project = project_make(status=ProjectStatus.ACCEPTED)
    with pytest.raises(IllegalTransition):
        services.project_document_attach(actor=User.objects.get(username="purchaser"), project=project, title="x",
                                         upload=SimpleUploadedFile("x.txt", b"x"))


def test_update_only_while_draft_or_returned(items):
    purchaser = User.objects.get(username="purchaser")
    project = project_make(status=ProjectStatus.RETURNED)
    updated = services.project_update(actor=purchaser, project=project,
                                      data=project_data(name="改名后的项目", budget="6000000.00"))
    assert updated.name == "改名后的项目"
    assert updated.budget == Decimal("6000000.00")
    assert [f.amount for f in updated.fundings.all()] == [Decimal("6000000.00")]
    submitted = services.project_submit(actor=purchaser, project=updated)
    with pytest.raises(IllegalTransition):
        services.project_update(actor=purchaser, project=submitted, data=project_data())


def test_rolled_back_service_leaves_no_event(items):
    project = project_make(status=ProjectStatus.SUBMITTED)
    staff = User.objects.get(username="staff")
    before = Event.objects.count()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.project_accept(actor=staff, project=project)
        raise Abort
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert project.code == ""
    assert Event.objects.count() == before


def test_event_payloads_carry_no_personal_data(items):
    project = project_make(status=ProjectStatus.ACCEPTED)
    for event in Event.objects.filter(object_type="projects.project", object_id=str(project.pk)):
        text = str(event.payload)
        assert "李采购" not in text
        assert "0578" not in text
        assert "王院长" not in text
