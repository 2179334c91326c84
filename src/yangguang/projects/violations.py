"""Violations and accountability (责任追究): each record names what went wrong and its evidence — the
sequence numbers of events in the public log, which anyone can verify — and is referred to discipline
inspection, who see it in their workbench and record the outcome.

Certain violations (a report found overdue by the worker, an investigation that confirmed an irregularity)
are referred at once; suspected ones (a catalogue project in a department's list that never reached the
platform) wait for the committee office to refer or dismiss them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role, visible_region_ids
from yangguang.accounts.models import Region
from yangguang.accounts.states import Role
from yangguang.core import dbclock
from yangguang.core.codes import code_next
from yangguang.core.deadlines import local_date
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.models import Event

from .models import ExemptionRequest, Investigation, Project, ProjectListEntry, Violation
from .musttrade_states import VIOLATION_MOVES, ViolationKind, ViolationStatus


def evidence_of(obj: Any) -> list[int]:
    """Sequence numbers of every event about ``obj`` so far (its history in the public log)."""
    return list(Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .order_by("seq").values_list("seq", flat=True))


def violation_record(*, actor: Any, kind: str, region: Region, summary: str, evidence: list[int],
                     project: Project | None = None, exemption: ExemptionRequest | None = None,
                     investigation: Investigation | None = None, entry: ProjectListEntry | None = None,
                     referred: bool = True) -> Violation:
    """Record a violation inside the caller's transaction. The same exemption and kind is one record: a
    second call adds the new evidence to it."""
    if kind not in ViolationKind.values:
        raise ValidationFailed(_("Unknown kind of violation."), code="invalid_kind", field="kind")
    if exemption is not None:
        existing = Violation.objects.select_for_update().filter(exemption=exemption, kind=kind).first()
        if existing is not None:
            added = [seq for seq in evidence if seq not in existing.evidence]
            if added:
                existing.evidence = sorted([*existing.evidence, *added])
                existing.save(update_fields=["evidence"])
                event_append(action="projects.violation.evidence_added", actor=actor, obj=existing,
                             payload={"code": existing.code, "evidence": added})
            return existing
    now = dbclock.db_now()
    code = code_next(f"WG-{region.code}-{local_date(now).year}", width=4)
    try:
        with transaction.atomic():
            violation = Violation.objects.create(
                code=code, kind=kind, status=ViolationStatus.REFERRED if referred else ViolationStatus.SUSPECTED,
                project=project, exemption=exemption, investigation=investigation, entry=entry, region=region,
                summary=summary, evidence=sorted(set(evidence)), detected_at=now, referred_at=now if referred else None)
    except IntegrityError:  # a concurrent worker recorded it first
        return violation_record(actor=actor, kind=kind, region=region, summary=summary, evidence=evidence,
                                project=project, exemption=exemption, investigation=investigation, entry=entry,
                                referred=referred)
    event_append(action="projects.violation.recorded", actor=actor, obj=violation, payload={
        "code": violation.code, "kind": kind, "status": violation.status,
        "project": project.code if project else None, "evidence": violation.evidence})
    return violation


def _committee_of(actor: Any, violation: Violation) -> None:
    if not has_role(actor, Role.COMMITTEE_OFFICE, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only the committee office may do this."))
    regions = visible_region_ids(actor)
    if regions is not None and violation.region_id not in regions:
        raise PermissionDenied(_("This record is outside your region."))


def _step(*, actor: Any, violation: Violation, step: str, action: str, outcome: str = "") -> Violation:
    with transaction.atomic():
        locked = Violation.objects.select_for_update().get(pk=violation.pk)
        locked.status = VIOLATION_MOVES.target(step, locked.status)
        now = dbclock.db_now()
        fields = ["status"]
        if step == "refer":
            locked.referred_at, locked.referred_by = now, actor
            fields += ["referred_at", "referred_by"]
        else:
            locked.outcome, locked.closed_at, locked.closed_by = outcome, now, actor
            fields += ["outcome", "closed_at", "closed_by"]
        locked.save(update_fields=fields)
        # The outcome text may name people: it stays in the record, not in the public log.
        event_append(action=action, actor=actor, obj=locked, payload={"code": locked.code, "status": locked.status})
    return locked


def violation_refer(*, actor: Any, violation: Violation) -> Violation:
    _committee_of(actor, violation)
    VIOLATION_MOVES.target("refer", violation.status)
    return _step(actor=actor, violation=violation, step="refer", action="projects.violation.referred")


def violation_dismiss(*, actor: Any, violation: Violation, reason: str) -> Violation:
    _committee_of(actor, violation)
    VIOLATION_MOVES.target("dismiss", violation.status)
    if not (reason or "").strip():
        raise ValidationFailed(_("Give the reason for dismissing the record."), code="reason_required",
                               field="outcome")
    return _step(actor=actor, violation=violation, step="dismiss", action="projects.violation.dismissed",
                 outcome=reason.strip())


def violation_close(*, actor: Any, violation: Violation, outcome: str) -> Violation:
    """Discipline inspection records what it did with a referral (问责结果)."""
    if not has_role(actor, Role.DISCIPLINE_INSPECTION):
        raise PermissionDenied(_("Only discipline inspection may close a referral."))
    regions = visible_region_ids(actor)
    if regions is not None and violation.region_id not in regions:
        raise PermissionDenied(_("This record is outside your region."))
    VIOLATION_MOVES.target("close", violation.status)
    if not (outcome or "").strip():
        raise ValidationFailed(_("Record the outcome of the accountability procedure."), code="required",
                               field="outcome")
    return _step(actor=actor, violation=violation, step="close", action="projects.violation.closed",
                 outcome=outcome.strip())


def evidence_events(violation: Violation) -> list[Event]:
    return list(Event.objects.filter(seq__in=violation.evidence).order_by("seq"))
