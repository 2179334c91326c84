"""Must-trade over JSON (mounted inside the projects router, under /api/v1/projects/): exemption requests
and their approvals, violations for discipline inspection, and the project-list import for department
systems (API key of scope ``project_list_import``, or a signed-in department or committee office user)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import SUPERVISORY_ROLES, api_require
from yangguang.accounts.apikey_models import Scope
from yangguang.accounts.apikeys import ApiKeyAuth
from yangguang.accounts.models import Organisation
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound, ValidationFailed

from . import exemptions as exemption_services
from .access import project_visible
from .imports import project_list_import
from .models import ExemptionRequest, Project, Violation
from .musttrade_access import CASE_ROLES, IMPORT_ROLES, exemption_visible, exemptions_visible, violations_visible

router = Router(tags=["must-trade"])

EXEMPTION_READERS = (Role.PURCHASER, Role.AGENCY, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)


class ExemptionIn(Schema):
    department_id: int
    reason: str
    legal_basis: str
    method: str


class DecisionIn(Schema):
    approve: bool
    opinion: str = ""


class ExemptionOut(Schema):
    id: int
    code: str
    project: str
    status: str
    department: str
    legal_basis: str
    requested_at: datetime
    decided_at: datetime | None
    notice_code: str
    trade_date: str | None
    report_due: str | None


class ViolationOut(Schema):
    code: str
    kind: str
    status: str
    project: str | None
    region: str
    evidence: list[int]
    detected_at: datetime
    referred_at: datetime | None


class ListRow(Schema):
    reference: str = ""
    name: str
    owner: str
    owner_credit_code: str = ""
    category: str
    budget: str
    funding_source: str
    region: str


class ListIn(Schema):
    department_id: int | None = None
    rows: list[ListRow]


class ListOut(Schema):
    id: int
    rows: int
    unmatched: int
    entries: list[dict[str, Any]]


def _exemption_out(e: ExemptionRequest) -> dict[str, Any]:
    return {"id": e.pk, "code": e.code, "project": e.project.code, "status": e.status,
            "department": e.department.name, "legal_basis": e.legal_basis, "requested_at": e.requested_at,
            "decided_at": e.decided_at, "notice_code": e.notice_code,
            "trade_date": e.trade_date.isoformat() if e.trade_date else None,
            "report_due": e.report_due_day.isoformat() if e.report_due_day else None}


@router.get("/must-trade/exemptions", response=list[ExemptionOut], auth=django_auth,
            summary="Exemption requests you may see")
def exemption_list(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    user = api_require(request, *EXEMPTION_READERS)
    qs = exemptions_visible(user)
    if status:
        qs = qs.filter(status=status)
    return [_exemption_out(e) for e in qs.order_by("-pk")[:500]]


@router.post("/must-trade/projects/{project_id}/exemptions", response={201: ExemptionOut}, auth=django_auth,
             summary="Ask to trade a must-trade project outside the platform (Idempotency-Key makes retries safe)")
def exemption_create(request: HttpRequest, project_id: int, body: ExemptionIn) -> Status:
    user = api_require(request, Role.PURCHASER, Role.AGENCY)
    project = Project.objects.select_related("region", "centre").filter(pk=project_id).first()
    if project is None or not project_visible(user, project):
        raise NotFound(_("No such project."))
    department = Organisation.objects.filter(pk=body.department_id).first()
    exemption = exemption_services.exemption_request(
        actor=user, project=project, department=department, reason=body.reason, legal_basis=body.legal_basis,
        method=body.method, idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, _exemption_out(exemption))


@router.post("/must-trade/exemptions/{exemption_id}/decide", response=ExemptionOut, auth=django_auth,
             summary="Approve or reject the step the request waits for (reasons required to reject)")
def exemption_decide(request: HttpRequest, exemption_id: int, body: DecisionIn) -> dict[str, Any]:
    user = api_require(request, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE)
    exemption = ExemptionRequest.objects.select_related("project", "department").filter(pk=exemption_id).first()
    if exemption is None or not exemption_visible(user, exemption):
        raise NotFound(_("No such exemption request."))
    return _exemption_out(exemption_services.exemption_decide(actor=user, exemption=exemption,
                                                              approve=body.approve, opinion=body.opinion))


@router.get("/must-trade/violations", response=list[ViolationOut], auth=django_auth,
            summary="Violation records (discipline inspection sees what was referred to it)")
def violation_list(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    user = api_require(request, *CASE_ROLES)
    qs = violations_visible(user)
    if status:
        qs = qs.filter(status=status)
    rows: list[Violation] = list(qs.order_by("-pk")[:500])
    return [{"code": v.code, "kind": v.kind, "status": v.status, "project": v.project.code if v.project else None,
             "region": v.region.code, "evidence": v.evidence, "detected_at": v.detected_at,
             "referred_at": v.referred_at} for v in rows]


@router.post("/must-trade/project-lists", response={201: ListOut},
             auth=[ApiKeyAuth(Scope.PROJECT_LIST_IMPORT), django_auth],
             summary="Import a department's project list; unmatched catalogue projects become suspected violations")
def project_list_create(request: HttpRequest, body: ListIn) -> Status:
    api_key = getattr(request, "api_key", None)
    if api_key is not None:
        actor: Any = "system"
        department = api_key.organisation
    else:
        actor = api_require(request, *IMPORT_ROLES)
        department_id = body.department_id or actor.organisation_id
        department = Organisation.objects.filter(pk=department_id).first()
        if department is None:
            raise ValidationFailed(_("Choose an administrative department."), code="invalid_department",
                                   field="department_id")
    batch = project_list_import(actor=actor, department=department, rows=[r.dict() for r in body.rows],
                                source="api", api_key=api_key)
    entries = [{"line": e.line, "reference": e.reference, "match": e.match,
                "project": e.project.code if e.project else None, "note": e.note}
               for e in batch.entries.select_related("project").order_by("line")]
    return Status(201, {"id": batch.pk, "rows": batch.rows, "unmatched": batch.unmatched, "entries": entries})
