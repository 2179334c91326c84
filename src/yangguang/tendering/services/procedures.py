"""Building, publishing, failing, terminating and re-tendering a procedure."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation
from yangguang.core.codes import code_next
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import days_between, local_date
from yangguang.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store
from yangguang.notices.services import notice_publish
from yangguang.notices.states import NoticeType
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus
from yangguang.rules.services import RuleFinding, rule_check
from yangguang.suppliers.selectors import supplier_eligible

from ..access import procedure_manageable
from ..hooks import run_on_publish, run_publish_checks
from ..models import (
    Invitation,
    Lot,
    Procedure,
    TenderDocument,
)
from ..presets import EvaluationMethod, MethodPreset, preset_get
from ..states import (
    PROCEDURE_MOVES,
    RETENDER_FROM,
    STEP_CHANGE,
    STEP_PUBLISH,
    STEP_TERMINATE,
    ProcedureStatus,
)
from ..timeline import compress, sandbox_on, timeline_compute
from ._common import (
    MAX_CRITERIA,
    MAX_LOTS,
    _decimal,
    _lock,
    _money,
    _optional_decimal,
    _require_manager,
    _when,
)
from .clock import _next_check

# --- building a procedure ---------------------------------------------------------------------------------


@dataclass
class LotData:
    name: str
    budget: Any
    ceiling_price: Any = None
    bid_security: Any = 0


@dataclass
class ProcedureData:
    title: str
    method: str
    qualification_requirements: str
    evaluation_method: str
    lots: list[LotData]
    evaluation_criteria: list[dict[str, Any]] = field(default_factory=list)
    document_days: int | None = None
    bid_days: int | None = None
    description: str = ""
    place: str = ""
    accepts_consortium: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _criteria_clean(method: str, criteria: Any) -> list[dict[str, Any]]:
    if not isinstance(criteria, list) or len(criteria) > MAX_CRITERIA:
        raise ValidationFailed(_("The criteria must be a list of at most 40 items."), code="invalid_criteria",
                               field="evaluation_criteria")
    cleaned: list[dict[str, Any]] = []
    total = Decimal(0)
    for item in criteria:
        if not isinstance(item, dict) or not str(item.get("name", "")).strip():
            raise ValidationFailed(_("Every criterion needs a name."), code="invalid_criteria",
                                   field="evaluation_criteria")
        try:
            weight = Decimal(str(item.get("weight", "0")))
        except InvalidOperation:
            weight = Decimal(-1)
        if weight < 0 or weight > 100:
            raise ValidationFailed(_("A criterion's weight is between 0 and 100 points."), code="invalid_criteria",
                                   field="evaluation_criteria")
        kind = str(item.get("kind", "technical"))
        if kind not in ("price", "technical", "commercial", "pass_fail"):
            raise ValidationFailed(_("A criterion's kind is price, technical, commercial or pass_fail."),
                                   code="invalid_criteria", field="evaluation_criteria")
        total += weight
        entry: dict[str, Any] = {"name": str(item["name"]).strip()[:100], "weight": str(weight), "kind": kind}
        if str(item.get("code", "")).strip():
            entry["code"] = str(item["code"]).strip()[:40]
        if isinstance(item.get("objective"), dict):
            entry["objective"] = item["objective"]
        cleaned.append(entry)
    if method in EvaluationMethod.WEIGHTED and total != 100:
        raise ValidationFailed(_("The weights of a scoring method add up to 100 points (now %(total)s).")
                               % {"total": total}, code="weights_total", field="evaluation_criteria")
    return cleaned


def _validate(data: ProcedureData, project: Project) -> tuple[MethodPreset, list[dict[str, Any]]]:
    preset = preset_get(data.method)
    if not (data.title or "").strip():
        raise ValidationFailed(_("Enter the procedure title."), code="required", field="title")
    if project.category != preset.category:
        raise ValidationFailed(_("This method is not available for a project of this category."),
                               code="method_category", field="method")
    if data.evaluation_method not in preset.evaluation_methods:
        raise ValidationFailed(_("This evaluation method is not allowed for the chosen procedure method."),
                               code="invalid_evaluation_method", field="evaluation_method")
    if not (data.qualification_requirements or "").strip():
        raise ValidationFailed(_("State the qualification requirements."), code="required",
                               field="qualification_requirements")
    if not data.lots or len(data.lots) > MAX_LOTS:
        raise ValidationFailed(_("A procedure has between 1 and 50 lots."), code="invalid_lots", field="lots")
    for days_name in ("document_days", "bid_days"):
        days = getattr(data, days_name)
        if days is not None and not 1 <= int(days) <= 365:
            raise ValidationFailed(_("A period is between 1 and 365 days."), code="invalid_period", field=days_name)
    return preset, _criteria_clean(data.evaluation_method, data.evaluation_criteria)


def procedure_create(*, actor: Any, project: Project, data: ProcedureData, idempotency_key: str = "",
                     retender_of: Procedure | None = None) -> Procedure:
    """A draft procedure with its lots on an accepted project; by the purchaser or its agency."""
    key = (idempotency_key or "").strip()[:80]
    if key and getattr(actor, "pk", None):
        existing = Procedure.objects.filter(created_by=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationFailed(_("A procedure can be built only on a project the centre has accepted."),
                               code="project_not_accepted", field="project")
    probe = Procedure(project=project, method=data.method)
    if not procedure_manageable(actor, probe):
        raise PermissionDenied(_("Only the purchaser and its agency may build procedures for this project."))
    _preset, criteria = _validate(data, project)
    lots = []
    for number, lot in enumerate(data.lots, start=1):
        if not (lot.name or "").strip():
            raise ValidationFailed(_("Every lot needs a name."), code="required", field="lots")
        budget = _decimal(lot.budget, "lots")
        if not budget:
            raise ValidationFailed(_("Every lot needs a budget."), code="required", field="lots")
        lots.append(Lot(number=number, name=lot.name.strip()[:200], budget=budget,
                        ceiling_price=_optional_decimal(lot.ceiling_price, "lots"),
                        bid_security=_decimal(lot.bid_security or 0, "lots")))
    with transaction.atomic():
        procedure = Procedure.objects.create(
            project=project, title=data.title.strip()[:200], method=data.method,
            qualification_requirements=data.qualification_requirements.strip(),
            evaluation_method=data.evaluation_method, evaluation_criteria=criteria,
            document_days=data.document_days, bid_days=data.bid_days, description=(data.description or "").strip(),
            place=(data.place or "").strip()[:200], accepts_consortium=bool(data.accepts_consortium),
            extra={k: str(v).strip()[:2000] for k, v in (data.extra or {}).items() if str(v).strip()},
            created_by=actor if getattr(actor, "pk", None) else None, idempotency_key=key, retender_of=retender_of)
        for new_lot in lots:
            new_lot.procedure = procedure
        Lot.objects.bulk_create(lots)
        event_append(action="tendering.procedure.created", actor=actor, obj=procedure,
                     payload={"project": project.pk, "method": data.method, "lots": len(lots),
                              "retender_of": retender_of.pk if retender_of else None})
    return procedure


def procedure_update(*, actor: Any, procedure: Procedure, data: ProcedureData) -> Procedure:
    """Change a draft: its texts, method, periods, criteria and lots (the lots are replaced)."""
    _require_manager(actor, procedure)
    _preset, criteria = _validate(data, procedure.project)
    with transaction.atomic():
        locked = _lock(procedure)
        PROCEDURE_MOVES.target(STEP_CHANGE, locked.status)
        for name in ("method", "evaluation_method", "document_days", "bid_days", "accepts_consortium"):
            setattr(locked, name, getattr(data, name))
        locked.title = data.title.strip()[:200]
        locked.qualification_requirements = data.qualification_requirements.strip()
        locked.description = (data.description or "").strip()
        locked.place = (data.place or "").strip()[:200]
        locked.evaluation_criteria = criteria
        locked.extra = {k: str(v).strip()[:2000] for k, v in (data.extra or {}).items() if str(v).strip()}
        locked.save()
        locked.lots.all().delete()
        Lot.objects.bulk_create([
            Lot(procedure=locked, number=n, name=lot.name.strip()[:200], budget=_decimal(lot.budget, "lots"),
                ceiling_price=_optional_decimal(lot.ceiling_price, "lots"),
                bid_security=_decimal(lot.bid_security or 0, "lots"))
            for n, lot in enumerate(data.lots, start=1)])
        event_append(action="tendering.procedure.changed", actor=actor, obj=locked,
                     payload={"method": locked.method, "lots": len(data.lots)})
    return locked


def document_upload(*, actor: Any, procedure: Procedure, upload: Any, expected_sha256: str | None = None
                    ) -> TenderDocument:
    """A new version of the tender documents on a draft. After publishing, a new version comes only with a
    clarification (:func:`clarification_publish`), so every bidder is told."""
    _require_manager(actor, procedure)
    if procedure.status != ProcedureStatus.DRAFT:
        raise IllegalTransition(_("After publishing, the documents change only through an amendment."))
    with transaction.atomic():
        locked = _lock(procedure)
        document = _document_add(actor, locked, upload, expected_sha256)
    return document


def _document_add(actor: Any, procedure: Procedure, upload: Any, expected_sha256: str | None) -> TenderDocument:
    stored = file_store(upload, expected_sha256=expected_sha256, folder="tendering")
    version = (procedure.documents.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    name = os.path.basename(getattr(upload, "name", "") or "") or f"documents-v{version}"
    document = TenderDocument.objects.create(procedure=procedure, version=version, name=name[:200],
                                             path=stored.path, sha256=stored.sha256, size=stored.size,
                                             uploaded_by=actor if getattr(actor, "pk", None) else None)
    event_append(action="tendering.document.added", actor=actor, obj=procedure,
                 payload={"version": version, "sha256": stored.sha256, "size": stored.size})
    return document


def invitations_set(*, actor: Any, procedure: Procedure, organisations: Sequence[Organisation]) -> list[Invitation]:
    """The suppliers invited to a restricted tender, negotiation, consultation, RFQ or single source."""
    _require_manager(actor, procedure)
    if not procedure.preset.strategy.invitations:
        raise ValidationFailed(_("This method takes no invitations: anyone may register after the notice."),
                               code="no_invitations", field="organisations")
    for organisation in organisations:
        eligible, reason = supplier_eligible(organisation)
        if not eligible:
            raise ValidationFailed(_("%(name)s cannot be invited: %(reason)s") % {"name": organisation.name,
                                                                                 "reason": reason},
                                   code="not_eligible", field="organisations")
    with transaction.atomic():
        locked = _lock(procedure)
        PROCEDURE_MOVES.target(STEP_CHANGE, locked.status)
        locked.invitations.all().delete()
        invitations = [Invitation.objects.create(procedure=locked, organisation=o)
                       for o in {o.pk: o for o in organisations}.values()]
        event_append(action="tendering.procedure.invitations_set", actor=actor, obj=locked,
                     payload={"count": len(invitations)})
    return invitations


# --- publishing -------------------------------------------------------------------------------------------


def _publish_checks(procedure: Procedure, preset: MethodPreset, start: dt.datetime) -> tuple[Any, list[str]]:
    findings: list[RuleFinding | None] = []
    project = procedure.project
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationFailed(_("The project is no longer accepted."), code="project_not_accepted", field="project")
    lots = list(procedure.lots.all())
    if not lots:
        raise ValidationFailed(_("Add at least one lot."), code="invalid_lots", field="lots")
    cap = preset.security_cap.ratio()
    for lot in lots:
        if lot.ceiling_price is not None and lot.ceiling_price > lot.budget:
            raise ValidationFailed(_("Lot %(n)s: the ceiling price may not exceed the budget.") % {"n": lot.number},
                                   code="ceiling_above_budget", field="lots")
        findings.append(rule_check(
            preset.security_cap.code, passed=lot.bid_security <= (lot.budget * cap).quantize(Decimal("0.01")),
            message=_("Lot %(n)s: the bid security %(amount)s yuan exceeds %(pct)s%% of the budget (%(cap)s yuan).")
            % {"n": lot.number, "amount": _money(lot.bid_security), "pct": (cap * 100).normalize(),
               "cap": _money(lot.budget * cap)}, field="bid_security"))
    if not procedure.documents.exists():
        raise ValidationFailed(_("Upload the tender documents before publishing."), code="no_documents",
                               field="documents")
    if procedure.evaluation_method in EvaluationMethod.WEIGHTED and not procedure.evaluation_criteria:
        raise ValidationFailed(_("Declare the evaluation criteria and their weights before publishing."),
                               code="no_criteria", field="evaluation_criteria")
    findings.extend(run_publish_checks(procedure))
    invited = procedure.invitations.count()
    if preset.exactly_one_invitee and invited != 1:
        raise ValidationFailed(_("A single-source procedure invites exactly one supplier."),
                               code="single_source_invitee", field="organisations")
    if preset.min_invitees is not None:
        findings.append(rule_check(
            preset.min_invitees.code, passed=invited >= preset.min_invitees.n(),
            message=_("Invite at least %(n)s suppliers (now %(count)s).") % {"n": preset.min_invitees.n(),
                                                                              "count": invited},
            field="organisations"))
    if preset.strategy.names_supplier_in_notice:
        for key, label in (("single_source_reason", _("why single source")),
                           ("expert_opinion", _("the expert opinion"))):
            if not procedure.extra.get(key):
                raise ValidationFailed(_("State %(what)s.") % {"what": label}, code="required", field=key)
    if not procedure.bid_days:
        raise ValidationFailed(_("Enter the bid period."), code="required", field="bid_days")
    plan = timeline_compute(start=start, bid_days=procedure.bid_days, bid_rule=preset.bid_period,
                            document_days=procedure.document_days or (
                                preset.document_period.n() if preset.document_period else None),
                            document_rule=preset.document_period, notice_rule=preset.notice_period)
    rule = preset.bid_period
    unit_text = _("working days") if rule.unit() == "working_day" else _("calendar days")
    findings.append(rule_check(
        rule.code, passed=days_between(start, plan.bid_deadline, rule.unit()) >= rule.n(),
        message=_("The bid period must be at least %(n)s %(unit)s from the issue of the documents; %(days)s "
                  "were planned.") % {"n": rule.n(), "unit": unit_text, "days": procedure.bid_days},
        field="bid_days"))
    if preset.document_period is not None and plan.documents_until is not None:
        doc = preset.document_period
        doc_unit = _("working days") if doc.unit() == "working_day" else _("calendar days")
        findings.append(rule_check(
            doc.code, passed=days_between(start, plan.documents_until, doc.unit()) >= doc.n(),
            message=_("The documents must be available for at least %(n)s %(unit)s.") % {"n": doc.n(),
                                                                                           "unit": doc_unit},
            field="document_days"))
    if preset.notice_period is not None and plan.notice_until is not None and preset.notice_type \
            == NoticeType.SINGLE_SOURCE_PUBLICITY:
        findings.append(rule_check(
            preset.notice_period.code, passed=plan.notice_until <= plan.bid_deadline,
            message=_("Responses may not be due before the single-source publicity is over."), field="bid_days"))
    result: list[str] = [str(f) for f in findings if f is not None]
    if plan.provisional:
        result.append(_("The holidays of a year in this timeline are not entered yet; the dates count weekends "
                        "only and are provisional."))
    return plan, result


def _notice_fields(procedure: Procedure, preset: MethodPreset) -> dict[str, str]:
    project = procedure.project
    lots = list(procedure.lots.all())
    lot_text = "；".join(f"{lot.number}. {lot.name}（预算 {_money(lot.budget)} 元，"
                        f"最高限价 {_money(lot.ceiling_price)} "
                        f"元，投标保证金 {_money(lot.bid_security)} 元）" for lot in lots)
    buyer = project.owner.name + (f"；代理机构：{project.agency.name}" if project.agency_id else "")  # type: ignore
    documents = (f"在阳光平台网上报名并下载招标文件，{_when(procedure.time_origin)} 至 "
                 f"{_when(procedure.documents_until)}")
    deadline = f"{_when(procedure.bid_deadline)}（开标时间同投标截止时间，网上开标）"
    if preset.notice_type == NoticeType.TENDER_CONSTRUCTION:
        return {"tenderer": buyer, "nature_quantity": f"{procedure.description or project.name}；{lot_text}",
                "place_time": procedure.place or project.region.name, "documents_how": documents,
                "bid_deadline": deadline, "qualification": procedure.qualification_requirements}
    if preset.notice_type == NoticeType.TENDER_PROCUREMENT:
        return {"purchaser": buyer, "budget": f"{project.name}；{lot_text}",
                "requirements": procedure.description or project.name,
                "qualification": procedure.qualification_requirements, "documents_how": documents,
                "bid_deadline": deadline,
                "contact": f"{project.responsible_person} {project.responsible_phone}"}
    invitee = procedure.invitations.select_related("organisation").first()
    return {"purchaser_project": f"{buyer}；{project.name}", "goods_services": procedure.description or lot_text,
            "reason": procedure.extra.get("single_source_reason", ""),
            "supplier": invitee.organisation.name if invitee else "",
            "expert_opinion": procedure.extra.get("expert_opinion", ""),
            "objection_channel": _("Send objections in writing to the purchaser before %(date)s.")
            % {"date": _when(procedure.notice_until)}}


def procedure_publish(*, actor: Any, procedure: Procedure) -> tuple[Procedure, list[str]]:
    """Compute the timeline from now, check it and everything else against the method's rules, then publish
    the notice (open methods) or send the invitations. A breached confirmed rule refuses (ValidationFailed
    naming the rule and its legal source); returns the warnings (unconfirmed rules, provisional calendar),
    which are also stored on the procedure."""
    _require_manager(actor, procedure)
    with transaction.atomic():
        locked = _lock(procedure)
        PROCEDURE_MOVES.target(STEP_PUBLISH, locked.status)
        preset = locked.preset
        start = db_now()
        plan, findings = _publish_checks(locked, preset, start)
        sandbox = sandbox_on()
        locked.status = ProcedureStatus.PUBLISHED
        locked.code = code_next(f"{locked.project.region.code}-ZB-{local_date(start).year}", width=5)
        locked.time_origin = start
        locked.notice_until, locked.documents_until, locked.bid_deadline = (plan.notice_until, plan.documents_until,
                                                                            plan.bid_deadline)
        locked.sandbox = sandbox
        locked.effective_notice_until = compress(start, plan.notice_until, sandbox)
        locked.effective_documents_until = compress(start, plan.documents_until, sandbox)
        locked.effective_bid_deadline = compress(start, plan.bid_deadline, sandbox)
        locked.published_at = start
        locked.warnings = findings
        locked.next_check_at = _next_check(locked)
        if preset.notice_type:
            notice = notice_publish(
                actor=actor, notice_type=preset.notice_type, region=locked.project.centre.region,
                title=f"{locked.title}{_notice_suffix(preset)}", fields=_notice_fields(locked, preset),
                project=locked.project, owner=f"tendering.procedure:{locked.pk}",
                body_html=f"<p>{_('Procedure number')}: {locked.code}</p>")
            locked.notice_id = notice.pk
        locked.save()
        # Apps above tendering act here: the bidding app creates the opening key before any bid is sealed.
        run_on_publish(actor=actor, procedure=locked)
        event_append(action="tendering.procedure.published", actor=actor, obj=locked, payload={
            "code": locked.code, "method": locked.method, "notice": locked.notice_id, "sandbox": sandbox,
            "bid_deadline": locked.bid_deadline.isoformat(),  # type: ignore[union-attr]
            "warnings": len(findings)})
    return locked, findings


def _notice_suffix(preset: MethodPreset) -> str:
    return "单一来源采购公示" if preset.notice_type == NoticeType.SINGLE_SOURCE_PUBLICITY else "招标公告"



# --- failure, termination, re-tender ----------------------------------------------------------------------


def _basis(procedure: Procedure) -> str:
    return procedure.preset.min_bidders.code if procedure.preset.min_bidders else "GPL 第36条"


def procedure_failure_announce(*, actor: Any, procedure: Procedure) -> Procedure:
    """Publish the failed-tender notice (流标/招标失败) of a procedure the deadline found with too few bidders."""
    _require_manager(actor, procedure)
    with transaction.atomic():
        locked = _lock(procedure)
        if locked.status != ProcedureStatus.FAILED or locked.failure_notice_id:
            raise IllegalTransition(_("Only a failed procedure without its notice can be announced as failed."))
        from yangguang.rules.selectors import rule_get

        basis = _basis(locked)
        rule_source = rule_get(basis).source if basis[:2] in ("G-", "P-") else basis
        notice = notice_publish(
            actor=actor, notice_type=NoticeType.FAILED_TENDER, region=locked.project.centre.region,
            title=f"{locked.title}招标失败公告", project=locked.project, owner=f"tendering.procedure:{locked.pk}",
            fields={"project_name_code": f"{locked.project.name}（{locked.code}）", "ground": locked.failure_ground,
                    "legal_basis": rule_source, "next_step": "依法重新招标"})
        locked.failure_notice_id = notice.pk
        locked.save(update_fields=["failure_notice_id"])
        event_append(action="tendering.procedure.failure_announced", actor=actor, obj=locked,
                     payload={"notice": notice.pk})
    return locked


def procedure_terminate(*, actor: Any, procedure: Procedure, reason: str) -> Procedure:
    """终止招标: with a termination notice if the procedure was public; securities are to be refunded
    (TBLR 第31条; M87 第29条)."""
    _require_manager(actor, procedure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the termination."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock(procedure)
        locked.status = PROCEDURE_MOVES.target(STEP_TERMINATE, locked.status)
        locked.termination_reason = reason
        locked.next_check_at = None
        if locked.notice_id:
            basis = ("招标投标法实施条例 第31条" if locked.project.category == "construction"
                     else "财政部令第87号 第29条")
            notice = notice_publish(
                actor=actor, notice_type=NoticeType.TERMINATION, region=locked.project.centre.region,
                title=f"{locked.title}终止公告", project=locked.project, owner=f"tendering.procedure:{locked.pk}",
                fields={"project_name_code": f"{locked.project.name}（{locked.code}）", "ground": reason,
                        "legal_basis": basis, "refund": "已收取的投标保证金及孳息依法退还"})
            locked.termination_notice_id = notice.pk
        locked.save(update_fields=["status", "termination_reason", "next_check_at", "termination_notice_id"])
        event_append(action="tendering.procedure.terminated", actor=actor, obj=locked,
                     payload={"notice": locked.termination_notice_id})
    return locked


def procedure_retender(*, actor: Any, procedure: Procedure) -> Procedure:
    """重新招标: a new draft linked to the failed or terminated one, with its lots, criteria and documents."""
    _require_manager(actor, procedure)
    if procedure.status not in RETENDER_FROM:
        raise IllegalTransition(_("Only a failed or terminated procedure can be re-tendered."))
    data = ProcedureData(
        title=procedure.title if procedure.title.endswith("（重新招标）") else f"{procedure.title}（重新招标）",
        method=procedure.method, qualification_requirements=procedure.qualification_requirements,
        evaluation_method=procedure.evaluation_method, evaluation_criteria=procedure.evaluation_criteria,
        lots=[LotData(lot.name, lot.budget, lot.ceiling_price, lot.bid_security) for lot in procedure.lots.all()],
        document_days=procedure.document_days, bid_days=procedure.bid_days, description=procedure.description,
        place=procedure.place, accepts_consortium=procedure.accepts_consortium, extra=procedure.extra)
    with transaction.atomic():
        new = procedure_create(actor=actor, project=procedure.project, data=data, retender_of=procedure)
        latest = procedure.documents.order_by("-version").first()
        if latest is not None:
            TenderDocument.objects.create(procedure=new, version=1, name=latest.name, path=latest.path,
                                          sha256=latest.sha256, size=latest.size, uploaded_by=latest.uploaded_by)
        Invitation.objects.bulk_create([Invitation(procedure=new, organisation_id=i.organisation_id)
                                        for i in procedure.invitations.all()])
    return new


def lot_get(pk: int) -> Lot:
    lot = Lot.objects.select_related("procedure__project__centre", "procedure__project__region").filter(pk=pk).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    return lot
