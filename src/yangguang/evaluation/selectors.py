"""Reads of evaluations. Scores and sealed quotes are read ONLY here, row by row under the secrecy rules:

* a member's scores: the member always; anyone else who may see the evaluation only once that member has
  submitted (``Member.scores_submitted_at``) — never before, whatever the role;
* a round's quotes: the quoting bidder its own; everyone else only after the round has closed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, visible_region_ids
from yangguang.accounts.states import Role

from .access import evaluation_visible, member_of, tenderer_of
from .models import Evaluation, Member, Quote, Round, Score
from .states import MemberState


def evaluations_for(user: Any) -> QuerySet[Evaluation]:
    """The evaluations a user may open (same rules as ``access.evaluation_visible``, as one query)."""
    qs = Evaluation.objects.select_related("procedure__project", "lot")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if has_role(user, Role.PLATFORM_ADMIN):
        return qs
    if has_role(user, Role.EXPERT):
        return qs.filter(members__user=user).distinct()
    if user.organisation_id is None:
        return qs.none()
    if has_role(user, Role.CENTRE_STAFF):
        return qs.filter(procedure__project__centre__region_id=user.organisation.region_id)
    if has_role(user, *SUPERVISORY_ROLES):
        return qs.filter(procedure__project__region_id__in=visible_region_ids(user) or set())
    if has_role(user, Role.PURCHASER, Role.AGENCY):
        org = user.organisation_id
        return qs.filter(Q(procedure__project__owner_id=org) | Q(procedure__project__agency_id=org)
                         | Q(members__user=user)).distinct()
    if has_role(user, Role.SUPPLIER):
        return qs.filter(tenderers__organisation_id=user.organisation_id).distinct()
    return qs.none()


def scores_visible(user: Any, evaluation: Evaluation) -> list[Score]:
    """The score rows ``user`` may read in this evaluation (see the module text)."""
    own = member_of(user, evaluation)
    if own is None and not evaluation_visible(user, evaluation):
        return []
    condition = Q(member__scores_submitted_at__isnull=False)
    if own is not None:
        condition |= Q(member=own)
    return list(Score.objects.filter(condition, member__evaluation=evaluation)
                .select_related("member", "tenderer").order_by("member_id", "tenderer_id", "criterion"))


def own_sheet(member: Member) -> dict[tuple[int, str], Decimal]:
    return {(s.tenderer_id, s.criterion): s.points for s in Score.objects.filter(member=member)}


def progress(evaluation: Evaluation) -> list[dict[str, Any]]:
    """Per seated member: signed in, declared, submitted, signed — facts, never scores."""
    from .models import ConflictDeclaration, ReportSignature

    tenderers = evaluation.tenderers.count()
    signed = set(ReportSignature.objects.filter(report__evaluation=evaluation).values_list("member_id", flat=True))
    rows = []
    for m in evaluation.members.order_by("pk"):
        declared = ConflictDeclaration.objects.filter(member=m).count()
        rows.append({"member": m, "declared": declared >= tenderers and tenderers > 0,
                     "submitted": m.scores_submitted_at is not None, "signed": m.pk in signed,
                     "seated": m.state == MemberState.SEATED})
    return rows


def quotes_visible(user: Any, rnd: Round) -> list[Quote]:
    evaluation = rnd.evaluation
    if rnd.closed_at is not None and evaluation_visible(user, evaluation):
        return list(rnd.quotes.select_related("tenderer").order_by("tenderer_id"))
    mine = tenderer_of(user, evaluation)
    if mine is None:
        return []
    return list(rnd.quotes.filter(tenderer=mine).select_related("tenderer"))


def result_for_bidder(user: Any, evaluation: Evaluation) -> dict[str, Any] | None:
    """A bidder's own result once it is public (from the publicity on): its review outcome with reasons,
    its total and rank — and nothing about the other bidders beyond the published notice."""
    from .states import AFTER_REPORT, EvaluationStatus

    mine = tenderer_of(user, evaluation)
    if mine is None:
        return None
    public = evaluation.status in AFTER_REPORT and evaluation.status != EvaluationStatus.REPORTED
    row = None
    if public:
        row = next((r for r in (evaluation.outcome or {}).get("rows", []) if r["ref"] == mine.ref), None)
    return {"tenderer": mine, "public": public, "row": row,
            "reviews": list(mine.reviews.filter(passed=False)) if public else [],
            "objections": list(evaluation.objections.filter(organisation_id=user.organisation_id))}


def lots_ready(user: Any) -> list[Any]:
    """Lots whose opening is concluded and whose evaluation is not open yet, for the organisers and the
    buyer side of their procedures (the evaluation is opened from the list)."""
    from yangguang.tendering.access import procedures_visible
    from yangguang.tendering.models import Lot

    if not has_role(user, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY):
        return []
    procedures = procedures_visible(user)
    return list(Lot.objects.filter(procedure__in=procedures, opening__status="concluded", evaluation__isnull=True)
                .select_related("procedure").order_by("-pk")[:100])
