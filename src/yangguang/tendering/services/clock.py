"""Holds and the chronograph's time-driven steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append, event_append_many

from ..access import procedure_holdable
from ..models import (
    Hold,
    Lot,
    Procedure,
    Registration,
)
from ..presets import PRESETS
from ..states import (
    LotStatus,
    ProcedureStatus,
)
from ._common import (
    _lock,
)

# --- holds ------------------------------------------------------------------------------------------------


def procedure_hold(*, actor: Any, procedure: Procedure, reason: str) -> Hold:
    """Pause the time-driven steps (a complaint, an outage): nothing falls due while a hold is open."""
    if not isinstance(actor, str) and not procedure_holdable(actor, procedure):
        raise PermissionDenied(_("Only the centre may put a procedure on hold."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Give the reason for the hold."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock(procedure)
        if locked.status != ProcedureStatus.PUBLISHED:
            raise IllegalTransition(_("Only a procedure open for bidding can be put on hold."))
        hold = Hold.objects.create(procedure=locked, reason=reason.strip(), held_at=db_now(),
                                   held_by=actor if isinstance(actor, str) else f"user:{actor.pk}")
        locked.held, locked.next_check_at = True, None
        locked.save(update_fields=["held", "next_check_at"])
        event_append(action="tendering.procedure.held", actor=actor, obj=locked, payload={"hold": hold.pk})
    return hold


def procedure_release(*, actor: Any, hold: Hold) -> Procedure:
    """Close a hold; when none is left, the steps that fell due meanwhile are applied on the next tick."""
    procedure = hold.procedure
    if not isinstance(actor, str) and not procedure_holdable(actor, procedure):
        raise PermissionDenied(_("Only the centre may release a hold."))
    with transaction.atomic():
        locked = _lock(procedure)
        current = Hold.objects.select_for_update().get(pk=hold.pk)
        if current.released_at is not None:
            raise IllegalTransition(_("This hold is already released."))
        current.released_at = db_now()
        current.save(update_fields=["released_at"])
        if not locked.holds.filter(released_at__isnull=True).exists():
            locked.held = False
            locked.next_check_at = _next_check(locked)
            locked.save(update_fields=["held", "next_check_at"])
        event_append(action="tendering.procedure.released", actor=actor, obj=locked, payload={"hold": hold.pk})
    return locked


# --- the chronograph ---------------------------------------------------------------------------------------


def _next_check(procedure: Procedure) -> dt.datetime | None:
    """Pure function of the state: the earliest effective time of a step not yet applied."""
    if procedure.status != ProcedureStatus.PUBLISHED or procedure.held:
        return None
    pending = [procedure.effective_bid_deadline]
    if procedure.notice_period_closed_at is None:
        pending.append(procedure.effective_notice_until)
    if procedure.documents_closed_at is None:
        pending.append(procedure.effective_documents_until)
    times = [t for t in pending if t is not None]
    return min(times) if times else None


def procedure_check_due(procedure: Procedure, now: dt.datetime) -> None:
    """Chronograph handler for one locked procedure (see :func:`procedures_check_due`)."""
    procedures_check_due([procedure], now)


def procedures_check_due(procedures: list[Procedure], now: dt.datetime) -> None:
    """Apply every due step of the claimed (locked) procedures, in the worker's transaction: notice period
    over, document period over, bid deadline reached → each lot ready for opening or failed for too few
    registrations (G-023 / P-019 / P-050). One event per procedure lists the steps applied. Idempotent: a
    step is applied once, marked by its timestamp or the status, so catching up after downtime is the same
    call."""
    due_deadline = [p.pk for p in procedures if p.status == ProcedureStatus.PUBLISHED and not p.held
                    and p.effective_bid_deadline is not None and p.effective_bid_deadline <= now]
    counts: dict[int, int] = {}
    lots_by_procedure: dict[int, list[Lot]] = {}
    if due_deadline:
        counts = dict(Registration.objects.filter(lot__procedure_id__in=due_deadline).values("lot_id")
                      .annotate(n=Count("id")).values_list("lot_id", "n"))
        for lot in Lot.objects.filter(procedure_id__in=due_deadline).order_by("procedure_id", "number"):
            lots_by_procedure.setdefault(lot.procedure_id, []).append(lot)
    minimum: dict[str, int] = {}
    changed_lots: list[Lot] = []
    changed: list[Procedure] = []
    events: list[dict[str, Any]] = []
    due = set(due_deadline)
    for procedure in procedures:
        steps: list[str] = []
        lot_states: dict[int, str] = {}
        if procedure.status == ProcedureStatus.PUBLISHED and not procedure.held:
            if procedure.notice_period_closed_at is None and procedure.effective_notice_until and \
                    procedure.effective_notice_until <= now:
                procedure.notice_period_closed_at = now
                steps.append("notice_period_over")
            if procedure.documents_closed_at is None and procedure.effective_documents_until and \
                    procedure.effective_documents_until <= now:
                procedure.documents_closed_at = now
                steps.append("documents_closed")
            if procedure.pk in due:
                if procedure.method not in minimum:
                    rule = PRESETS[procedure.method].min_bidders
                    minimum[procedure.method] = rule.n() if rule is not None else 1
                ready = 0
                for lot in lots_by_procedure.get(procedure.pk, []):
                    lot.status = (LotStatus.READY_FOR_OPENING if counts.get(lot.pk, 0) >= minimum[procedure.method]
                                  else LotStatus.FAILED)
                    ready += lot.status == LotStatus.READY_FOR_OPENING
                    lot_states[lot.number] = lot.status
                    changed_lots.append(lot)
                procedure.status = ProcedureStatus.READY_FOR_OPENING if ready else ProcedureStatus.FAILED
                procedure.bidding_closed_at = now
                if not ready:
                    procedure.failure_ground = _("Fewer than %(n)s bidders registered for every lot.") % {
                        "n": minimum[procedure.method]}
                steps.append("bidding_closed")
        procedure.next_check_at = _next_check(procedure)
        changed.append(procedure)
        if steps:
            payload: dict[str, Any] = {"steps": steps, "status": procedure.status}
            if "bidding_closed" in steps:
                payload["lots"] = {str(n): s for n, s in lot_states.items()}
            events.append({"action": "tendering.procedure.time_steps", "actor": "worker", "obj": procedure,
                           "payload": payload})
    # One round trip for the whole batch's events (same entries and chain as one append each).
    event_append_many(events)
    # One UPDATE per distinct set of new values (in a batch claimed together most rows share them), not
    # Django's bulk_update, whose CASE expressions cost more to build than the whole rest of the step.
    _update_grouped(Lot, changed_lots, ["status"])
    _update_grouped(Procedure, changed, ["status", "notice_period_closed_at", "documents_closed_at",
                                         "bidding_closed_at", "failure_ground", "next_check_at"])


def _update_grouped(model: Any, objects: Sequence[Any], fields: list[str]) -> None:
    groups: dict[tuple, list[int]] = {}
    for obj in objects:
        groups.setdefault(tuple(getattr(obj, f) for f in fields), []).append(obj.pk)
    for values, ids in groups.items():
        model.objects.filter(pk__in=ids).update(**dict(zip(fields, values, strict=True)))
