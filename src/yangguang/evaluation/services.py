"""Every write of an evaluation, from the opened bids to the contract.

Each function checks who acts and the step, locks the evaluation, changes it and appends one event in the
same transaction. The log is public: payloads carry ids, refs and hashes only — never an expert's name,
a score before the report, or a revised quote before its round closes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.models import User
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import deadline, local_date
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store
from yangguang.rules.selectors import rule_param
from yangguang.rules.services import rule_check
from yangguang.tendering.models import Lot

from .access import is_buyer, is_organiser, seated_member, tenderer_of
from .committee import Seat, committee_problems
from .models import (
    Award,
    ConflictDeclaration,
    Contract,
    Correction,
    Evaluation,
    Member,
    Objection,
    Quote,
    Report,
    ReportSignature,
    Review,
    Round,
    Score,
    ScoreAmendment,
    Tenderer,
)
from .states import (
    DEFAULT_CHECKLIST,
    EVALUATION_MOVES,
    STEP_AWARD,
    STEP_CONTRACT,
    STEP_FAIL,
    STEP_PUBLISH,
    STEP_REAWARD,
    STEP_REPORT,
    STEP_REPORTED,
    STEP_RETENDER,
    STEP_SCORING,
    STEP_START,
    AmendmentGround,
    CandidateGround,
    EvaluationStatus,
    MemberKind,
    MemberState,
)
from .timers import reply_due, reply_rule, schedule

OWNER_PREFIX = "evaluation.evaluation"
ROUND_METHODS = frozenset({"procurement_negotiation", "procurement_consultation"})
MAX_REASON = 2000


# --- helpers ----------------------------------------------------------------------------------------------


def _lock(evaluation: Evaluation) -> Evaluation:
    return (Evaluation.objects.select_for_update(of=("self",))
            .select_related("procedure__project__centre", "procedure__project__region", "lot")
            .get(pk=evaluation.pk))


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, AttributeError):
        raise ValidationFailed(_("Enter a number, e.g. 12.5."), code="invalid_number", field=field) from None
    if not number.is_finite():
        raise ValidationFailed(_("Enter a number, e.g. 12.5."), code="invalid_number", field=field)
    return number


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Give the reason."), code="reason_required", field=field)
    return text[:MAX_REASON]


def _organiser(actor: Any, evaluation: Evaluation) -> None:
    if not is_organiser(actor, evaluation):
        raise PermissionDenied(_("Only the trading centre's staff run the evaluation room."))


def _buyer(actor: Any, evaluation: Evaluation) -> None:
    if not is_buyer(actor, evaluation):
        raise PermissionDenied(_("Only the purchaser and its agency may take this step."))


def _member(actor: Any, evaluation: Evaluation) -> Member:
    member = seated_member(actor, evaluation)
    if member is None:
        raise PermissionDenied(_("Only a seated member of this committee may take this step."))
    return member


def _in(evaluation: Evaluation, *statuses: str) -> None:
    if evaluation.status not in statuses:
        raise IllegalTransition(
            _("Not possible while the evaluation is “%(status)s”.") % {"status": evaluation.get_status_display()},
            code="wrong_status")


def seated(evaluation: Evaluation) -> list[Member]:
    return list(evaluation.members.filter(state=MemberState.SEATED).order_by("pk"))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(type(value).__name__)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


# --- method configuration (the methods library, contract C) -------------------------------------------------


def config_dump(config: Any) -> dict[str, Any]:
    return _jsonable(dataclasses.asdict(config))


def config_load(data: dict[str, Any]) -> Any:
    from .methods import Criterion, MethodConfig

    fields = {f.name for f in dataclasses.fields(MethodConfig)}
    values = {k: v for k, v in data.items() if k in fields}
    values["criteria"] = tuple(Criterion(**{**c, "points": Decimal(str(c["points"]))}) for c in data["criteria"])
    for key in ("sme_deduction", "outlier_share"):
        if key in values and values[key] is not None:
            values[key] = Decimal(str(values[key]))
    return MethodConfig(**values)


def subjective_criteria(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The criteria the members score themselves (the rest are computed or reviewed)."""
    return [c for c in evaluation.config.get("criteria", [])
            if c.get("objective") is None and c.get("kind") not in ("price", "pass_fail")]


# --- opening the evaluation ---------------------------------------------------------------------------------


def _bid_rows(lot: Lot, bids: Sequence[Any] | None) -> list[dict[str, Any]]:
    if bids is None:
        from yangguang.bidding.selectors import opened_bids, opening_concluded

        if not opening_concluded(lot):
            raise IllegalTransition(_("The opening of this lot is not concluded yet."), code="opening_open")
        bids = opened_bids(lot)
    rows = []
    for bid in bids:
        item = dataclasses.asdict(bid) if dataclasses.is_dataclass(bid) and not isinstance(bid, type) else dict(bid)
        rows.append({
            "bid_id": item.get("bid_id"), "organisation_id": item.get("organisation_id"),
            "name": str(item.get("bidder_name") or item.get("name") or "")[:200],
            "credit_code": str(item.get("credit_code") or "")[:18],
            "price": _decimal(item.get("total_price", item.get("price")), "price").quantize(Decimal("0.01")),
            "terms": {str(k): str(v) for k, v in (item.get("terms") or {}).items()},
            "enterprise_size": str(item.get("enterprise_size") or "large"),
            "price_lines": _jsonable(list(item.get("price_lines") or [])),
            "security_ok": bool(item.get("security_ok", True)),
        })
    if not rows:
        raise ValidationFailed(_("No valid bid was opened for this lot."), code="no_bids", field="bids")
    return rows


def evaluation_open(*, actor: Any, lot: Lot, bids: Sequence[Any] | None = None,
                    checklist: Sequence[tuple[str, str, str]] | None = None) -> Evaluation:
    """Start the evaluation of an opened lot: snapshot the valid bids (bidding's ``opened_bids``, or an
    explicit list of ``OpenedBid`` or dicts), freeze the method configuration and draw the random value
    (its SHA-256 goes to the log now, the value itself into the report)."""
    from .methods import config_findings, criteria_from_procedure

    procedure = lot.procedure
    probe = Evaluation(lot=lot, procedure=procedure)
    if not (is_organiser(actor, probe) or is_buyer(actor, probe)):
        raise PermissionDenied(_("Only the centre's staff or the purchaser side open an evaluation."))
    if Evaluation.objects.filter(lot=lot).exists():
        raise IllegalTransition(_("This lot's evaluation is already open."), code="exists")
    rows = _bid_rows(lot, bids)
    config = criteria_from_procedure(procedure)
    for problem in config_findings(config):
        if problem.rule:
            rule_check(problem.rule, passed=False, message=str(problem), field="evaluation_criteria")
        else:
            raise ValidationFailed(str(problem), code="criteria_invalid", field="evaluation_criteria")
    random_value = secrets.token_hex(32)
    items = [list(i) for i in (checklist or DEFAULT_CHECKLIST)]
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            lot=lot, procedure=procedure, config=config_dump(config), checklist=items, random_value=random_value,
            created_by=actor if isinstance(actor, User) else None)
        Tenderer.objects.bulk_create([Tenderer(evaluation=evaluation, ref=f"T{i}", **row)
                                      for i, row in enumerate(rows, start=1)])
        event_append(action="evaluation.evaluation.opened", actor=actor, obj=evaluation,
                     payload={"procedure": procedure.pk, "lot": lot.pk, "bids": len(rows), "method": config.method,
                              "random_sha256": hashlib.sha256(bytes.fromhex(random_value)).hexdigest()})
    return evaluation


# --- the committee --------------------------------------------------------------------------------------------


