"""Pages of the evaluation: the room overview (centre staff, purchaser side, supervisors, members), the
expert's scoring screen, a bidder's own result (quotes of a negotiation round, objections) and the report.
Rules live in services, access and selectors; a view collects input and shows the outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from yangguang.accounts.access import forbidden, role_required
from yangguang.accounts.models import User
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.errors import ServiceError, ValidationFailed

from . import selectors, services
from .access import READER_ROLES, evaluation_visible, is_buyer, is_organiser, member_of, seated_member, tenderer_of
from .models import Evaluation, Member, Objection, Review, Round, Tenderer
from .states import AFTER_REPORT, AmendmentGround, CandidateGround, EvaluationStatus, MemberKind
from .timers import LABELS, timers

ALL_SIGNED_IN = frozenset(Role.values)


def _get(pk: int) -> Evaluation:
    return get_object_or_404(Evaluation.objects.select_related("procedure__project__centre", "lot"), pk=pk)


@role_required(*READER_ROLES, Role.SUPPLIER)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/index.html",
                  {"evaluations": selectors.evaluations_for(request.user)[:200],
                   "lots": selectors.lots_ready(request.user),
                   "supplier": getattr(request.user, "role", "") == Role.SUPPLIER})


@require_POST
@role_required(Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY)
def open_lot(request: HttpRequest, lot_pk: int) -> HttpResponse:
    """Open the evaluation of a lot whose opening is concluded, with the bids the opening record holds."""
    from yangguang.tendering.models import Lot

    lot = get_object_or_404(Lot.objects.select_related("procedure__project"), pk=lot_pk)
    try:
        evaluation = services.evaluation_open(actor=request.user, lot=lot)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("evaluation:index")
    messages.success(request, _("The evaluation is open: seat the committee."))
    return redirect("evaluation:room", pk=evaluation.pk)


def _released_draws(evaluation: Evaluation) -> list[Any]:
    from yangguang.experts.models import Draw

    return list(Draw.objects.filter(request__project_id=evaluation.procedure.project_id, released_at__isnull=False)
                .order_by("-pk"))


@role_required(*READER_ROLES)
def room(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _get(pk)
    user = request.user
    if not evaluation_visible(user, evaluation):
        return forbidden(request, _("This evaluation is not yours to see."))
    me = seated_member(user, evaluation)
    organiser, buyer = is_organiser(user, evaluation), is_buyer(user, evaluation)
    status = evaluation.status
    tenderers = list(evaluation.tenderers.order_by("pk"))
    reviews: dict[int, dict[str, Any]] = {}
    for review in Review.objects.filter(tenderer__evaluation=evaluation):
        reviews.setdefault(review.tenderer_id, {})[review.item] = review
    review_rows = [{"tenderer": t, "items": [(code, label, reviews.get(t.pk, {}).get(code))
                                             for code, _k, label in evaluation.checklist]} for t in tenderers]
    refs = {t.ref: t for t in tenderers}
    ranking = [{**r, "tenderer": refs.get(r["ref"])} for r in services.ranked(evaluation)]
    report = getattr(evaluation, "report", None)
    signed = set(report.signatures.values_list("member_id", flat=True)) if report else set()
    rounds = list(evaluation.rounds.order_by("number"))
    context = {
        "evaluation": evaluation, "procedure": evaluation.procedure, "lot": evaluation.lot, "tenderers": tenderers,
        "progress": selectors.progress(evaluation), "me": me, "organiser": organiser, "buyer": buyer,
        "ranking": ranking, "outcome": evaluation.outcome, "report": report, "signed": signed,
        "review_rows": review_rows, "rounds": [(r, selectors.quotes_visible(user, r)) for r in rounds],
        "objections": list(evaluation.objections.select_related("organisation")),
        "objection_open": evaluation.objections.filter(answered_at=None).exists(),
        "draws": _released_draws(evaluation) if organiser and status == EvaluationStatus.PREPARING
        and not evaluation.members.filter(kind=MemberKind.EXPERT).exists() else [],
        "start_problems": services.start_problems(evaluation) if status == EvaluationStatus.PREPARING else [],
        "candidates": [m for m in services.seated(evaluation) if m.kind == MemberKind.EXPERT],
        "award": getattr(evaluation, "award", None), "contract": getattr(evaluation, "contract", None),
        "timers": timers(evaluation), "timer_missed": any(t.overdue for t in timers(evaluation)),
        "overdue_labels": [str(LABELS[c]) for c in evaluation.overdue or []
                                                         if c in LABELS],
        "reminders": [(r, LABELS.get(r.timer, r.timer)) for r in evaluation.reminders.all()[:20]]
        if buyer or organiser else [],
        "left": services.candidates_left(evaluation) if status in AFTER_REPORT else [],
        "withdrawn": [t for t in tenderers if t.withdrawn_ground], "grounds": CandidateGround.choices,
        "contract_initial": _contract_initial(evaluation) if buyer and status == EvaluationStatus.AWARDED else {},
        "S": EvaluationStatus, "after_report": status in AFTER_REPORT, "today": db_now().date(),
        "round_methods": evaluation.procedure.method in services.ROUND_METHODS,
        "rep_users": (User.objects.filter(organisation_id=evaluation.procedure.project.owner_id, role=Role.PURCHASER)
                      if buyer and status == EvaluationStatus.PREPARING else []),
    }
    return render(request, "evaluation/room.html", context)


def _contract_initial(evaluation: Evaluation) -> dict[str, str]:
    """Suggestions for the contract notice form, from the project and the winning bid; the purchaser edits
    them (and leaves out state and commercial secrets) before recording."""
    award = getattr(evaluation, "award", None)
    if award is None:
        return {}
    project, tenderer = evaluation.procedure.project, award.tenderer
    return {"parties": f"{project.owner.name}；{tenderer.name}", "subject": evaluation.lot.name,
            "quality": str(tenderer.terms.get("quality", "")),
            "performance": (_("%(n)s days") % {"n": tenderer.terms["duration_days"]}
                            if tenderer.terms.get("duration_days") else "")}


def _bool(value: str | None) -> bool:
    return value in ("1", "yes", "true", "on", "pass")


def _step_seat(request: HttpRequest, ev: Evaluation) -> str:
    from yangguang.experts.models import Draw

    draw = Draw.objects.select_related("request").filter(pk=request.POST.get("draw") or 0).first()
    if draw is None:
        raise ValidationFailed(_("Choose a released expert draw."), code="required", field="draw")
    members = services.committee_seat(actor=request.user, evaluation=ev, draw=draw)
    return _("%(n)s experts seated.") % {"n": len(members)}


def _step_rep(request: HttpRequest, ev: Evaluation) -> str:
    user = User.objects.filter(pk=request.POST.get("user") or 0).first()
    if user is None:
        raise ValidationFailed(_("Choose the representative."), code="required", field="user")
    services.representative_add(actor=request.user, evaluation=ev, user=user)
    return _("Representative added.")


def _step_declare(request: HttpRequest, ev: Evaluation) -> str:
    conflicts = {}
    for t in ev.tenderers.all():
        if request.POST.get(f"conflict_{t.pk}"):
            conflicts[t.pk] = (request.POST.get(f"reason_{t.pk}") or "").strip() or _("Declared conflict")
    replacement = services.conflict_declare(actor=request.user, evaluation=ev, conflicts=conflicts)
    if conflicts:
        return (_("You have withdrawn; the next backup expert is called.") if replacement
                else _("You have withdrawn; no backup is left — the centre must request a supplementary draw."))
    return _("Declaration recorded: no conflict with any bidder.")


def _step_vote(request: HttpRequest, ev: Evaluation) -> str:
    candidate = get_object_or_404(Member, pk=request.POST.get("candidate") or 0, evaluation=ev)
    chair = services.chair_vote(actor=request.user, evaluation=ev, candidate=candidate)
    return _("%(name)s is elected chair.") % {"name": chair.name} if chair else _("Vote recorded.")


def _step_review(request: HttpRequest, ev: Evaluation) -> str:
    tenderer = get_object_or_404(Tenderer, pk=request.POST.get("tenderer") or 0, evaluation=ev)
    services.review_record(actor=request.user, evaluation=ev, tenderer=tenderer, item=request.POST.get("item", ""),
                           passed=_bool(request.POST.get("passed")), reason=request.POST.get("reason", ""))
    return _("Review recorded.")


def _step_correction(request: HttpRequest, ev: Evaluation) -> str:
    tenderer = get_object_or_404(Tenderer, pk=request.POST.get("tenderer") or 0, evaluation=ev)
    services.correction_record(actor=request.user, evaluation=ev, tenderer=tenderer,
                               reason=request.POST.get("reason", ""))
    return _("Arithmetic correction recorded.")


def _step_round_open(request: HttpRequest, ev: Evaluation) -> str:
    try:
        minutes = int(request.POST.get("minutes") or 0)
    except ValueError:
        minutes = 0
    services.round_open(actor=request.user, evaluation=ev, minutes=minutes, note=request.POST.get("note", ""))
    return _("Round opened.")


def _step_round_close(request: HttpRequest, ev: Evaluation) -> str:
    rnd = get_object_or_404(Round, pk=request.POST.get("round") or 0, evaluation=ev)
    services.round_close(actor=request.user, round=rnd)
    return _("Round closed; the quotes are open.")


def _step_quote(request: HttpRequest, ev: Evaluation) -> str:
    rnd = get_object_or_404(Round, pk=request.POST.get("round") or 0, evaluation=ev)
    services.quote_submit(actor=request.user, round=rnd, price=request.POST.get("price", ""))
    return _("Your quote is sealed until the round closes.")


def _step_object(request: HttpRequest, ev: Evaluation) -> str:
    services.objection_file(actor=request.user, evaluation=ev, text=request.POST.get("text", ""))
    return _("Objection filed. The purchaser must answer it before the award.")


def _step_answer(request: HttpRequest, ev: Evaluation) -> str:
    objection = get_object_or_404(Objection, pk=request.POST.get("objection") or 0, evaluation=ev)
    services.objection_answer(actor=request.user, objection=objection, answer=request.POST.get("answer", ""))
    return _("Answer recorded.")


def _step_contract(request: HttpRequest, ev: Evaluation) -> str:
    try:
        signed_on = dt.date.fromisoformat(request.POST.get("signed_on", ""))
    except ValueError:
        raise ValidationFailed(_("Enter the signing date as YYYY-MM-DD."), code="invalid_date",
                               field="signed_on") from None
    fields = {key: request.POST.get(key, "") for key in services.CONTRACT_FIELDS if key != "price"}
    contract = services.contract_record(actor=request.user, evaluation=ev, signed_on=signed_on,
                                        price=request.POST.get("price", ""), fields=fields)
    if contract.notice_late:
        return _("Contract recorded and its notice published — after the legal deadline; the delay is on record.")
    return _("Contract recorded and the contract notice published.")


def _step_withdraw(request: HttpRequest, ev: Evaluation) -> str:
    tenderer = Tenderer.objects.filter(pk=request.POST.get("tenderer") or 0, evaluation=ev).first()
    if tenderer is None:
        raise ValidationFailed(_("Choose the candidate."), code="required", field="tenderer")
    services.candidate_withdraw(actor=request.user, evaluation=ev, tenderer=tenderer,
                                ground=request.POST.get("ground", ""), reason=request.POST.get("reason", ""))
    left = services.candidates_left(ev)
    if left:
        return _("Recorded. The award passes to the next candidate in order: %(ref)s.") % {"ref": left[0].ref}
    return _("Recorded. No candidate is left: end the evaluation for a new tender.")


def _step_retender(request: HttpRequest, ev: Evaluation) -> str:
    services.evaluation_retender(actor=request.user, evaluation=ev, reason=request.POST.get("reason", ""))
    return _("The evaluation is ended for a new tender; the failed-tender notice is published.")


def _step_fail(request: HttpRequest, ev: Evaluation) -> str:
    services.evaluation_fail(actor=request.user, evaluation=ev, reason=request.POST.get("reason", ""))
    return _("The evaluation is declared failed.")


def _simple(fn: Callable[..., Any], message: str) -> Callable[[HttpRequest, Evaluation], str]:
    def step(request: HttpRequest, ev: Evaluation) -> str:
        fn(actor=request.user, evaluation=ev)
        return _(message)

    return step


STEPS: dict[str, Callable[[HttpRequest, Evaluation], str]] = {
    "seat": _step_seat, "representative": _step_rep, "declare": _step_declare, "vote": _step_vote,
    "review": _step_review, "correction": _step_correction, "round_open": _step_round_open,
    "round_close": _step_round_close, "quote": _step_quote, "object": _step_object, "answer": _step_answer,
    "contract": _step_contract, "fail": _step_fail, "withdraw": _step_withdraw, "retender": _step_retender,
    "sign_in": _simple(services.member_sign_in, gettext_noop("You are signed in to the session.")),
    "start": _simple(services.evaluation_start, gettext_noop("The session has started.")),
    "scoring": _simple(services.scoring_open, gettext_noop("Reviews closed; scoring is open.")),
    "report": _simple(services.report_generate, gettext_noop("The report is generated; every member now signs it.")),
    "sign": _simple(services.report_sign, gettext_noop("You have signed the report.")),
    "publish": _simple(services.publicity_publish, gettext_noop("The result is published on the portal.")),
    "award": _simple(services.award_confirm, gettext_noop("Award confirmed; the award notice is issued.")),
}


@require_POST
@role_required(*ALL_SIGNED_IN)
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Every step of the room is a POST here; the service decides whether this user may take it."""
    evaluation = _get(pk)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404
    back = "evaluation:result" if step in ("quote", "object") else "evaluation:room"
    if back == "evaluation:room" and not evaluation_visible(request.user, evaluation):
        back = "evaluation:index"
    try:
        messages.success(request, handler(request, evaluation))
    except ServiceError as error:
        messages.error(request, str(error))
    if back == "evaluation:index":
        return redirect(back)
    return redirect(back, pk=evaluation.pk)


