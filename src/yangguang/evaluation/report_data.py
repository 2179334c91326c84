"""The evaluation's data for the report PDF (``report.ReportData``): committee, reviews with reasons, every
member's submitted scores, the computed outcome, corrections, amendments and signatures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yangguang.core.dbclock import db_now
from yangguang.tendering.presets import EvaluationMethod

from .models import Correction, Evaluation, ReportSignature, Review, ScoreAmendment
from .states import MemberKind, MemberState


def build(evaluation: Evaluation) -> Any:
    from .report import (
        AmendmentEntry,
        BidderReview,
        CorrectionEntry,
        MemberEntry,
        ReportData,
        ReviewItem,
        SignatureEntry,
        outcome_load,
    )
    from .services import config_load, scores_matrix

    procedure, project = evaluation.procedure, evaluation.procedure.project
    members = list(evaluation.members.filter(state=MemberState.SEATED).select_related("slot__specialty")
                   .order_by("pk"))
    names = {str(m.pk): m.name for m in members}
    config = config_load(evaluation.config)
    outcome_data = dict(evaluation.outcome or {})
    outcome_data["outliers"] = [[names.get(str(o[0]), str(o[0])), *o[1:]] for o in outcome_data.get("outliers", [])]
    labels = dict(evaluation.checklist and [(c, label) for c, _k, label in evaluation.checklist])
    reviews: dict[int, list[Any]] = {}
    for r in Review.objects.filter(tenderer__evaluation=evaluation).order_by("pk"):
        reviews.setdefault(r.tenderer_id, []).append(ReviewItem(labels.get(r.item, r.item), r.passed, r.reason))
    bidders = [BidderReview(ref=t.ref, name=t.name, price=t.price, compliant=bool(t.qualified),
                            items=tuple(reviews.get(t.pk, [])), enterprise_size=t.enterprise_size)
               for t in evaluation.tenderers.order_by("pk")]
    scores = {names[k]: v for k, v in scores_matrix(evaluation).items() if k in names}
    corrections = [CorrectionEntry(ref=c.tenderer.ref, stated_total=c.stated_total, corrected_total=c.corrected_total,
                                   changes=list(c.changes), reason=c.reason, recorded_by=c.recorded_by.name,
                                   recorded_at=c.recorded_at)
                   for c in Correction.objects.filter(tenderer__evaluation=evaluation).select_related(
                       "tenderer", "recorded_by")]
    amendments = [AmendmentEntry(expert=a.score.member.name, ref=a.score.tenderer.ref, criterion=a.score.criterion,
                                 old=a.old_points, new=a.new_points, ground=a.get_ground_display(), reason=a.reason,
                                 at=a.amended_at)
                  for a in ScoreAmendment.objects.filter(score__member__evaluation=evaluation).select_related(
                      "score__member", "score__tenderer")]
    signatures = [SignatureEntry(name=s.member.name, signed_at=s.signed_at, sha256=s.sha256)
                  for s in ReportSignature.objects.filter(report__evaluation=evaluation).select_related("member")]
    return ReportData(
        procedure_code=procedure.code or str(procedure.pk), procedure_title=procedure.title,
        lot=f"{evaluation.lot.number}. {evaluation.lot.name}",
        method=str(EvaluationMethod.LABELS.get(config.method, config.method)), date=db_now(),
        committee=[MemberEntry(name=m.name, kind="expert" if m.kind == MemberKind.EXPERT else "purchaser_rep",
                               is_chair=m.is_chair, specialty=m.slot.specialty.name if m.slot else "")
                   for m in members],
        reviews=bidders, criteria=list(config.criteria), scores=scores, outcome=outcome_load(outcome_data),
        corrections=corrections, amendments=amendments, signatures=signatures,
        random_value=evaluation.random_value, buyer=project.owner.name,
        agency=project.agency.name if project.agency is not None else "",
        notes=[f"budget {Decimal(evaluation.lot.budget):,.2f}"])