def committee_seat(*, actor: Any, evaluation: Evaluation, draw: Any) -> list[Member]:
    """Seat the experts of a released draw who accepted (in stratum and rank order)."""
    from yangguang.experts.models import DrawSlot
    from yangguang.experts.states import SlotState

    _organiser(actor, evaluation)
    if draw.released_at is None:
        raise IllegalTransition(_("The expert list is still sealed: two officials must release it first."),
                                code="sealed")
    if draw.request.project_id != evaluation.procedure.project_id:
        raise ValidationFailed(_("This draw was made for another project."), code="draw_mismatch", field="draw")
    with transaction.atomic():
        locked = _lock(evaluation)
        _in(locked, EvaluationStatus.PREPARING)
        if locked.members.filter(kind=MemberKind.EXPERT).exists():
            raise IllegalTransition(_("The experts are already seated."), code="seated")
        slots = list(DrawSlot.objects.filter(draw=draw, state=SlotState.ACCEPTED).select_related("expert")
                     .order_by("stratum", "rank"))
        members = [Member.objects.create(evaluation=locked, kind=MemberKind.EXPERT, slot=s, expert=s.expert,
                                         user_id=s.expert.user_id, name=s.expert.name) for s in slots]
        locked.draw = draw
        locked.save(update_fields=["draw"])
        event_append(action="evaluation.committee.seated", actor=actor, obj=locked,
                     payload={"draw": draw.pk, "slots": [s.pk for s in slots]})
    return members


def representative_add(*, actor: Any, evaluation: Evaluation, user: User) -> Member:
    """The purchaser names one of its own people as its representative on the committee."""
    _buyer(actor, evaluation)
    project = evaluation.procedure.project
    if not (has_role(user, Role.PURCHASER) and user.organisation_id == project.owner_id):
        raise ValidationFailed(_("The representative must be an account of the purchaser."), code="not_purchaser",
                               field="user")
    with transaction.atomic():
        locked = _lock(evaluation)
        _in(locked, EvaluationStatus.PREPARING)
        if locked.members.filter(user=user, state=MemberState.SEATED).exists():
            raise IllegalTransition(_("This person is already on the committee."), code="duplicate")
        member = Member.objects.create(evaluation=locked, kind=MemberKind.PURCHASER_REP, user=user,
                                       name=user.display_name or user.username)
        event_append(action="evaluation.committee.representative_added", actor=actor, obj=locked,
                     payload={"member": member.pk})
    return member


def member_sign_in(*, actor: Any, evaluation: Evaluation) -> Member:
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.PREPARING)
        if member.signed_in_at is None:
            member.signed_in_at = db_now()
            member.save(update_fields=["signed_in_at"])
            event_append(action="evaluation.member.signed_in", actor=actor, obj=locked, payload={"member": member.pk})
    return member


def _next_backup(evaluation: Evaluation, member: Member) -> Any:
    """The next backup of the replaced expert's stratum not yet seated here (ranked order of the draw)."""
    from yangguang.experts.models import DrawSlot
    from yangguang.experts.states import SlotRole, SlotState

    if member.slot is None or evaluation.draw_id is None:
        return None
    used = list(evaluation.members.exclude(slot=None).values_list("slot_id", flat=True))
    return (DrawSlot.objects.filter(draw_id=evaluation.draw_id, stratum=member.slot.stratum, role=SlotRole.BACKUP,
                                    state=SlotState.WAITING).exclude(pk__in=used)
            .select_related("expert").order_by("rank").first())


def _withdraw_slot(actor: Any, evaluation: Evaluation, member: Member) -> Any:
    """Withdraw the member's draw slot and get the backup seated in its place: through the experts app's
    ``slot_withdraw`` when it has one (the slot becomes declined there and the backup accepted), else the next
    waiting backup of the stratum read here."""
    from yangguang.experts import services as experts_services

    if member.slot is None:
        return None
    if hasattr(experts_services, "slot_withdraw"):
        return experts_services.slot_withdraw(actor=actor, slot=member.slot, reason="conflict")
    return _next_backup(evaluation, member)


def conflict_declare(*, actor: Any, evaluation: Evaluation, conflicts: dict[int, str]) -> Member | None:
    """The member declares, for every bidder, that they have no conflict — or names a conflict (bidder id →
    reason). A declared conflict withdraws the member and seats the next backup from the draw (returned)."""
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.PREPARING)
        if member.signed_in_at is None:
            raise IllegalTransition(_("Sign in to the session first."), code="not_signed_in")
        tenderers = {t.pk: t for t in locked.tenderers.all()}
        unknown = set(conflicts) - set(tenderers)
        if unknown:
            raise ValidationFailed(_("Unknown bidder."), code="unknown_tenderer", field="conflicts")
        now = db_now()
        for tid, tenderer in tenderers.items():
            reason = (conflicts.get(tid) or "").strip()
            ConflictDeclaration.objects.update_or_create(
                member=member, tenderer=tenderer,
                defaults={"conflict": tid in conflicts, "reason": (reason or ("—" if tid in conflicts else ""))[:200],
                          "declared_at": now})
        event_append(action="evaluation.member.declared", actor=actor, obj=locked,
                     payload={"member": member.pk, "conflicts": len(conflicts)})
        if not conflicts:
            return None
        member.state = MemberState.REPLACED
        member.is_chair = False
        member.replaced_reason = _("Declared a conflict of interest")
        backup = _withdraw_slot(actor, locked, member)
        replacement = None
        if backup is not None:
            replacement = Member.objects.create(evaluation=locked, kind=MemberKind.EXPERT, slot=backup,
                                                expert=backup.expert, user_id=backup.expert.user_id,
                                                name=backup.expert.name)
            member.replaced_by = replacement
        member.save(update_fields=["state", "is_chair", "replaced_reason", "replaced_by"])
        Member.objects.filter(evaluation=locked, chair_vote=member).update(chair_vote=None)
        event_append(action="evaluation.member.replaced", actor=actor, obj=locked,
                     payload={"member": member.pk, "by_slot": backup.pk if backup else None, "ground": "conflict"})
    return replacement


def chair_vote(*, actor: Any, evaluation: Evaluation, candidate: Member) -> Member | None:
    """A member votes for a chair (an expert: P-023); a majority of the seated members elects. Returns the
    chair once elected."""
    with transaction.atomic():
        locked = _lock(evaluation)
        voter = _member(actor, locked)
        _in(locked, EvaluationStatus.PREPARING)
        candidate = Member.objects.get(pk=candidate.pk, evaluation=locked)
        if candidate.state != MemberState.SEATED:
            raise ValidationFailed(_("Vote for a seated member."), code="not_seated", field="candidate")
        rule_check("P-023", passed=candidate.kind == MemberKind.EXPERT,
                   message=_("The purchaser's representative may not chair the committee."), field="candidate")
        voter.chair_vote = candidate
        voter.save(update_fields=["chair_vote"])
        members = seated(locked)
        votes = sum(1 for m in members if m.chair_vote_id == candidate.pk)
        elected = votes * 2 > len(members)
        if elected:
            Member.objects.filter(evaluation=locked).exclude(pk=candidate.pk).update(is_chair=False)
            Member.objects.filter(pk=candidate.pk).update(is_chair=True)
        event_append(action="evaluation.chair.voted", actor=actor, obj=locked,
                     payload={"voter": voter.pk, "candidate": candidate.pk, "elected": elected})
    return Member.objects.get(pk=candidate.pk) if elected else None