@role_required(Role.EXPERT, Role.PURCHASER)
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's own scoring screen: bids (rows) × subjective criteria (columns), nobody else's scores."""
    evaluation = _get(pk)
    member = seated_member(request.user, evaluation)
    if member is None:
        return forbidden(request, _("Only a seated member of this committee scores here."))
    criteria = services.subjective_criteria(evaluation)
    tenderers = list(evaluation.tenderers.filter(qualified=True).order_by("pk"))
    if request.method == "POST":
        rows = []
        for t in tenderers:
            for c in criteria:
                value = (request.POST.get(f"s_{t.pk}_{c['code']}") or "").strip()
                if value:
                    rows.append((t.pk, c["code"], value))
        try:
            if request.POST.get("amend"):
                t = get_object_or_404(Tenderer, pk=request.POST.get("tenderer") or 0, evaluation=evaluation)
                services.score_amend(actor=request.user, evaluation=evaluation, tenderer=t,
                                     criterion=request.POST.get("criterion", ""), points=request.POST.get("points"),
                                     ground=request.POST.get("ground", ""), reason=request.POST.get("reason", ""))
                messages.success(request, _("Amendment recorded with its reason."))
            else:
                if rows:
                    services.score_save(actor=request.user, evaluation=evaluation, scores=rows)
                if request.POST.get("submit"):
                    services.scores_submit(actor=request.user, evaluation=evaluation)
                    messages.success(request, _("Your scores are submitted."))
                else:
                    messages.success(request, _("Draft saved. Only you can see it."))
        except ServiceError as error:
            messages.error(request, str(error))
        return redirect("evaluation:score", pk=evaluation.pk)
    sheet = selectors.own_sheet(member)
    grid = []
    for t in tenderers:
        cells = [{"criterion": c, "value": sheet.get((t.pk, c["code"]))} for c in criteria]
        total = sum((sheet.get((t.pk, c["code"])) or Decimal(0) for c in criteria), Decimal(0))
        grid.append({"tenderer": t, "cells": cells, "total": total})
    outliers = [o for o in (evaluation.outcome or {}).get("outliers", []) if str(o[0]) == str(member.pk)]
    return render(request, "evaluation/score.html", {
        "evaluation": evaluation, "member": member, "criteria": criteria, "grid": grid,
        "submitted": member.scores_submitted_at is not None, "open": evaluation.status == EvaluationStatus.SCORING,
        "grounds": AmendmentGround.choices, "outliers": outliers,
        "max_total": sum((Decimal(str(c["points"])) for c in criteria), Decimal(0))})


@role_required(Role.SUPPLIER)
def result(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _get(pk)
    mine = tenderer_of(request.user, evaluation)
    if mine is None:
        return forbidden(request, _("Your organisation did not bid in this evaluation."))
    open_round = evaluation.rounds.filter(closed_at=None).order_by("-number").first()
    rounds = [(r, selectors.quotes_visible(request.user, r)) for r in evaluation.rounds.order_by("number")]
    return render(request, "evaluation/result.html", {
        "evaluation": evaluation, "result": selectors.result_for_bidder(request.user, evaluation),
        "open_round": open_round, "rounds": rounds, "now": db_now(),
        "may_object": evaluation.status in (EvaluationStatus.PUBLICITY, EvaluationStatus.AWARDED)
        and services.objection_window_open(evaluation)})


@role_required(*READER_ROLES)
def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = _get(pk)
    if not evaluation_visible(request.user, evaluation):
        return forbidden(request)
    report = getattr(evaluation, "report", None)
    if report is None:
        raise Http404
    if member_of(request.user, evaluation) is None and evaluation.status not in AFTER_REPORT \
            and not is_organiser(request.user, evaluation):
        return forbidden(request, _("The report is read by the committee until every member has signed it."))
    response = FileResponse(default_storage.open(report.path, "rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{evaluation.pk}-report.pdf"'
    return response


@role_required(Role.PURCHASER, Role.AGENCY, Role.SUPPLIER, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
def award_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = _get(pk)
    award = getattr(evaluation, "award", None)
    mine = tenderer_of(request.user, evaluation)
    winner = award is not None and mine is not None and mine.pk == award.tenderer_id
    allowed = is_buyer(request.user, evaluation) or is_organiser(request.user, evaluation) or winner
    if not allowed:
        return forbidden(request)
    if award is None:
        raise Http404
    response = FileResponse(default_storage.open(award.notice_path, "rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{evaluation.pk}-award.pdf"'
    return response
