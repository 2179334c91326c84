"""Reviews, scoring, report, publicity, objections, award and contract — through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.notices.models import Notice
from yangguang.notices.services import notice_publicity_close
from yangguang.projects.funding import trade_status
from yangguang.tendering.models import BidSecurity

from .. import services
from ..models import Award, Report
from ..states import EvaluationStatus
from . import factories as f

pytestmark = pytest.mark.django_db


def _chair(evaluation):
    return next(m for m in f.members(evaluation) if m.is_chair)


def _code(evaluation, kind: str) -> str:
    """The code of the procedure's first criterion of this kind (codes come from the tender documents)."""
    return next(c["code"] for c in evaluation.config["criteria"] if c["kind"] == kind)


def test_a_failed_review_needs_its_reason(demo):
    evaluation = f.started()
    t = evaluation.tenderers.get(ref="T1")
    with pytest.raises(ValidationFailed) as failed:
        services.review_record(actor=_chair(evaluation).user, evaluation=evaluation, tenderer=t, item="substantive",
                               passed=False, reason="  ")
    assert failed.value.code == "reason_required"


def test_scoring_waits_for_every_review_and_scores_only_qualified_bids(demo):
    evaluation = f.started()
    with pytest.raises(ValidationFailed):
        services.scoring_open(actor=f.staff(), evaluation=evaluation)
    evaluation = f.reviewed(evaluation, failing={"T3": "工期不满足招标文件要求"})
    assert evaluation.status == EvaluationStatus.SCORING
    t3 = evaluation.tenderers.get(ref="T3")
    assert t3.qualified is False
    member = f.members(evaluation)[0]
    with pytest.raises(ValidationFailed) as failed:
        services.score_save(actor=member.user, evaluation=evaluation,
                            scores=[(t3.pk, _code(evaluation, "technical"), 10)])
    assert failed.value.code == "not_qualified"


def test_scores_are_checked_against_the_criterion_range_and_completeness(demo):
    evaluation = f.reviewed(f.started())
    member = f.members(evaluation)[0]
    t1 = evaluation.tenderers.get(ref="T1")
    with pytest.raises(ValidationFailed) as failed:
        services.score_save(actor=member.user, evaluation=evaluation,
                            scores=[(t1.pk, _code(evaluation, "technical"), 31)])
    assert failed.value.code == "score_out_of_range"
    with pytest.raises(ValidationFailed):
        services.score_save(actor=member.user, evaluation=evaluation, scores=[(t1.pk, _code(evaluation, "price"), 10)])
    services.score_save(actor=member.user, evaluation=evaluation, scores=[(t1.pk, _code(evaluation, "technical"), 20)])
    with pytest.raises(ValidationFailed) as failed:
        services.scores_submit(actor=member.user, evaluation=evaluation)
    assert failed.value.code == "scores_incomplete"