def start_problems(evaluation: Evaluation) -> list[str]:
    """Why the session may not start yet (composition, sign-in, declarations, chair); [] = it may."""
    members = seated(evaluation)
    project = evaluation.procedure.project
    problems = [p.message for p in committee_problems(
        procedure=evaluation.procedure, budget=project.budget, seats=[Seat(m.kind, m.is_chair) for m in members])]
    tenderers = evaluation.tenderers.count()
    for m in members:
        if m.signed_in_at is None:
            problems.append(_("%(name)s has not signed in.") % {"name": m.name})
        elif ConflictDeclaration.objects.filter(member=m, conflict=False).count() < tenderers:
            problems.append(_("%(name)s has not declared on every bidder.") % {"name": m.name})
    if not any(m.is_chair for m in members):
        problems.append(_("The committee has not elected its chair."))
    return problems


def evaluation_start(*, actor: Any, evaluation: Evaluation) -> Evaluation:
    """Open the session. A committee that breaks the composition rules cannot start."""
    _organiser(actor, evaluation)
    with transaction.atomic():
        locked = _lock(evaluation)
        target = EVALUATION_MOVES.target(STEP_START, locked.status)
        project = locked.procedure.project
        members = seated(locked)
        for problem in committee_problems(procedure=locked.procedure, budget=project.budget,
                                          seats=[Seat(m.kind, m.is_chair) for m in members]):
            rule_check(problem.rule, passed=False, message=problem.message, field="committee")
        problems = start_problems(locked)
        if problems:
            raise ValidationFailed(" ".join(problems), code="not_ready", field="committee")
        locked.status, locked.started_at = target, db_now()
        locked.save(update_fields=["status", "started_at"])
        event_append(action="evaluation.evaluation.started", actor=actor, obj=locked,
                     payload={"members": [m.pk for m in members],
                              "experts": sum(1 for m in members if m.kind == MemberKind.EXPERT)})
    return locked


# --- reviews and corrections ----------------------------------------------------------------------------------


def review_record(*, actor: Any, evaluation: Evaluation, tenderer: Tenderer, item: str, passed: bool,
                  reason: str = "") -> Review:
    """The committee's finding on one checklist item for one bid; a fail needs its reason."""
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.IN_SESSION)
        kinds = {code: kind for code, kind, _label in locked.checklist}
        if item not in kinds:
            raise ValidationFailed(_("Unknown checklist item."), code="unknown_item", field="item")
        tenderer = Tenderer.objects.get(pk=tenderer.pk, evaluation=locked)
        text = (reason or "").strip()[:MAX_REASON]
        if not passed and not text:
            raise ValidationFailed(_("A failed item needs the reason for the rejection."), code="reason_required",
                                   field="reason")
        review, _created = Review.objects.update_or_create(
            tenderer=tenderer, item=item,
            defaults={"kind": kinds[item], "passed": passed, "reason": text, "recorded_by": member,
                      "recorded_at": db_now()})
        event_append(action="evaluation.review.recorded", actor=actor, obj=locked,
                     payload={"tenderer": tenderer.ref, "item": item, "passed": passed})
    return review


def correction_record(*, actor: Any, evaluation: Evaluation, tenderer: Tenderer, reason: str) -> Correction:
    """Apply the arithmetic correction (算术修正, M87 第59条) to a bid's itemised lines."""
    from .methods import arithmetic_correction

    text = _reason(reason)
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.IN_SESSION)
        tenderer = Tenderer.objects.select_for_update().get(pk=tenderer.pk, evaluation=locked)
        if not tenderer.price_lines:
            raise ValidationFailed(_("This bid has no itemised price lines to check."), code="no_lines",
                                   field="tenderer")
        result = arithmetic_correction(tenderer.price_lines, tenderer.price)
        if not result.changes or result.corrected_total == tenderer.price:
            raise ValidationFailed(_("The itemised lines add up to the stated total: nothing to correct."),
                                   code="nothing_to_correct", field="tenderer")
        correction = Correction.objects.create(
            tenderer=tenderer, stated_total=tenderer.price, corrected_total=result.corrected_total,
            changes=[str(c) for c in result.changes], reason=text, recorded_by=member, recorded_at=db_now())
        tenderer.corrected_price = result.corrected_total
        tenderer.save(update_fields=["corrected_price"])
        event_append(action="evaluation.correction.recorded", actor=actor, obj=locked,
                     payload={"tenderer": tenderer.ref, "corrected_total": str(result.corrected_total)})
    return correction


def _bid_inputs(evaluation: Evaluation, tenderers: Iterable[Tenderer]) -> list[Any]:
    from .methods import BidInput

    return [BidInput(ref=t.ref, price=t.effective_price, enterprise_size=t.enterprise_size,
                     compliant=bool(t.qualified), terms=dict(t.terms)) for t in tenderers]


def scoring_open(*, actor: Any, evaluation: Evaluation) -> Evaluation:
    """Close the reviews (every item for every bid) and open the scoring of the bids that passed."""
    from .methods import abnormally_low

    with transaction.atomic():
        locked = _lock(evaluation)
        if not is_organiser(actor, locked):
            member = _member(actor, locked)
            if not member.is_chair:
                raise PermissionDenied(_("The chair or the centre's staff open the scoring."))
        target = EVALUATION_MOVES.target(STEP_SCORING, locked.status)
        if locked.rounds.filter(closed_at=None).exists():
            raise IllegalTransition(_("A negotiation round is still open."), code="round_open")
        tenderers = list(locked.tenderers.select_for_update().order_by("pk"))
        items = [code for code, _k, _l in locked.checklist]
        found: dict[int, dict[str, bool]] = {}
        for review in Review.objects.filter(tenderer__evaluation=locked):
            found.setdefault(review.tenderer_id, {})[review.item] = review.passed
        missing = [t.ref for t in tenderers if set(found.get(t.pk, {})) != set(items)]
        if missing:
            raise ValidationFailed(_("Review every checklist item of bids %(refs)s first.")
                                   % {"refs": ", ".join(missing)}, code="reviews_incomplete", field="reviews")
        for t in tenderers:
            t.qualified = all(found[t.pk].values())
        low = abnormally_low([b for b in _bid_inputs(locked, tenderers) if b.compliant], config_load(locked.config))
        for t in tenderers:
            t.abnormally_low = t.ref in low
            t.save(update_fields=["qualified", "abnormally_low"])
        if not any(t.qualified for t in tenderers):
            raise ValidationFailed(_("No bid passed the reviews: declare the evaluation failed instead."),
                                   code="none_qualified", field="reviews")
        locked.status = target
        locked.save(update_fields=["status"])
        event_append(action="evaluation.scoring.opened", actor=actor, obj=locked,
                     payload={"qualified": [t.ref for t in tenderers if t.qualified],
                              "abnormally_low": sorted(low)})
    return locked


