"""Anomalies in a reported trade result, and the investigation case (调查) each one opens for the committee
office: assignees, findings, outcome. An outcome of "violation" records a violation referred to discipline
inspection, with the case's events as evidence.

Checks on a post-trade report (thresholds documented here, constants below):

- **price far above the budget**: the total contract price exceeds the project budget by more than 10 %
  (:data:`PRICE_TOLERANCE`). The catalogue carries thresholds, not reference prices, so there is no
  catalogue-reference check yet;
- **blacklisted supplier**: a contract's supplier (by unified social credit code, else by exact name) is on
  the supplier pool's blacklist at the time of the report;
- **split just under the threshold**: two or more contracts, each below the catalogue item's threshold,
  that together reach it (化整为零).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role, visible_region_ids
from yangguang.accounts.models import User
from yangguang.accounts.states import Role
from yangguang.core import dbclock
from yangguang.core.codes import code_next
from yangguang.core.deadlines import local_date
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from .models import Investigation, Project, TradeReport
from .musttrade_states import INVESTIGATION_MOVES, AnomalyKind, InvestigationOutcome, ViolationKind

PRICE_TOLERANCE = Decimal("0.10")
ASSIGNABLE_ROLES = (Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION, Role.AUDIT)


def _blacklisted(supplier: str, credit_code: str) -> bool:
    from yangguang.suppliers.models import BlacklistEntry
    from yangguang.suppliers.states import CreditStatus

    now = dbclock.db_now()
    match = Q(supplier__organisation__credit_code=credit_code) if credit_code else Q(
        supplier__organisation__name=supplier)
    active = BlacklistEntry.objects.filter(match, starts_at__lte=now, ends_at__gt=now, lifted_at__isnull=True)
    if active.exists():
        return True
    from yangguang.suppliers.models import SupplierProfile

    profile_match = Q(organisation__credit_code=credit_code) if credit_code else Q(organisation__name=supplier)
    return SupplierProfile.objects.filter(profile_match, credit_status=CreditStatus.BLACKLISTED).exists()


def anomalies_find(project: Project, contracts: list[dict[str, str]], total: Decimal) -> list[dict[str, str]]:
    """What looks abnormal in a reported result: a list of {kind, detail} (empty when nothing does)."""
    found: list[dict[str, str]] = []
    if project.budget and total > project.budget * (1 + PRICE_TOLERANCE):
        over = (total / project.budget - 1) * 100
        found.append({"kind": AnomalyKind.PRICE_ABOVE_BUDGET,
                      "detail": f"{total:.2f} / {project.budget:.2f} (+{over:.1f}%)"})
    for contract in contracts:
        if _blacklisted(contract["supplier"], contract.get("credit_code", "")):
            found.append({"kind": AnomalyKind.BLACKLISTED_SUPPLIER,
                          "detail": contract.get("credit_code") or contract["supplier"]})
    threshold = project.catalogue_item.threshold
    amounts = [Decimal(c["amount"]) for c in contracts]
    if threshold and len(amounts) >= 2 and all(a < threshold for a in amounts) and sum(amounts) >= threshold:
        found.append({"kind": AnomalyKind.SPLIT_UNDER_THRESHOLD,
                      "detail": f"{len(amounts)} × < {threshold:.2f}, Σ {sum(amounts):.2f}"})
    return [{"kind": str(a["kind"]), "detail": a["detail"]} for a in found]


def investigation_open(*, project: Project, report: TradeReport | None, anomalies: list[dict[str, str]],
                       actor: Any = "system") -> Investigation:
    """Open a case inside the caller's transaction."""
    now = dbclock.db_now()
    code = code_next(f"DC-{project.region.code}-{local_date(now).year}", width=4)
    case = Investigation.objects.create(code=code, project=project, report=report, anomalies=anomalies,
                                        opened_at=now)
    event_append(action="projects.investigation.opened", actor=actor, obj=case, payload={
        "code": code, "project": project.code, "kinds": [a["kind"] for a in anomalies]})
    return case


