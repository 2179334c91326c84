from __future__ import annotations

import re

import pytest

from yangguang.accounts.models import User
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.projects import exemptions
from yangguang.projects.models import ExemptionRequest
from yangguang.projects.musttrade_states import ExemptionStatus
from yangguang.projects.states import ProjectStatus

from .factories import department_leader, exemption_make, project_make

pytestmark = pytest.mark.django_db


def test_three_ordered_approvals_give_an_exemption_id(items):
    exemption = exemption_make()
    assert exemption.status == ExemptionStatus.APPROVED
    assert re.fullmatch(r"BJC-331100-\d{4}-0001", exemption.code)
    steps = list(exemption.decisions.values_list("step", "outcome"))
    assert steps == [("section_review", "approved"), ("leader_approval", "approved"),
                     ("committee_approval", "approved")]
    actions = [e.action for e in Event.objects.filter(object_type="projects.exemptionrequest").order_by("seq")]
    assert actions == ["projects.exemption.requested", "projects.exemption.section_approved",
                       "projects.exemption.leader_approved", "projects.exemption.approved"]


def test_steps_go_in_order_and_each_belongs_to_its_holder(items):
    exemption = exemption_make(until=ExemptionStatus.SECTION_REVIEW)
    committee = User.objects.get(username="committee")
    with pytest.raises(PermissionDenied):  # the committee office cannot skip the department
        exemptions.exemption_decide(actor=committee, exemption=exemption, approve=True)
    with pytest.raises(PermissionDenied):  # the owner cannot approve its own request
        exemptions.exemption_decide(actor=User.objects.get(username="purchaser"), exemption=exemption, approve=True)
    section = User.objects.get(username="supervisor")
    exemption = exemptions.exemption_decide(actor=section, exemption=exemption, approve=True)
    with pytest.raises(PermissionDenied):  # the leader must be another person
        exemptions.exemption_decide(actor=section, exemption=exemption, approve=True)
    assert ExemptionRequest.objects.get(pk=exemption.pk).status == ExemptionStatus.LEADER_APPROVAL


def test_rejection_needs_reasons_and_ends_the_request(items):
    exemption = exemption_make(until=ExemptionStatus.LEADER_APPROVAL)
    leader = department_leader()
    with pytest.raises(ValidationFailed) as error:
        exemptions.exemption_decide(actor=leader, exemption=exemption, approve=False, opinion=" ")
    assert error.value.field == "opinion"
    rejected = exemptions.exemption_decide(actor=leader, exemption=exemption, approve=False, opinion="依据不足")
    assert rejected.status == ExemptionStatus.REJECTED and rejected.code == ""
    with pytest.raises(IllegalTransition):
        exemptions.exemption_decide(actor=User.objects.get(username="committee"), exemption=rejected, approve=True)
    # After a rejection the owner may file a new request for the same project.
    again = exemption_make(project=rejected.project, until=ExemptionStatus.SECTION_REVIEW)
    assert again.status == ExemptionStatus.SECTION_REVIEW


def test_one_live_request_per_project_and_only_must_trade_projects(items):
    exemption = exemption_make(until=ExemptionStatus.SECTION_REVIEW)
    purchaser = User.objects.get(username="purchaser")
    department = User.objects.get(username="supervisor").organisation
    with pytest.raises(IllegalTransition):
        exemptions.exemption_request(actor=purchaser, project=exemption.project, department=department,
                                     reason="再次申请", legal_basis="x", method="y")
    small = project_make(status=ProjectStatus.ACCEPTED, name="低于限额的项目", budget="100000.00")
    assert small.must_trade is False
    with pytest.raises(IllegalTransition):
        exemptions.exemption_request(actor=purchaser, project=small, department=department, reason="r",
                                     legal_basis="b", method="m")
    project = project_make(status=ProjectStatus.ACCEPTED, name="缺少依据的项目")
    with pytest.raises(ValidationFailed) as error:
        exemptions.exemption_request(actor=purchaser, project=project, department=department, reason="r",
                                     legal_basis="", method="m")
    assert error.value.field == "legal_basis"
    with pytest.raises(ValidationFailed) as error:
        exemptions.exemption_request(actor=purchaser, project=project, department=purchaser.organisation,
                                     reason="r", legal_basis="b", method="m")
    assert error.value.field == "department"


def test_publication_on_the_portal_by_the_centre(items):
    from yangguang.notices.models import Notice

    exemption = exemption_make()
    with pytest.raises(PermissionDenied):
        exemptions.exemption_publish(actor=User.objects.get(username="committee"), exemption=exemption)
    published = exemptions.exemption_publish(actor=User.objects.get(username="staff"), exemption=exemption)
    assert published.notice_pk is not None
    notice = Notice.objects.get(pk=published.notice_pk)
    assert notice.type == "exemption_publicity"
    assert notice.project_id == exemption.project_id
    assert exemption.code in notice.fields["approval"]
    with pytest.raises(IllegalTransition):
        exemptions.exemption_publish(actor=User.objects.get(username="staff"), exemption=published)


def test_api_request_and_decide(items, client_as):
    project = project_make(status=ProjectStatus.ACCEPTED, name="API申请项目")
    department = User.objects.get(username="supervisor").organisation
    assert department is not None
    body = {"department_id": department.pk, "reason": "保密", "legal_basis": "招标投标法 第66条", "method": "直接委托"}
    response = client_as("purchaser").post(f"/api/v1/projects/must-trade/projects/{project.pk}/exemptions", body,
                                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    again = client_as("purchaser").post(f"/api/v1/projects/must-trade/projects/{project.pk}/exemptions", body,
                                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json()["id"] == response.json()["id"]
    pk = response.json()["id"]
    refused = client_as("supervisor").post(f"/api/v1/projects/must-trade/exemptions/{pk}/decide",
                                           {"approve": False, "opinion": ""}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "opinion"
    done = client_as("supervisor").post(f"/api/v1/projects/must-trade/exemptions/{pk}/decide",
                                        {"approve": True, "opinion": "同意"}, content_type="application/json")
    assert done.json()["status"] == "leader_approval"


def test_event_payloads_carry_no_personal_data(items):
    exemption = exemption_make()
    for event in Event.objects.filter(object_type="projects.exemptionrequest", object_id=str(exemption.pk)):
        text = str(event.payload)
        assert "王院长" not in text and "0578" not in text and "李采购" not in text
