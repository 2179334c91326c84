"""Exemption requests (不进场交易审批, 一事一审一批): an accepted must-trade project's owner asks to trade
outside the platform, with the legal basis and documents; three approvals in order — the competent
department's section review, the department leader's approval (another person than the section reviewer),
the committee office's approval. Any step may reject with reasons. Approved → an exemption ID
(``BJC-<region>-<year>-<n>``), published on the portal by the project's centre as an exemption publicity.

After approval the owner records the trade date; from it the post-trade report is due (rule Y-001, see
:mod:`.reports`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation, Region
from yangguang.accounts.states import OrganisationKind
from yangguang.core import dbclock
from yangguang.core.codes import code_next
from yangguang.core.deadlines import local_date
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store

from .access import project_manageable
from .models import ExemptionDecision, ExemptionDocument, ExemptionRequest, Project
from .musttrade_access import exemption_decidable, exemption_publishable
from .musttrade_states import (
    APPROVE_STEP,
    EXEMPTION_MOVES,
    OPEN_EXEMPTION_STATUSES,
    STEP_OF_STATUS,
    ApprovalStep,
    ExemptionStatus,
    Outcome,
)
from .states import ProjectStatus

EVENT_OF_STEP = {
    ApprovalStep.SECTION_REVIEW: "projects.exemption.section_approved",
    ApprovalStep.LEADER_APPROVAL: "projects.exemption.leader_approved",
    ApprovalStep.COMMITTEE_APPROVAL: "projects.exemption.approved",
}


def departments_for(project: Project) -> QuerySet[Organisation]:
    """Administrative departments that may be the project's competent department: those of its region and
    of the regions above it (a county project may answer to a city bureau)."""
    region_ids = []
    current: Region | None = project.region
    while current is not None:
        region_ids.append(current.pk)
        current = current.parent
    return Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, region_id__in=region_ids).order_by("name")


def _lock(exemption: ExemptionRequest) -> ExemptionRequest:
    return (ExemptionRequest.objects.select_for_update()
            .select_related("project", "project__region", "project__centre", "project__centre__region")
            .get(pk=exemption.pk))


def exemption_request(*, actor: Any, project: Project, department: Organisation | None, reason: str,
                      legal_basis: str, method: str, idempotency_key: str = "") -> ExemptionRequest:
    """The owner (or its agency) asks to trade an accepted must-trade project outside the platform."""
    from .funding import trade_status

    if not project_manageable(actor, project):
        raise PermissionDenied(_("Only the project's purchaser and agency may do this."))
    key = (idempotency_key or "").strip()[:80]
    if key:
        existing = ExemptionRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    if project.status != ProjectStatus.ACCEPTED or not project.must_trade:
        raise IllegalTransition(_("Only a project that the centre accepted as must-trade needs an exemption."))
    required = {"reason": (reason, _("Give the reason for trading outside the platform.")),
                "legal_basis": (legal_basis, _("Give the legal basis.")),
                "method": (method, _("Say how the project will be traded."))}
    for field, (value, message) in required.items():
        if not (value or "").strip():
            raise ValidationFailed(message, code="required", field=field)
    if department is None or not departments_for(project).filter(pk=department.pk).exists():
        raise ValidationFailed(_("Choose the project's competent department."), code="invalid_department",
                               field="department")
    if trade_status(project).state == "traded":
        raise IllegalTransition(_("The project has already been traded on the platform."))
    try:
        with transaction.atomic():
            locked = Project.objects.select_for_update().get(pk=project.pk)
            exemption = ExemptionRequest.objects.create(
                project=locked, department=department, reason=reason.strip(), legal_basis=legal_basis.strip()[:300],
                method=method.strip()[:200], requested_by=actor, requested_at=dbclock.db_now(), idempotency_key=key)
            event_append(action="projects.exemption.requested", actor=actor, obj=exemption,
                         payload={"project": locked.code, "department": department.pk})
    except IntegrityError:
        if key:
            existing = ExemptionRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
            if existing is not None:
                return existing
        raise IllegalTransition(_("The project already has an exemption request under way or approved.")) from None
    return exemption


def exemption_document_attach(*, actor: Any, exemption: ExemptionRequest, title: str, upload: File,
                              expected_sha256: str | None = None) -> ExemptionDocument:
    if not project_manageable(actor, exemption.project):
        raise PermissionDenied(_("Only the project's purchaser and agency may do this."))
    if exemption.status not in OPEN_EXEMPTION_STATUSES:
        raise IllegalTransition(_("Documents can be added only while the request is being approved."))
    title = (title or "").strip() or getattr(upload, "name", "") or ""
    if not title:
        raise ValidationFailed(_("Enter the document title."), code="required", field="title")
    stored = file_store(upload, expected_sha256=expected_sha256, folder="exemptions")
    with transaction.atomic():
        locked = _lock(exemption)
        if locked.status not in OPEN_EXEMPTION_STATUSES:
            raise IllegalTransition(_("Documents can be added only while the request is being approved."))
        document = ExemptionDocument.objects.create(request=locked, title=title[:200], path=stored.path,
                                                    sha256=stored.sha256, size=stored.size, uploaded_by=actor)
        event_append(action="projects.exemption.document_attached", actor=actor, obj=locked,
                     payload={"document": document.pk, "sha256": stored.sha256, "size": stored.size})
    return document


def exemption_decide(*, actor: Any, exemption: ExemptionRequest, approve: bool, opinion: str = ""
                     ) -> ExemptionRequest:
    """The step the request waits for: approve (on to the next step; the last one gives the exemption ID) or
    reject with reasons (the request ends; the owner may file a new one)."""
    step = STEP_OF_STATUS.get(ExemptionStatus(exemption.status)) if exemption.status in ExemptionStatus.values \
        else None
    if step is None:
        raise IllegalTransition(_("This request is no longer waiting for an approval."))
    if not exemption_decidable(actor, exemption, step):
        raise PermissionDenied(_("This approval step is not yours to take."))
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationFailed(_("Give the reasons for the rejection."), code="reason_required", field="opinion")
    with transaction.atomic():
        locked = _lock(exemption)
        if STEP_OF_STATUS.get(ExemptionStatus(locked.status)) != step:
            raise IllegalTransition(_("Someone else has just decided this step; reload the page."))
        if step == ApprovalStep.LEADER_APPROVAL:
            section = locked.decisions.filter(step=ApprovalStep.SECTION_REVIEW, outcome=Outcome.APPROVED).last()
            if section is not None and section.decided_by_id == actor.pk:
                raise PermissionDenied(
                    _("The leader's approval must come from another person than the section review."))
        now = dbclock.db_now()
        ExemptionDecision.objects.create(request=locked, step=step, outcome=Outcome.APPROVED if approve
                                         else Outcome.REJECTED, opinion=opinion, decided_by=actor, decided_at=now)
        payload: dict[str, Any] = {"step": str(step), "project": locked.project.code}
        if approve:
            locked.status = EXEMPTION_MOVES.target(APPROVE_STEP[step], locked.status)
            action = EVENT_OF_STEP[step]
            if locked.status == ExemptionStatus.APPROVED:
                year = local_date(now).year
                locked.code = code_next(f"BJC-{locked.project.region.code}-{year}", width=4)
                locked.decided_at = now
                payload["code"] = locked.code
        else:
            locked.status = EXEMPTION_MOVES.target("reject", locked.status)
            locked.decided_at = now
            action = "projects.exemption.rejected"
        locked.save(update_fields=["status", "code", "decided_at"])
        event_append(action=action, actor=actor, obj=locked, payload=payload)
    return locked


def exemption_publish(*, actor: Any, exemption: ExemptionRequest) -> ExemptionRequest:
    """Publish the approved exemption on the portal (exemption publicity, notices registry type
    ``exemption_publicity``), by the centre that handles the project."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType

    if not exemption_publishable(actor, exemption):
        raise PermissionDenied(_("Only staff of the project's trading centre may publish the exemption."))
    if exemption.notice_pk:
        raise IllegalTransition(_("The exemption is already published."))
    project = exemption.project
    committee = exemption.decisions.filter(step=ApprovalStep.COMMITTEE_APPROVAL).select_related(
        "decided_by__organisation").last()
    approver = committee.decided_by.organisation if committee and committee.decided_by.organisation_id else None
    with transaction.atomic():
        locked = _lock(exemption)
        if locked.notice_pk:
            raise IllegalTransition(_("The exemption is already published."))
        notice = notice_publish(
            actor=actor, notice_type=NoticeType.EXEMPTION_PUBLICITY, region=project.centre.region,
            title=_("Exemption from trading on the platform: %(name)s") % {"name": project.name},
            fields={
                "project_name_code": f"{project.name} ({project.code})",
                "reason": f"{locked.reason}\n{_('Legal basis')}: {locked.legal_basis}\n{_('Method')}: {locked.method}",
                "approval": f"{approver or _('Committee office')}, {locked.code}",
            },
            project=project, owner=f"projects.exemption:{locked.pk}")
        locked.notice_pk = notice.pk
        locked.notice_code = notice.code
        locked.published_at = notice.published_at
        locked.save(update_fields=["notice_pk", "notice_code", "published_at"])
        event_append(action="projects.exemption.published", actor=actor, obj=locked,
                     payload={"code": locked.code, "notice": notice.code})
    return locked