def test_no_score_reaches_the_log_before_submission_and_the_outcome_is_computed_after_the_last(demo):
    evaluation = f.reviewed(f.started())
    f.score_all(evaluation, submit=False)
    saved = Event.objects.filter(action="evaluation.score.saved")
    assert saved.count() == 5 and all(set(e.payload) == {"member", "count"} for e in saved)
    members = f.members(evaluation)
    for m in members[:-1]:
        services.scores_submit(actor=m.user, evaluation=evaluation)
        evaluation.refresh_from_db()
        assert evaluation.outcome is None
    services.scores_submit(actor=members[-1].user, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.outcome is not None
    ranks = sorted(r["rank"] for r in evaluation.outcome["rows"] if r["rank"])
    assert ranks == [1, 2, 3]
    assert Event.objects.filter(action="evaluation.outcome.computed").count() == 1


def test_an_amendment_needs_a_ground_and_a_reason_and_recomputes(demo):
    evaluation = f.score_all(f.reviewed(f.started()))
    member = f.members(evaluation)[0]
    t1 = evaluation.tenderers.get(ref="T1")
    tech = _code(evaluation, "technical")
    with pytest.raises(ValidationFailed):
        services.score_amend(actor=member.user, evaluation=evaluation, tenderer=t1, criterion=tech, points=5,
                             ground="outlier", reason="")
    with pytest.raises(ValidationFailed):
        services.score_amend(actor=member.user, evaluation=evaluation, tenderer=t1, criterion=tech, points=5,
                             ground="changed_my_mind", reason="x")
    before = evaluation.outcome
    services.score_amend(actor=member.user, evaluation=evaluation, tenderer=t1, criterion=tech, points=1,
                         ground="outlier", reason="录入时误将 21 输为 1 的反向错误")
    evaluation.refresh_from_db()
    assert evaluation.outcome != before


def _to_reported(category="construction", **kwargs):
    return f.signed(f.score_all(f.reviewed(f.started(category, **kwargs))))


def test_report_is_stored_with_its_hash_logged_and_every_member_signs(demo):
    evaluation = f.score_all(f.reviewed(f.started()))
    report = services.report_generate(actor=f.staff(), evaluation=evaluation)
    assert report.size > 1000
    event = Event.objects.get(action="evaluation.report.generated")
    assert event.payload["sha256"] == report.sha256
    members = f.members(evaluation)
    services.report_sign(actor=members[0].user, evaluation=evaluation)
    with pytest.raises(IllegalTransition):
        services.report_sign(actor=members[0].user, evaluation=evaluation)
    for m in members[1:]:
        services.report_sign(actor=m.user, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REPORTED
    signed = Event.objects.filter(action="evaluation.report.signed")
    assert signed.count() == 5 and {e.payload["sha256"] for e in signed} == {report.sha256}
    assert Report.objects.get(evaluation=evaluation).signatures.count() == 5


def test_works_publicity_objection_award_and_contract(demo, user_of):
    evaluation = _to_reported()
    notice = services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    assert notice.type == "candidate_publicity" and notice.publicity_days == 3
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLICITY
    assert trade_status(evaluation.procedure.project).state == "in_progress"
    # A bidder objects; while it is open the award waits (and it waits for the publicity to end anyway).
    loser = evaluation.tenderers.get(ref="T3")
    from yangguang.accounts.models import User

    bidder_user = User.objects.filter(organisation_id=loser.organisation_id).first()
    objection = services.objection_file(actor=bidder_user, evaluation=evaluation, text="对第一名的业绩有异议")
    with pytest.raises(PermissionDenied):
        services.objection_file(actor=user_of("supplier"), evaluation=evaluation, text="不是投标人")
    with pytest.raises(IllegalTransition):
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    services.objection_answer(actor=f.purchaser(), objection=objection, answer="经核查，业绩真实有效。")
    with pytest.raises(IllegalTransition) as running:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert running.value.code == "publicity_running"
    # The publicity window closes (the chronograph's step, run at its end).
    locked = Notice.objects.get(pk=notice.pk)
    assert locked.publicity_closes_at is not None
    notice_publicity_close(locked, locked.publicity_closes_at + dt.timedelta(seconds=1))
    evaluation.refresh_from_db()
    assert evaluation.publicity_closed_at is not None
    with pytest.raises(IllegalTransition):
        services.objection_file(actor=bidder_user, evaluation=evaluation, text="太晚了")
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    first = next(r for r in evaluation.outcome["rows"] if r["rank"] == 1)
    assert award.tenderer.ref == first["ref"]
    assert award.savings == evaluation.lot.budget - award.price
    securities = BidSecurity.objects.filter(lot=evaluation.lot)
    # 工程: the other publicised candidates' securities are held for a re-award until the contract (G-016).
    assert securities.filter(refunded_at__isnull=False).count() == 0
    with pytest.raises(ValidationFailed):
        services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                 price=award.price + 1, fields=f.contract_fields())
    contract = services.contract_record(actor=f.purchaser(), evaluation=evaluation,
                                        signed_on=db_now().date(), price=award.price, fields=f.contract_fields())
    assert not contract.signed_late
    assert securities.filter(refunded_at__isnull=True).count() == 0
    assert Notice.objects.get(pk=contract.notice_id or 0).type == "contract"
    status = trade_status(evaluation.procedure.project)
    assert status.state == "traded"


def test_procurement_result_notice_names_the_experts_and_award_follows(demo):
    evaluation = _to_reported("government_procurement", prices=("900000", "880000", "950000"),
                              budget="1000000.00")
    notice = services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    assert notice.type == "award_result"
    names = [m.name for m in f.members(evaluation)]
    assert all(n in notice.fields["experts"] for n in names)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert Award.objects.get(pk=award.pk).price in {Decimal("900000.00"), Decimal("880000.00"), Decimal("950000.00")}
    # A challenge within the 7 working days after the result notice (P-040) stops the contract (P-042).
    from yangguang.accounts.models import User

    loser = evaluation.tenderers.exclude(pk=award.tenderer_id).first()
    assert loser is not None
    challenger = User.objects.filter(organisation_id=loser.organisation_id).first()
    objection = services.objection_file(actor=challenger, evaluation=evaluation, text="质疑：中标人业绩不实")
    with pytest.raises(IllegalTransition) as waiting:
        services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                 price=award.price, fields=f.contract_fields())
    assert waiting.value.code == "objection_open"
    services.objection_answer(actor=f.purchaser(), objection=objection, answer="经核查，质疑不成立。")
    with pytest.raises(PermissionDenied):
        services.contract_record(actor=f.staff(), evaluation=evaluation, signed_on=db_now().date(),
                                 price=award.price, fields=f.contract_fields())


def test_arithmetic_correction_changes_the_price_used_with_its_reason(demo):
    from ..models import Correction

    evaluation = f.started()
    t1 = evaluation.tenderers.get(ref="T1")
    t1.price_lines = [{"item": "土建", "quantity": "1", "unit_price": "3000000", "amount": "3000000"},
                      {"item": "安装", "quantity": "2", "unit_price": "700000", "amount": "1500000"}]
    t1.save(update_fields=["price_lines"])
    chair = _chair(evaluation)
    with pytest.raises(ValidationFailed):
        services.correction_record(actor=chair.user, evaluation=evaluation, tenderer=t1, reason=" ")
    correction = services.correction_record(actor=chair.user, evaluation=evaluation, tenderer=t1,
                                            reason="分项合价与单价不符，以单价为准")
    t1.refresh_from_db()
    assert correction.corrected_total == Decimal("4400000.00") == t1.effective_price
    assert correction.changes and Correction.objects.filter(tenderer=t1).count() == 1
    t2 = evaluation.tenderers.get(ref="T2")
    with pytest.raises(ValidationFailed) as nothing:
        services.correction_record(actor=chair.user, evaluation=evaluation, tenderer=t2, reason="核对")
    assert nothing.value.code == "no_lines"