def evaluation_fail(*, actor: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    text = _reason(reason)
    _organiser(actor, evaluation)
    with transaction.atomic():
        locked = _lock(evaluation)
        locked.status = EVALUATION_MOVES.target(STEP_FAIL, locked.status)
        locked.failure_reason = text
        locked.save(update_fields=["status", "failure_reason"])
        event_append(action="evaluation.evaluation.failed", actor=actor, obj=locked, payload={})
    return locked


# --- independent scoring --------------------------------------------------------------------------------------


def _criterion(evaluation: Evaluation, code: str) -> dict[str, Any]:
    for c in subjective_criteria(evaluation):
        if c["code"] == code:
            return c
    raise ValidationFailed(_("Unknown criterion, or one the platform computes."), code="unknown_criterion",
                           field="criterion")


def _points(evaluation: Evaluation, code: str, value: Any) -> Decimal:
    criterion = _criterion(evaluation, code)
    points = _decimal(value, "points")
    top = Decimal(str(criterion["points"]))
    if points < 0 or points > top or points != points.quantize(Decimal("0.01")):
        raise ValidationFailed(_("A score for “%(name)s” is from 0 to %(max)s (two decimals at most).")
                               % {"name": criterion["name"], "max": top}, code="score_out_of_range", field="points")
    return points


def score_save(*, actor: Any, evaluation: Evaluation, scores: Sequence[tuple[int, str, Any]]) -> int:
    """Save the member's own draft scores ((bidder id, criterion code, points), …). Nobody else reads them."""
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.SCORING)
        if member.scores_submitted_at is not None:
            raise IllegalTransition(_("Your scores are submitted; correct an obvious error with an amendment."),
                                    code="submitted")
        qualified = {t.pk: t for t in locked.tenderers.filter(qualified=True)}
        now = db_now()
        for tid, code, value in scores:
            if int(tid) not in qualified:
                raise ValidationFailed(_("Only bids that passed the reviews are scored."), code="not_qualified",
                                       field="tenderer")
            Score.objects.update_or_create(member=member, tenderer=qualified[int(tid)], criterion=code,
                                           defaults={"points": _points(locked, code, value), "saved_at": now})
        # The payload says how many, never what: the scores stay secret until the member submits.
        event_append(action="evaluation.score.saved", actor=actor, obj=locked,
                     payload={"member": member.pk, "count": len(scores)})
    return len(scores)


def _sheet_hash(member: Member) -> str:
    rows = sorted((s.tenderer.ref, s.criterion, str(s.points))
                  for s in member.scores.select_related("tenderer"))
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def scores_submit(*, actor: Any, evaluation: Evaluation) -> Member:
    """Submit the member's scores (all subjective criteria × bids that passed). The hash of the sheet goes
    to the log; once every seated member has submitted, the platform computes the outcome."""
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.SCORING)
        if member.scores_submitted_at is not None:
            raise IllegalTransition(_("Your scores are already submitted."), code="submitted")
        wanted = {(t, c["code"]) for t in locked.tenderers.filter(qualified=True).values_list("pk", flat=True)
                  for c in subjective_criteria(locked)}
        have = set(Score.objects.filter(member=member).values_list("tenderer_id", "criterion"))
        if wanted - have:
            raise ValidationFailed(_("Score every criterion of every bid before submitting (%(n)s missing).")
                                   % {"n": len(wanted - have)}, code="scores_incomplete", field="scores")
        now = db_now()
        member.scores_submitted_at = now
        member.save(update_fields=["scores_submitted_at"])
        Score.objects.filter(member=member).update(submitted_at=now)
        event_append(action="evaluation.score.submitted", actor=actor, obj=locked,
                     payload={"member": member.pk, "sheet_sha256": _sheet_hash(member)})
        if all(m.scores_submitted_at is not None for m in seated(locked)):
            _compute(locked, actor)
    return member


def _outcome_dump(outcome: Any) -> dict[str, Any]:
    return _jsonable({
        "method": outcome.method,
        "rows": [dataclasses.asdict(r) for r in outcome.rows],
        "benchmark_price": outcome.benchmark_price,
        "outliers": [list(o) for o in outcome.outliers],
        "steps": list(outcome.steps),
        "random_draws": dict(getattr(outcome, "random_draws", {}) or {}),
    })


def scores_matrix(evaluation: Evaluation) -> dict[str, dict[str, dict[str, Decimal]]]:
    """member id → bid ref → criterion → points, for the submitted sheets of the seated members. Scores of
    a replaced member are void (TBLR 第48条) and left out."""
    matrix: dict[str, dict[str, dict[str, Decimal]]] = {}
    for s in Score.objects.filter(member__evaluation=evaluation, member__state=MemberState.SEATED,
                                  member__scores_submitted_at__isnull=False).select_related("tenderer"):
        matrix.setdefault(str(s.member_id), {}).setdefault(s.tenderer.ref, {})[s.criterion] = s.points
    return matrix


def _compute(evaluation: Evaluation, actor: Any) -> None:
    from .methods import MethodError, evaluate

    tenderers = list(evaluation.tenderers.order_by("pk"))
    try:
        outcome = evaluate(config_load(evaluation.config), _bid_inputs(evaluation, tenderers),
                           scores_matrix(evaluation), random_value=bytes.fromhex(evaluation.random_value))
    except MethodError as error:
        raise ValidationFailed(_("The scores cannot be computed: %(reason)s") % {"reason": error.message},
                               code=error.code, field=error.field or "scores") from None
    evaluation.outcome = _outcome_dump(outcome)
    evaluation.save(update_fields=["outcome"])
    event_append(action="evaluation.outcome.computed", actor=actor, obj=evaluation,
                 payload={"ranking": [r.ref for r in sorted((r for r in outcome.rows if r.rank),
                                                            key=lambda r: r.rank or 0)],
                          "outliers": len(outcome.outliers)})


def score_amend(*, actor: Any, evaluation: Evaluation, tenderer: Tenderer, criterion: str, points: Any,
                ground: str, reason: str) -> ScoreAmendment:
    """A member corrects an obvious error in their own submitted score, on one of the four grounds of
    M87 第64条 (rule P-031), with the reason recorded; the outcome is recomputed."""
    text = _reason(reason)
    if ground not in AmendmentGround.values:
        raise ValidationFailed(_("Choose one of the four grounds for changing a score."), code="invalid_ground",
                               field="ground")
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.SCORING)
        if member.scores_submitted_at is None:
            raise IllegalTransition(_("Change your draft directly: amendments are for submitted scores."),
                                    code="not_submitted")
        value = _points(locked, criterion, points)
        score = Score.objects.select_for_update().get(member=member, tenderer_id=tenderer.pk, criterion=criterion)
        if score.points == value:
            raise ValidationFailed(_("The new score is the same as the old one."), code="unchanged", field="points")
        amendment = ScoreAmendment.objects.create(score=score, old_points=score.points, new_points=value,
                                                  ground=ground, reason=text, amended_at=db_now())
        score.points = value
        score.save(update_fields=["points"])
        event_append(action="evaluation.score.amended", actor=actor, obj=locked,
                     payload={"member": member.pk, "tenderer": tenderer.ref, "criterion": criterion,
                              "ground": ground})
        if locked.outcome is not None:
            _compute(locked, actor)
    return amendment


# --- negotiation and consultation rounds -------------------------------------------------------------------


def round_open(*, actor: Any, evaluation: Evaluation, minutes: int, note: str = "") -> Round:
    """Open a round of revised quotes (竞争性谈判/磋商): bidders quote online until it closes."""
    if not (is_organiser(actor, evaluation) or is_buyer(actor, evaluation)):
        raise PermissionDenied(_("Only the centre's staff or the purchaser side open a round."))
    if evaluation.procedure.method not in ROUND_METHODS:
        raise IllegalTransition(_("Only negotiation and consultation procedures have rounds of quotes."),
                                code="no_rounds")
    if not 1 <= int(minutes) <= 24 * 60:
        raise ValidationFailed(_("A round lasts from 1 minute to 24 hours."), code="invalid_minutes",
                               field="minutes")
    with transaction.atomic():
        locked = _lock(evaluation)
        _in(locked, EvaluationStatus.IN_SESSION)
        if locked.rounds.filter(closed_at=None).exists():
            raise IllegalTransition(_("Close the open round first."), code="round_open")
        now = db_now()
        number = locked.rounds.count() + 1
        rnd = Round.objects.create(evaluation=locked, number=number, note=(note or "").strip()[:MAX_REASON],
                                   opened_at=now, closes_at=now + dt.timedelta(minutes=int(minutes)))
        event_append(action="evaluation.round.opened", actor=actor, obj=locked,
                     payload={"round": number, "closes_at": rnd.closes_at.isoformat()})
    return rnd