def _committee(actor: Any, case: Investigation) -> None:
    if not has_role(actor, Role.COMMITTEE_OFFICE):
        raise PermissionDenied(_("Only the committee office may do this."))
    regions = visible_region_ids(actor)
    if regions is not None and case.project.region_id not in regions:
        raise PermissionDenied(_("This record is outside your region."))


def investigation_assign(*, actor: Any, case: Investigation, assignees: list[User]) -> Investigation:
    _committee(actor, case)
    INVESTIGATION_MOVES.target("assign", case.status)
    if not assignees:
        raise ValidationFailed(_("Choose at least one assignee."), code="required", field="assignees")
    if any(not has_role(user, *ASSIGNABLE_ROLES) for user in assignees):
        raise ValidationFailed(_("Assignees come from the committee office, discipline inspection or audit."),
                               code="invalid_assignee", field="assignees")
    with transaction.atomic():
        locked = Investigation.objects.select_for_update().get(pk=case.pk)
        locked.status = INVESTIGATION_MOVES.target("assign", locked.status)
        locked.save(update_fields=["status"])
        locked.assignees.set(assignees)
        event_append(action="projects.investigation.assigned", actor=actor, obj=locked,
                     payload={"code": locked.code, "assignees": sorted(u.pk for u in assignees)})
    return locked


def investigation_may_record(user: Any, case: Investigation) -> bool:
    if has_role(user, Role.COMMITTEE_OFFICE):
        return True
    pk = getattr(user, "pk", None)
    return pk is not None and case.assignees.filter(pk=pk).exists()


def investigation_findings(*, actor: Any, case: Investigation, findings: str) -> Investigation:
    """The committee office or an assignee records the findings so far (the text stays in the case)."""
    if not investigation_may_record(actor, case):
        raise PermissionDenied(_("Only the committee office and the case's assignees may record findings."))
    INVESTIGATION_MOVES.target("record_findings", case.status)
    if not (findings or "").strip():
        raise ValidationFailed(_("Write the findings."), code="required", field="findings")
    with transaction.atomic():
        locked = Investigation.objects.select_for_update().get(pk=case.pk)
        INVESTIGATION_MOVES.target("record_findings", locked.status)
        locked.findings = findings.strip()
        locked.save(update_fields=["findings"])
        event_append(action="projects.investigation.findings_recorded", actor=actor, obj=locked,
                     payload={"code": locked.code})
    return locked


def investigation_close(*, actor: Any, case: Investigation, outcome: str) -> Investigation:
    from .violations import evidence_of, violation_record

    _committee(actor, case)
    INVESTIGATION_MOVES.target("close", case.status)
    if outcome not in InvestigationOutcome.values:
        raise ValidationFailed(_("Choose the outcome."), code="required", field="outcome")
    if not case.findings.strip():
        raise ValidationFailed(_("Record the findings before closing the case."), code="findings_missing",
                               field="findings")
    with transaction.atomic():
        locked = Investigation.objects.select_for_update().select_related("project", "project__region").get(
            pk=case.pk)
        locked.status = INVESTIGATION_MOVES.target("close", locked.status)
        locked.outcome = outcome
        locked.closed_at = dbclock.db_now()
        locked.closed_by = actor
        locked.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
        event = event_append(action="projects.investigation.closed", actor=actor, obj=locked,
                             payload={"code": locked.code, "outcome": outcome})
        if outcome == InvestigationOutcome.VIOLATION:
            evidence = [*evidence_of(locked), event.seq]
            if locked.report_id:
                evidence += evidence_of(locked.report)
            violation_record(actor=actor, kind=ViolationKind.INVESTIGATION, region=locked.project.region,
                             project=locked.project, investigation=locked, evidence=evidence,
                             summary=_("Investigation %(code)s confirmed: %(kinds)s.")
                             % {"code": locked.code, "kinds": "; ".join(locked.anomaly_labels())})
    return locked