def exemption_trade_record(*, actor: Any, exemption: ExemptionRequest, trade_date: dt.date) -> ExemptionRequest:
    """The owner records the date the trade outside the platform was concluded (contract signed); the
    post-trade report is due from it."""
    from .reports import next_check, report_deadline

    if not project_manageable(actor, exemption.project):
        raise PermissionDenied(_("Only the project's purchaser and agency may do this."))
    if exemption.status != ExemptionStatus.APPROVED:
        raise IllegalTransition(_("Only an approved exemption can be traded."))
    today = local_date(dbclock.db_now())
    if not isinstance(trade_date, dt.date):
        raise ValidationFailed(_("Enter the trade date."), code="required", field="trade_date")
    if trade_date > today:
        raise ValidationFailed(_("The trade date cannot be in the future."), code="future_date", field="trade_date")
    if exemption.decided_at and trade_date < local_date(exemption.decided_at):
        raise ValidationFailed(_("The trade cannot have been concluded before the exemption was approved."),
                               code="before_approval", field="trade_date")
    with transaction.atomic():
        locked = _lock(exemption)
        if locked.trade_date is not None:
            raise IllegalTransition(_("The trade date is already recorded."))
        due = report_deadline(trade_date)
        locked.trade_date = trade_date
        locked.report_due_at = due.at
        locked.report_due_day = due.last_day
        locked.next_check_at = next_check(locked)
        locked.save(update_fields=["trade_date", "report_due_at", "report_due_day", "next_check_at"])
        event_append(action="projects.exemption.trade_recorded", actor=actor, obj=locked,
                     payload={"code": locked.code, "trade_date": trade_date.isoformat(),
                              "report_due": due.last_day.isoformat()})
    return locked


def exemption_live(project: Project) -> ExemptionRequest | None:
    """The project's open or approved request (at most one, by constraint)."""
    return (ExemptionRequest.objects.filter(project=project, status__in=[*OPEN_EXEMPTION_STATUSES,
                                                                        ExemptionStatus.APPROVED])
            .order_by("-pk").first())
