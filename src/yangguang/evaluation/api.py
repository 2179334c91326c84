"""Evaluation API: the room overview, a member's own scores (draft, save, submit), report signatures, sealed
negotiation quotes, and a bidder's own result and objections. Scores and quotes are read only through
:mod:`.selectors`, which keep every member's sheet secret until it is submitted and every quote until its
round closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound

from . import selectors, services
from .access import READER_ROLES, evaluation_visible, tenderer_of
from .models import Evaluation, Round

router = Router(tags=["evaluation"])


class TendererOut(Schema):
    id: int
    ref: str
    name: str
    price: Decimal
    qualified: bool | None
    abnormally_low: bool


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    state: str
    is_chair: bool
    signed_in: bool
    submitted: bool


class EvaluationOut(Schema):
    id: int
    procedure_id: int
    lot_id: int
    status: str
    method: str
    tenderers: list[TendererOut]
    members: list[MemberOut]
    ranking: list[dict[str, Any]] | None
    report_sha256: str | None


class ScoreIn(Schema):
    tenderer_id: int
    criterion: str
    points: Decimal


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ScoreOut(Schema):
    member_id: int
    tenderer_ref: str
    criterion: str
    points: Decimal
    submitted: bool


class DeclarationIn(Schema):
    conflicts: dict[int, str] = {}


class QuoteIn(Schema):
    price: Decimal


class QuoteOut(Schema):
    tenderer_ref: str
    price: Decimal
    submitted_at: dt.datetime


class TextIn(Schema):
    text: str


class ResultOut(Schema):
    ref: str
    public: bool
    qualified: bool | None
    total: str | None
    rank: int | None
    rejections: list[dict[str, str]]


def _evaluation(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = get_object_or_404(Evaluation.objects.select_related("procedure__project", "lot"), pk=pk)
    if not evaluation_visible(request.user, evaluation):
        raise NotFound(_("No such evaluation."))
    return evaluation


def _overview(evaluation: Evaluation) -> dict[str, Any]:
    report = getattr(evaluation, "report", None)
    return {
        "id": evaluation.pk, "procedure_id": evaluation.procedure_id, "lot_id": evaluation.lot_id,
        "status": evaluation.status, "method": evaluation.config.get("method", ""),
        "tenderers": [{"id": t.pk, "ref": t.ref, "name": t.name, "price": t.price, "qualified": t.qualified,
                       "abnormally_low": t.abnormally_low} for t in evaluation.tenderers.order_by("pk")],
        "members": [{"id": m.pk, "name": m.name, "kind": m.kind, "state": m.state, "is_chair": m.is_chair,
                     "signed_in": m.signed_in_at is not None, "submitted": m.scores_submitted_at is not None}
                    for m in evaluation.members.order_by("pk")],
        "ranking": services.ranked(evaluation) or None,
        "report_sha256": report.sha256 if report else None,
    }


@router.get("/", auth=django_auth, response=list[dict[str, Any]])
def evaluation_list(request: HttpRequest) -> list[dict[str, Any]]:
    api_require(request, *READER_ROLES, Role.SUPPLIER)
    return [{"id": e.pk, "procedure": e.procedure.title, "lot": e.lot.name, "status": e.status}
            for e in selectors.evaluations_for(request.user)[:200]]


@router.get("/{pk}", auth=django_auth, response=EvaluationOut)
def evaluation_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    api_require(request, *READER_ROLES)
    return _overview(_evaluation(request, pk))


@router.get("/{pk}/scores", auth=django_auth, response=list[ScoreOut])
def scores_get(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    api_require(request, *READER_ROLES)
    evaluation = _evaluation(request, pk)
    return [{"member_id": s.member_id, "tenderer_ref": s.tenderer.ref, "criterion": s.criterion, "points": s.points,
             "submitted": s.member.scores_submitted_at is not None}
            for s in selectors.scores_visible(request.user, evaluation)]


@router.post("/{pk}/scores", auth=django_auth, response={200: dict[str, int]})
def scores_save(request: HttpRequest, pk: int, data: ScoresIn) -> dict[str, int]:
    api_require(request, Role.EXPERT, Role.PURCHASER)
    evaluation = _evaluation(request, pk)
    saved = services.score_save(actor=request.user, evaluation=evaluation,
                                scores=[(s.tenderer_id, s.criterion, s.points) for s in data.scores])
    return {"saved": saved}


@router.post("/{pk}/scores/submit", auth=django_auth, response={200: dict[str, str]})
def scores_submit(request: HttpRequest, pk: int) -> dict[str, str]:
    api_require(request, Role.EXPERT, Role.PURCHASER)
    member = services.scores_submit(actor=request.user, evaluation=_evaluation(request, pk))
    assert member.scores_submitted_at is not None
    return {"submitted_at": member.scores_submitted_at.isoformat()}


@router.post("/{pk}/declarations", auth=django_auth, response={200: dict[str, Any]})
def declarations(request: HttpRequest, pk: int, data: DeclarationIn) -> dict[str, Any]:
    api_require(request, Role.EXPERT, Role.PURCHASER)
    replacement = services.conflict_declare(actor=request.user, evaluation=_evaluation(request, pk),
                                            conflicts=dict(data.conflicts))
    return {"replaced": bool(data.conflicts), "replacement_seated": replacement is not None}


@router.post("/{pk}/report/sign", auth=django_auth, response={200: dict[str, str]})
def report_sign(request: HttpRequest, pk: int) -> dict[str, str]:
    api_require(request, Role.EXPERT, Role.PURCHASER)
    signature = services.report_sign(actor=request.user, evaluation=_evaluation(request, pk))
    return {"sha256": signature.sha256, "signed_at": signature.signed_at.isoformat()}


def _round(request: HttpRequest, pk: int) -> Round:
    rnd = get_object_or_404(Round.objects.select_related("evaluation__procedure__project"), pk=pk)
    if not (evaluation_visible(request.user, rnd.evaluation) or tenderer_of(request.user, rnd.evaluation)):
        raise NotFound(_("No such round."))
    return rnd


@router.get("/rounds/{pk}/quotes", auth=django_auth, response=list[QuoteOut])
def quotes_get(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    api_require(request, *READER_ROLES, Role.SUPPLIER)
    rnd = _round(request, pk)
    return [{"tenderer_ref": q.tenderer.ref, "price": q.price, "submitted_at": q.submitted_at}
            for q in selectors.quotes_visible(request.user, rnd)]


@router.post("/rounds/{pk}/quotes", auth=django_auth, response={200: dict[str, str]})
def quote_submit(request: HttpRequest, pk: int, data: QuoteIn) -> dict[str, str]:
    api_require(request, Role.SUPPLIER)
    quote = services.quote_submit(actor=request.user, round=_round(request, pk), price=data.price)
    return {"submitted_at": quote.submitted_at.isoformat()}


def _as_bidder(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = get_object_or_404(Evaluation.objects.select_related("procedure__project"), pk=pk)
    if tenderer_of(request.user, evaluation) is None:
        raise NotFound(_("No such evaluation."))
    return evaluation


@router.get("/{pk}/result", auth=django_auth, response=ResultOut)
def result_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    api_require(request, Role.SUPPLIER)
    result = selectors.result_for_bidder(request.user, _as_bidder(request, pk))
    assert result is not None
    row = result["row"] or {}
    return {"ref": result["tenderer"].ref, "public": result["public"],
            "qualified": result["tenderer"].qualified if result["public"] else None,
            "total": str(row["total"]) if row else None, "rank": row.get("rank") if row else None,
            "rejections": [{"item": r.item, "reason": r.reason} for r in result["reviews"]]}


@router.post("/{pk}/objections", auth=django_auth, response={201: dict[str, int]})
def objection_file(request: HttpRequest, pk: int, data: TextIn) -> tuple[int, dict[str, int]]:
    api_require(request, Role.SUPPLIER)
    objection = services.objection_file(actor=request.user, evaluation=_as_bidder(request, pk), text=data.text)
    return 201, {"id": objection.pk}