def quote_submit(*, actor: Any, round: Round, price: Any) -> Quote:
    """A bidder's revised quote; it may be replaced until the round closes and is sealed until then."""
    evaluation = round.evaluation
    tenderer = tenderer_of(actor, evaluation)
    if tenderer is None:
        raise PermissionDenied(_("Only a bidder of this evaluation may quote."))
    amount = _decimal(price, "price").quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValidationFailed(_("Enter a price above zero."), code="invalid_price", field="price")
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        now = db_now()
        if locked.closed_at is not None or now >= locked.closes_at:
            raise IllegalTransition(_("This round is closed."), code="round_closed")
        if tenderer.qualified is False:
            raise IllegalTransition(_("Your bid did not pass the reviews."), code="not_qualified")
        quote, _created = Quote.objects.update_or_create(
            round=locked, tenderer=tenderer, defaults={"price": amount, "submitted_by": actor, "submitted_at": now})
        # A commitment, not the price or the bidder: the quote stays sealed until the round closes.
        salt = secrets.token_hex(16)
        event_append(action="evaluation.quote.submitted", actor="bidder", object_type="evaluation.round",
                     object_id=locked.pk, payload={"commitment": hashlib.sha256(
                         f"{tenderer.ref}|{amount}|{salt}".encode()).hexdigest()})
    return quote


def round_close(*, actor: Any, round: Round) -> Round:
    """Close a round at or after its end (or once every bidder has quoted); the quotes open and become the
    bids' prices."""
    evaluation = round.evaluation
    if not (is_organiser(actor, evaluation) or is_buyer(actor, evaluation)):
        raise PermissionDenied(_("Only the centre's staff or the purchaser side close a round."))
    with transaction.atomic():
        _lock(evaluation)
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.closed_at is not None:
            raise IllegalTransition(_("This round is closed."), code="round_closed")
        now = db_now()
        active = evaluation.tenderers.exclude(qualified=False)
        everyone = locked.quotes.count() >= active.count()
        if now < locked.closes_at and not everyone:
            raise IllegalTransition(_("The round runs until %(moment)s.") % {"moment": f"{locked.closes_at:%H:%M}"},
                                    code="round_running")
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
        quotes = list(locked.quotes.select_related("tenderer"))
        for q in quotes:
            q.tenderer.round_price = q.price
            q.tenderer.save(update_fields=["round_price"])
        event_append(action="evaluation.round.closed", actor=actor, obj=evaluation,
                     payload={"round": locked.number, "quotes": {q.tenderer.ref: str(q.price) for q in quotes}})
    return locked


# --- the report ---------------------------------------------------------------------------------------------


def report_data(evaluation: Evaluation) -> Any:
    """The plain data the report PDF is built from (methods helper's ``report.ReportData``)."""
    from .report_data import build

    return build(evaluation)


def report_generate(*, actor: Any, evaluation: Evaluation) -> Report:
    from .report import report_pdf

    with transaction.atomic():
        locked = _lock(evaluation)
        if not is_organiser(actor, locked):
            member = _member(actor, locked)
            if not member.is_chair:
                raise PermissionDenied(_("The chair or the centre's staff generate the report."))
        target = EVALUATION_MOVES.target(STEP_REPORT, locked.status)
        if locked.outcome is None:
            raise IllegalTransition(_("Every member must submit their scores first."), code="scores_pending")
        pdf = report_pdf(report_data(locked))
        stored = file_store(ContentFile(pdf, name="report.pdf"), folder="evaluation")
        report, _created = Report.objects.update_or_create(
            evaluation=locked, defaults={"path": stored.path, "sha256": stored.sha256, "size": stored.size,
                                         "generated_at": db_now()})
        locked.status = target
        locked.save(update_fields=["status"])
        event_append(action="evaluation.report.generated", actor=actor, obj=locked,
                     payload={"sha256": stored.sha256, "size": stored.size})
    return report


def report_sign(*, actor: Any, evaluation: Evaluation) -> ReportSignature:
    """The member signs the report (the signature event carries the PDF's hash); the last one completes it."""
    with transaction.atomic():
        locked = _lock(evaluation)
        member = _member(actor, locked)
        _in(locked, EvaluationStatus.REPORT_SIGNING)
        report = Report.objects.get(evaluation=locked)
        if ReportSignature.objects.filter(report=report, member=member).exists():
            raise IllegalTransition(_("You have already signed this report."), code="signed")
        signature = ReportSignature.objects.create(report=report, member=member, sha256=report.sha256,
                                                   signed_at=db_now())
        event_append(action="evaluation.report.signed", actor=actor, obj=locked,
                     payload={"member": member.pk, "sha256": report.sha256})
        signed = set(ReportSignature.objects.filter(report=report).values_list("member_id", flat=True))
        if all(m.pk in signed for m in seated(locked)):
            locked.status = EVALUATION_MOVES.target(STEP_REPORTED, locked.status)
            locked.reported_at = db_now()
            schedule(locked)
            locked.save(update_fields=["status", "reported_at", "next_check_at"])
            event_append(action="evaluation.report.completed", actor=actor, obj=locked,
                         payload={"sha256": report.sha256, "signatures": len(signed)})
    return signature


# --- publicity, objections, award, contract ---------------------------------------------------------------------


def ranked(evaluation: Evaluation) -> list[dict[str, Any]]:
    rows = [r for r in (evaluation.outcome or {}).get("rows", []) if r.get("rank")]
    return sorted(rows, key=lambda r: int(r["rank"]))


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _works(evaluation: Evaluation) -> bool:
    return evaluation.procedure.project.category == "construction"


def _candidate_publicity(actor: Any, locked: Evaluation, rows: list[dict[str, Any]], again: bool = False) -> Any:
    """The construction candidate publicity (G-033: at most three ranked candidates; G-034: its period)."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType

    procedure, project = locked.procedure, locked.procedure.project
    refs = {t.ref: t for t in locked.tenderers.all()}
    candidates = rows[: int(rule_param("G-033", "max"))]
    lines = "；".join(
        f"{i}. {refs[r['ref']].name} {_money(refs[r['ref']].effective_price)}元 "
        f"工期{refs[r['ref']].terms.get('duration_days', '—')}天 质量{refs[r['ref']].terms.get('quality', '—')}"
        for i, r in enumerate(candidates, start=1))
    objection_line = _("In writing on the platform (evaluation page, “Objections”) during the publicity period.")
    return notice_publish(
        actor=actor, notice_type=NoticeType.CANDIDATE_PUBLICITY, region=project.centre.region,
        title=f"{project.name} {locked.lot.name} 中标候选人公示{'（重新公示）' if again else ''}", project=project,
        owner=f"{OWNER_PREFIX}:{locked.pk}",
        fields={"project_name_code": f"{project.name}（{procedure.code or procedure.pk}）{locked.lot.name}",
                "candidates": lines,
                "evaluation": _("Evaluated by %(n)s members; totals: %(totals)s") % {
                    "n": len(seated(locked)),
                    "totals": "，".join(f"{refs[r['ref']].name} {r['total']}" for r in candidates)},
                "objection_channel": str(objection_line)})


def publicity_publish(*, actor: Any, evaluation: Evaluation) -> Any:
    """Publish the candidate publicity (工程, ≤ 3 ranked candidates, G-033/G-034) or the result notice (政采,
    with the experts' names, M87 第69条) through the notices app, with its legal period."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType

    if not (is_buyer(actor, evaluation) or is_organiser(actor, evaluation)):
        raise PermissionDenied(_("Only the purchaser side or the centre's staff publish the result."))
    with transaction.atomic():
        locked = _lock(evaluation)
        target = EVALUATION_MOVES.target(STEP_PUBLISH, locked.status)
        procedure, project = locked.procedure, locked.procedure.project
        refs = {t.ref: t for t in locked.tenderers.all()}
        rows = ranked(locked)
        project_line = f"{project.name}（{procedure.code or procedure.pk}）{locked.lot.name}"
        if _works(locked):
            notice = _candidate_publicity(actor, locked, rows)
        else:
            first = refs[rows[0]["ref"]]
            experts = "、".join(m.name for m in seated(locked) if m.kind == MemberKind.EXPERT)
            # Negotiation, consultation and RFQ end in a deal (成交), tenders in an award (中标).
            deal = procedure.method in ROUND_METHODS or procedure.method == "procurement_rfq"
            notice = notice_publish(
                actor=actor, notice_type=NoticeType.DEAL_RESULT if deal else NoticeType.AWARD_RESULT,
                region=project.centre.region, project=project, owner=f"{OWNER_PREFIX}:{locked.pk}",
                title=f"{project.name} {locked.lot.name} {'成交' if deal else '中标'}结果公告",
                fields={"purchaser": project.owner.name, "project_name_code": project_line,
                        "supplier" if deal else "winner": f"{first.name} {_money(first.effective_price)}元",
                        "main_items": locked.lot.name, "experts": experts})
            locked.named_ref = first.ref
        locked.status, locked.publicity_notice_id = target, notice.pk
        schedule(locked)
        locked.save(update_fields=["status", "publicity_notice_id", "named_ref", "next_check_at"])
        event_append(action="evaluation.publicity.published", actor=actor, obj=locked,
                     payload={"notice": notice.code, "type": notice.type})
    return notice


def publicity_closed(notice: Any) -> None:
    """notices' publicity handler: the window of the evaluation's notice has closed."""
    pk = int(notice.owner.rsplit(":", 1)[1])
    evaluation = Evaluation.objects.select_for_update().filter(pk=pk).first()
    if evaluation is None or evaluation.publicity_notice_id != notice.pk:
        return
    evaluation.publicity_closed_at = notice.publicity_closed_at
    evaluation.save(update_fields=["publicity_closed_at"])
    event_append(action="evaluation.publicity.closed", actor="worker", obj=evaluation,
                 payload={"notice": notice.code})


def objection_window_open(evaluation: Evaluation, now: dt.datetime | None = None) -> bool:
    """Works: during the candidate publicity (G-034). Procurement: 7 working days from the result notice
    (P-040), so also after the award until then."""
    from yangguang.notices.models import Notice

    if evaluation.publicity_notice_id is None:
        return False
    notice = Notice.objects.get(pk=evaluation.publicity_notice_id)
    now = now or db_now()
    if _works(evaluation):
        return evaluation.publicity_closed_at is None and (notice.publicity_closes_at is None
                                                           or now < notice.publicity_closes_at)
    # A correction naming a new winner (re-award) opens the challenge period again from its publication.
    latest = Notice.objects.filter(corrects_id=notice.pk).order_by("-published_at").first() or notice
    until = deadline(latest.published_at, int(rule_param("P-040")), str(rule_param("P-040", "unit"))).at
    return now < until


def objection_file(*, actor: Any, evaluation: Evaluation, text: str) -> Objection:
    body = _reason(text, "text")
    if tenderer_of(actor, evaluation) is None:
        raise PermissionDenied(_("Only a bidder of this evaluation may object to its result."))
    with transaction.atomic():
        locked = _lock(evaluation)
        _in(locked, EvaluationStatus.PUBLICITY, EvaluationStatus.AWARDED)
        if not objection_window_open(locked):
            raise IllegalTransition(_("The period for objections has ended."), code="window_closed")
        now = db_now()
        objection = Objection.objects.create(evaluation=locked, organisation_id=actor.organisation_id, text=body,
                                             filed_by=actor, filed_at=now, reply_due=reply_due(locked, now))
        schedule(locked)
        locked.save(update_fields=["next_check_at"])
        event_append(action="evaluation.objection.filed", actor=actor, obj=locked,
                     payload={"objection": objection.pk, "reply_rule": reply_rule(locked)[0],
                              "reply_due": objection.reply_due.isoformat() if objection.reply_due else None})
    return objection


def objection_answer(*, actor: Any, objection: Objection, answer: str) -> Objection:
    text = _reason(answer, "answer")
    _buyer(actor, objection.evaluation)
    with transaction.atomic():
        evaluation = _lock(objection.evaluation)
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.answered_at is not None:
            raise IllegalTransition(_("This objection is already answered."), code="answered")
        locked.answer, locked.answered_by, locked.answered_at = text, actor, db_now()
        late = locked.reply_due is not None and locked.answered_at > locked.reply_due
        locked.reply_overdue = locked.reply_overdue or late
        locked.save(update_fields=["answer", "answered_by", "answered_at", "reply_overdue"])
        schedule(evaluation)
        evaluation.save(update_fields=["next_check_at"])
        event_append(action="evaluation.objection.answered", actor=actor, obj=evaluation,
                     payload={"objection": locked.pk, "late": late})
    return locked


def _open_objections(evaluation: Evaluation) -> None:
    if evaluation.objections.filter(answered_at=None).exists():
        raise IllegalTransition(_("An objection is open: the step waits for its answer."), code="objection_open")


def _award_pdf(evaluation: Evaluation, tenderer: Tenderer, price: Decimal, when: dt.datetime) -> bytes:
    from yangguang.core.pdf import Document

    project, procedure = evaluation.procedure.project, evaluation.procedure
    title = "中标通知书 Notice of Award" if _works(evaluation) or procedure.method.endswith("open") \
        else "成交通知书 Notice of Deal"
    doc = Document(title, subtitle=f"{procedure.code or procedure.pk} · {evaluation.lot.name}")
    doc.paragraph(f"{tenderer.name}（统一社会信用代码 {tenderer.credit_code}）：")
    doc.paragraph(f"你方参加的“{project.name}”{evaluation.lot.name}，经评标委员会评审并依法公示，"
                  f"确定你方为中标（成交）人，中标（成交）价 {_money(price)} 元。"
                  f"请自本通知书发出之日起 {rule_param('G-038' if _works(evaluation) else 'P-035')} 日内"
                  f"与招标人（采购人）{project.owner.name} 签订书面合同。")
    doc.paragraph(f"Your bid for “{project.name}” ({evaluation.lot.name}) has been selected at {_money(price)} yuan. "
                  "Please sign the written contract within the legal period from this notice.")
    doc.paragraph(f"{project.owner.name}　{local_date(when):%Y-%m-%d}")
    return doc.to_bytes()


CONTRACT_FIELDS = ("parties", "subject", "quantity", "quality", "price", "performance", "acceptance", "liability",
                   "disputes")
MAX_FIELD = 1000


def candidates_left(evaluation: Evaluation) -> list[Tenderer]:
    """The ranked candidates still on the award path, in rank order (withdrawn ones skipped)."""
    refs = {t.ref: t for t in evaluation.tenderers.all()}
    return [refs[r["ref"]] for r in ranked(evaluation) if r["ref"] in refs and not refs[r["ref"]].withdrawn_ground]


def blacklist_periods(organisation_id: int, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The supplier pool's blacklist periods of the organisation in force at ``now`` (not lifted, started, not
    ended) — read from the periods themselves, not from the profile's derived ``credit_status``, which the
    suppliers' chronograph only refreshes at period boundaries."""
    from yangguang.suppliers.models import BlacklistEntry

    return list(BlacklistEntry.objects.filter(supplier__organisation_id=organisation_id, lifted_at=None,
                                              starts_at__lte=now, ends_at__gt=now)
                .order_by("starts_at").values_list("starts_at", "ends_at"))


def recheck_problems(evaluation: Evaluation, tenderer: Tenderer) -> list[str]:
    """What the platform knows that needs the committee's re-check before the award notice (G-036): the
    candidate blacklisted now (a period in force in the supplier pool, or the pool's credit status), or its
    bid security refunded or withdrawn before the award.

    Securities on a re-award: 工程 holds the candidates' securities until the contract (G-016), so the next
    candidate's must still be held. 政采 refunds every other supplier's within 5 working days of the award
    notice (P-014), so a security refunded by this evaluation's own earlier award does not count against the
    next candidate (the award event records ``security: refunded_by_earlier_award``)."""
    from yangguang.suppliers.models import SupplierProfile
    from yangguang.suppliers.states import CreditStatus
    from yangguang.tendering.models import BidSecurity

    problems: list[str] = []
    if tenderer.organisation_id is None:
        return problems
    periods = blacklist_periods(tenderer.organisation_id, db_now())
    for starts, ends in periods:
        problems.append(_("%(ref)s is blacklisted from %(start)s to %(end)s.") % {
            "ref": tenderer.ref, "start": f"{local_date(starts):%Y-%m-%d}", "end": f"{local_date(ends):%Y-%m-%d}"})
    if not periods and SupplierProfile.objects.filter(organisation_id=tenderer.organisation_id,
                                                      credit_status=CreditStatus.BLACKLISTED).exists():
        problems.append(_("%(ref)s has been blacklisted since its bid.") % {"ref": tenderer.ref})
    securities = BidSecurity.objects.filter(lot=evaluation.lot, organisation_id=tenderer.organisation_id)
    if not _works(evaluation):
        securities = securities.exclude(refund_reference__startswith=f"YG-EVAL-{evaluation.pk}-")
    if securities.exists() and not securities.filter(refunded_at=None).exists():
        problems.append(_("%(ref)s's bid security is no longer held.") % {"ref": tenderer.ref})
    return problems


def _security_note(evaluation: Evaluation, tenderer: Tenderer) -> str:
    """For the award event: whether the winner's bid security is held, or why not (see recheck_problems)."""
    from yangguang.tendering.models import BidSecurity

    if tenderer.organisation_id is None:
        return "none"
    securities = BidSecurity.objects.filter(lot=evaluation.lot, organisation_id=tenderer.organisation_id)
    if not securities.exists():
        return "none"
    if securities.filter(refunded_at=None).exists():
        return "held"
    return "refunded_by_earlier_award"


def _correct_result_notice(actor: Any, locked: Evaluation, winner: Tenderer, price: Decimal) -> Any:
    """政采 re-award: correct the published result notice through the notices app, naming the new winner."""
    from yangguang.notices.models import Notice
    from yangguang.notices.services import notice_correct

    original = Notice.objects.get(pk=locked.publicity_notice_id or 0)
    named = locked.tenderers.filter(ref=locked.named_ref).first()
    ground = named.get_withdrawn_ground_display() if named is not None else ""
    changes = (f"中标（成交）供应商变更为：{winner.name}，金额 {_money(price)} 元"
               f"（原中标（成交）供应商{'：' + named.name if named else ''}{'，' + str(ground) if ground else ''}；"
               f"依法按评审排序确定下一顺位候选人）。")
    return notice_correct(actor=actor, original=original, title=f"{original.title}（更正）", body_html="",
                          fields={"changes": changes}, reason=str(_("The winner withdrew; the next candidate in "
                                                                    "rank order is awarded.")))


def award_confirm(*, actor: Any, evaluation: Evaluation) -> Award:
    """The purchaser confirms the first candidate still on the award path (G-035: the first-ranked unless it
    gave up or failed the re-check): the award notice (PDF) is issued, the savings recorded and the other
    bidders' securities refunded through tendering. A candidate the platform knows to need the committee's
    re-check (G-036) is refused until the re-check is recorded."""
    from yangguang.tendering.models import BidSecurity
    from yangguang.tendering.services.securities import security_refund

    _buyer(actor, evaluation)
    with transaction.atomic():
        locked = _lock(evaluation)
        target = EVALUATION_MOVES.target(STEP_AWARD, locked.status)
        _open_objections(locked)
        if _works(locked) and locked.publicity_closed_at is None:
            raise IllegalTransition(_("The candidate publicity is still running."), code="publicity_running")
        left = candidates_left(locked)
        if not left:
            raise IllegalTransition(_("No candidate is left: end the evaluation for a new tender."),
                                    code="no_candidate")
        winner = left[0]
        problems = recheck_problems(locked, winner)
        if problems:
            raise ValidationFailed(" ".join([*problems, str(_(
                "The original committee must re-check the candidate (G-036): record its finding before the "
                "award."))]), code="recheck_required", field="tenderer")
        # The award price is what the winner quoted (after correction or the last round), not the evaluated
        # price: a policy deduction only ranks, it is not paid.
        price = winner.effective_price
        now = db_now()
        security = _security_note(locked, winner)
        correction = None
        if not _works(locked) and locked.named_ref and locked.named_ref != winner.ref:
            correction = _correct_result_notice(actor, locked, winner, price)
            locked.named_ref = winner.ref
        stored = file_store(ContentFile(_award_pdf(locked, winner, price, now), name="award.pdf"), folder="evaluation")
        award = Award.objects.create(evaluation=locked, tenderer=winner, price=price,
                                     savings=locked.lot.budget - price, notice_path=stored.path,
                                     notice_sha256=stored.sha256, awarded_by=actor, awarded_at=now,
                                     result_notice_id=correction.pk if correction is not None else None)
        locked.status = target
        locked.award = award
        schedule(locked)
        locked.save(update_fields=["status", "named_ref", "next_check_at"])
        rank = next(int(r["rank"]) for r in ranked(locked) if r["ref"] == winner.ref)
        payload: dict[str, Any] = {"tenderer": winner.ref, "rank": rank, "price": str(price),
                                   "savings": str(award.savings), "notice_sha256": stored.sha256,
                                   "deemed": locked.deemed_award_at is not None, "security": security}
        if correction is not None:
            payload["correction"] = correction.code
        event_append(action="evaluation.award.confirmed", actor=actor, obj=locked, payload=payload)
        # Securities of the others: 政采 within 5 working days of the award notice (P-014), so now; 工程 by 5 days
        # after the contract (G-016) — the other publicised candidates' are held until then for a re-award.
        keep = {t.pk for t in candidates_left(locked)[: int(rule_param("G-033", "max"))]} if _works(locked) else set()
        others = [t.organisation_id for t in locked.tenderers.exclude(pk=winner.pk)
                  if t.organisation_id and t.pk not in keep]
        for held in BidSecurity.objects.filter(lot=locked.lot, organisation_id__in=others, refunded_at=None):
            security_refund(actor=actor, security=held, reference=f"YG-EVAL-{locked.pk}-AWARD")
    return award


def candidate_withdraw(*, actor: Any, evaluation: Evaluation, tenderer: Tenderer, ground: str, reason: str
                       ) -> Evaluation:
    """A ranked candidate leaves the award path: it gave up, cannot perform, gave no performance security
    (G-035), or the original committee's re-check found it no longer fit (G-036). If it held the award, the
    award is withdrawn (its notice stays in the log) and the purchaser confirms the next candidate in order, or
    ends the evaluation for a new tender (:func:`evaluation_retender`)."""
    text = _reason(reason)
    if ground not in CandidateGround.values:
        raise ValidationFailed(_("Choose the ground."), code="invalid_ground", field="ground")
    _buyer(actor, evaluation)
    with transaction.atomic():
        locked = _lock(evaluation)
        _in(locked, EvaluationStatus.REPORTED, EvaluationStatus.PUBLICITY, EvaluationStatus.AWARDED)
        candidate = Tenderer.objects.select_for_update().get(pk=tenderer.pk, evaluation=locked)
        if candidate.withdrawn_ground:
            raise IllegalTransition(_("This candidate has already withdrawn."), code="withdrawn")
        if candidate not in candidates_left(locked):
            raise ValidationFailed(_("Only a ranked candidate can withdraw from the award."), code="not_candidate",
                                   field="tenderer")
        candidate.withdrawn_ground, candidate.withdrawn_reason, candidate.withdrawn_at = ground, text, db_now()
        candidate.save(update_fields=["withdrawn_ground", "withdrawn_reason", "withdrawn_at"])
        award = Award.objects.filter(evaluation=locked).first()
        revoked = award is not None and award.tenderer_id == candidate.pk
        if award is not None and revoked:
            locked.status = EVALUATION_MOVES.target(STEP_REAWARD, locked.status)
            locked.overdue = [c for c in (locked.overdue or []) if c != "contract"]
            event_append(action="evaluation.award.revoked", actor=actor, obj=locked,
                         payload={"tenderer": candidate.ref, "notice_sha256": award.notice_sha256})
            award.delete()
            remaining = candidates_left(locked)
            if _works(locked) and remaining:
                # The next candidate is publicised again with its legal period before the new award (G-034).
                keep = {t.ref for t in remaining}
                notice = _candidate_publicity(actor, locked, [r for r in ranked(locked) if r["ref"] in keep],
                                              again=True)
                locked.publicity_notice_id, locked.publicity_closed_at = notice.pk, None
                event_append(action="evaluation.publicity.republished", actor=actor, obj=locked,
                             payload={"notice": notice.code, "type": notice.type, "first": remaining[0].ref})
        schedule(locked)
        locked.save(update_fields=["status", "overdue", "publicity_notice_id", "publicity_closed_at",
                                   "next_check_at"])
        left = candidates_left(locked)
        event_append(action="evaluation.candidate.withdrawn", actor=actor, obj=locked,
                     payload={"tenderer": candidate.ref, "ground": ground, "award_revoked": revoked,
                              "next": left[0].ref if left else None})
    return locked


def evaluation_retender(*, actor: Any, evaluation: Evaluation, reason: str) -> Any:
    """End the evaluation after the report for a new tender (G-035: the tenderer may re-tender instead of
    awarding the next candidate; 政采 废标 when no candidate is left). Publishes the failed-tender notice."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType

    text = _reason(reason)
    _buyer(actor, evaluation)
    with transaction.atomic():
        locked = _lock(evaluation)
        target = EVALUATION_MOVES.target(STEP_RETENDER, locked.status)
        if locked.status == EvaluationStatus.AWARDED:
            raise IllegalTransition(_("The award stands: withdraw the winner first."), code="awarded")
        _open_objections(locked)
        procedure, project = locked.procedure, locked.procedure.project
        rule = "G-035" if _works(locked) else "P-048"
        notice = notice_publish(
            actor=actor, notice_type=NoticeType.FAILED_TENDER, region=project.centre.region, project=project,
            title=f"{project.name} {locked.lot.name} 招标失败公告", owner=f"{OWNER_PREFIX}:{locked.pk}",
            fields={"project_name_code": f"{project.name}（{procedure.code or procedure.pk}）{locked.lot.name}",
                    "ground": text, "legal_basis": rule, "next_step": "重新招标"})
        locked.status, locked.failure_reason = target, text
        schedule(locked)
        locked.save(update_fields=["status", "failure_reason", "next_check_at"])
        event_append(action="evaluation.evaluation.retender", actor=actor, obj=locked,
                     payload={"notice": notice.code, "rule": rule})
    return notice


def contract_fields_clean(fields: dict[str, Any] | None) -> dict[str, str]:
    """The contract notice's legal fields (GPLR 第50条, M87 第72条): every one required, free of secrets by
    the purchaser's choice of wording, at most 1000 characters each."""
    clean: dict[str, str] = {}
    for key in CONTRACT_FIELDS:
        if key == "price":
            continue
        value = str((fields or {}).get(key) or "").strip()
        if not value:
            raise ValidationFailed(_("Fill in every field of the contract notice."), code="required", field=key)
        if len(value) > MAX_FIELD:
            raise ValidationFailed(_("At most 1000 characters."), code="too_long", field=key)
        clean[key] = value
    return clean


def contract_record(*, actor: Any, evaluation: Evaluation, signed_on: dt.date, price: Any,
                    fields: dict[str, Any] | None = None) -> Contract:
    """Record the signed contract (its date against the legal period from the award, G-038 / P-035, flagged
    late past it), publish the contract notice with its legal fields at once (P-036: flagged late when the
    recording comes after its deadline) and refund the winner's security."""
    from yangguang.notices.services import notice_publish
    from yangguang.notices.states import NoticeType
    from yangguang.tendering.models import BidSecurity
    from yangguang.tendering.services.securities import security_refund

    _buyer(actor, evaluation)
    amount = _decimal(price, "price").quantize(Decimal("0.01"))
    extra = contract_fields_clean(fields)
    with transaction.atomic():
        locked = _lock(evaluation)
        target = EVALUATION_MOVES.target(STEP_CONTRACT, locked.status)
        _open_objections(locked)
        award = Award.objects.select_related("tenderer").get(evaluation=locked)
        awarded_on = local_date(award.awarded_at)
        now = db_now()
        if signed_on < awarded_on or signed_on > local_date(now):
            raise ValidationFailed(_("The contract date must lie between the award and today."),
                                   code="invalid_date", field="signed_on")
        if amount != award.price:
            raise ValidationFailed(_("The contract price must be the award price (%(price)s yuan).")
                                   % {"price": _money(award.price)}, code="price_differs", field="price")
        rule = "G-038" if _works(locked) else "P-035"
        limit = deadline(award.awarded_at, int(rule_param(rule)), str(rule_param(rule, "unit")))
        late = signed_on > limit.last_day
        project = locked.procedure.project
        due = deadline(signed_on, int(rule_param("P-036")), str(rule_param("P-036", "unit"))).at
        notice = notice_publish(
            actor=actor, notice_type=NoticeType.CONTRACT, region=project.centre.region, project=project,
            category=project.category, title=f"{project.name} {locked.lot.name} 合同公告",
            owner=f"{OWNER_PREFIX}:{locked.pk}", fields={**extra, "price": f"{_money(amount)} 元"})
        contract = Contract.objects.create(evaluation=locked, signed_on=signed_on, price=amount, signed_late=late,
                                           notice_id=notice.pk, notice_due=due, notice_late=now > due,
                                           recorded_by=actor, recorded_at=now)
        locked.status = target
        schedule(locked)
        locked.save(update_fields=["status", "next_check_at"])
        event_append(action="evaluation.contract.recorded", actor=actor, obj=locked,
                     payload={"signed_on": signed_on.isoformat(), "price": str(amount), "late": late,
                              "rule": rule, "notice": notice.code, "notice_late": contract.notice_late})
        # The winner's and (工程) the other candidates' securities held for a re-award (G-016, P-014).
        orgs = [t.organisation_id for t in locked.tenderers.all() if t.organisation_id]
        for security in BidSecurity.objects.filter(lot=locked.lot, organisation_id__in=orgs, refunded_at=None):
            security_refund(actor=actor, security=security, reference=f"YG-EVAL-{locked.pk}-CONTRACT")
    return contract
