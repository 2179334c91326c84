"""Legal timers after the report (G-034, P-033/P-034, G-038/P-035, P-036) run by the chronograph with the
clock moved forward, and the award path when a candidate gives up or fails the re-check (G-035, G-036)."""

from __future__ import annotations

import datetime as dt

import pytest

from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import deadline
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.notices.models import Notice
from yangguang.rules.selectors import rule_param
from yangguang.tendering.models import BidSecurity

from .. import services, timers
from ..models import Award, Evaluation
from ..states import CandidateGround, EvaluationStatus
from . import factories as f

pytestmark = pytest.mark.django_db

SECOND = f.SECOND


def _ranked_refs(evaluation: Evaluation) -> list[str]:
    return [r["ref"] for r in services.ranked(evaluation)]


# --- timers ---------------------------------------------------------------------------------------------------


def test_candidate_publicity_not_published_in_time_is_flagged_overdue_once(demo):
    evaluation = f.reported()
    assert evaluation.reported_at is not None
    due = deadline(evaluation.reported_at, int(rule_param("G-034", "publish_within_n")), "calendar_day").at
    assert evaluation.next_check_at == due - timers.reminder_lead()  # the reminder comes first
    [timer] = timers.timers(evaluation)
    assert (timer.code, timer.rule, timer.overdue) == ("publish", "G-034", False)
    evaluation = f.tick(evaluation, due - SECOND)
    assert evaluation.overdue == []
    evaluation = f.tick(evaluation, due + SECOND)
    assert evaluation.overdue == ["publish"] and evaluation.next_check_at is None
    event = Event.objects.get(action="evaluation.publish.overdue")
    assert event.payload == {"rule": "G-034", "due": due.isoformat()}
    f.tick(evaluation, due + dt.timedelta(days=3))
    assert Event.objects.filter(action="evaluation.publish.overdue").count() == 1
    # Publishing late is still possible, and the miss stays on record.
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLICITY and evaluation.overdue == ["publish"]
    assert evaluation.next_check_at is None


def test_publishing_in_time_stops_the_timer(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.next_check_at is None
    f.tick(evaluation, db_now() + dt.timedelta(days=30))
    assert not Event.objects.filter(action="evaluation.publish.overdue").exists()


def test_procurement_award_is_deemed_after_five_working_days_then_the_result_notice_is_due(demo):
    evaluation = f.procurement_reported()
    assert evaluation.reported_at is not None
    deemed = deadline(evaluation.reported_at, int(rule_param("P-033", "later_n")), "working_day").at
    assert evaluation.next_check_at == deemed - timers.reminder_lead()  # the reminder comes first
    evaluation = f.tick(evaluation, deemed - SECOND)
    assert evaluation.deemed_award_at is None
    evaluation = f.tick(evaluation, deemed + SECOND)
    assert evaluation.deemed_award_at == deemed
    assert Event.objects.get(action="evaluation.award.deemed").payload["rule"] == "P-033"
    publish_due = deadline(deemed, int(rule_param("P-034")), "working_day").at
    [timer] = timers.timers(evaluation)
    assert (timer.code, timer.rule, timer.due) == ("publish", "P-034", publish_due)
    assert evaluation.next_check_at == publish_due - timers.reminder_lead()  # the reminder comes first
    evaluation = f.tick(evaluation, publish_due + SECOND)
    assert evaluation.overdue == ["publish"]
    # The deemed award goes to the first-ranked candidate.
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.tenderer.ref == _ranked_refs(evaluation)[0]
    assert Event.objects.get(action="evaluation.award.confirmed").payload["deemed"] is True


def test_a_worker_catching_up_applies_the_deemed_award_and_the_overdue_notice_in_one_pass(demo):
    evaluation = f.procurement_reported()
    evaluation = f.tick(evaluation, db_now() + dt.timedelta(days=60))
    assert evaluation.deemed_award_at is not None and evaluation.overdue == ["publish"]
    assert evaluation.next_check_at is None


def test_contract_not_signed_in_time_is_flagged_and_a_late_signature_is_marked(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation = f.publicity_over(evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    evaluation.refresh_from_db()
    due = deadline(award.awarded_at, int(rule_param("G-038")), "calendar_day").at
    assert evaluation.next_check_at == due - timers.reminder_lead()  # the reminder comes first
    evaluation = f.tick(evaluation, due + SECOND)
    assert evaluation.overdue == ["contract"]
    assert Event.objects.get(action="evaluation.contract.overdue").payload["rule"] == "G-038"
    # Move the award back 40 days: a contract signed today is late, and so is the notice of one signed then.
    Award.objects.filter(pk=award.pk).update(awarded_at=award.awarded_at - dt.timedelta(days=40))
    signed_on = (db_now() - dt.timedelta(days=8)).date()
    contract = services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=signed_on,
                                        price=award.price, fields=f.contract_fields())
    assert contract.signed_late is True
    assert contract.notice_late is True  # 8 calendar days after signing > 2 working days (P-036)
    payload = Event.objects.get(action="evaluation.contract.recorded").payload
    assert payload["late"] is True and payload["notice_late"] is True
    evaluation.refresh_from_db()
    assert evaluation.next_check_at is None


def test_contract_recorded_on_the_day_publishes_the_notice_in_time(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    contract = services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                        price=award.price, fields=f.contract_fields())
    assert contract.signed_late is False and contract.notice_late is False
    notice = Notice.objects.get(pk=contract.notice_id or 0)
    assert notice.fields["quantity"] == "1 项" and notice.fields["price"].startswith(f"{award.price:,.2f}")


@pytest.mark.parametrize("missing", ["parties", "quantity", "acceptance", "disputes"])
def test_every_legal_field_of_the_contract_notice_is_required(demo, missing):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    fields = {**f.contract_fields(), missing: "   "}
    with pytest.raises(ValidationFailed) as failed:
        services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                 price=award.price, fields=fields)
    assert (failed.value.code, failed.value.field) == ("required", missing)
    too_long = {**f.contract_fields(), missing: "长" * 1001}
    with pytest.raises(ValidationFailed) as failed:
        services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                 price=award.price, fields=too_long)
    assert failed.value.code == "too_long"
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.AWARDED and not Notice.objects.filter(type="contract").exists()


# --- the award path ------------------------------------------------------------------------------------------


def test_first_candidate_gives_up_before_the_award_and_the_second_is_awarded(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    first, second = _ranked_refs(evaluation)[:2]
    t1 = evaluation.tenderers.get(ref=first)
    with pytest.raises(PermissionDenied):
        services.candidate_withdraw(actor=f.staff(), evaluation=evaluation, tenderer=t1,
                                    ground=CandidateGround.GAVE_UP, reason="书面放弃")
    with pytest.raises(ValidationFailed):
        services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1, ground="bored",
                                    reason="书面放弃")
    with pytest.raises(ValidationFailed):
        services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                    ground=CandidateGround.GAVE_UP, reason=" ")
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                ground=CandidateGround.GAVE_UP, reason="中标候选人书面放弃中标")
    with pytest.raises(IllegalTransition):
        services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                    ground=CandidateGround.GAVE_UP, reason="again")
    event = Event.objects.get(action="evaluation.candidate.withdrawn")
    assert event.payload == {"tenderer": first, "ground": "gave_up", "award_revoked": False, "next": second}
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.tenderer.ref == second
    assert Event.objects.get(action="evaluation.award.confirmed").payload["rank"] == 2


def test_winner_gives_up_after_the_award_the_award_is_revoked_and_passes_on(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation = f.publicity_over(evaluation)
    first, second = _ranked_refs(evaluation)[:2]
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    old_sha = award.notice_sha256
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=award.tenderer,
                                ground=CandidateGround.NO_PERFORMANCE_BOND, reason="未按招标文件要求提交履约保证金")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLICITY and not Award.objects.filter(evaluation=evaluation).exists()
    assert Event.objects.get(action="evaluation.award.revoked").payload == {"tenderer": first,
                                                                             "notice_sha256": old_sha}
    # The next candidate is publicised again (G-034) and the award waits for the new period.
    republished = Notice.objects.get(pk=evaluation.publicity_notice_id or 0)
    assert republished.type == "candidate_publicity" and "重新公示" in republished.title
    assert republished.fields["candidates"].startswith(f"1. {evaluation.tenderers.get(ref=second).name}")
    with pytest.raises(IllegalTransition) as running:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert running.value.code == "publicity_running"
    evaluation = f.publicity_over(evaluation)
    # 工程 holds the publicised candidates' securities until the contract (G-016): the second's is still held.
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.tenderer.ref == second and award.notice_sha256 != old_sha
    confirmed = Event.objects.filter(action="evaluation.award.confirmed").order_by("pk").last()
    assert confirmed is not None and confirmed.payload["security"] == "held"


def test_a_candidate_blacklisted_since_its_bid_needs_the_recheck_then_the_next_is_awarded(demo):
    from yangguang.suppliers.models import SupplierProfile
    from yangguang.suppliers.states import CreditStatus

    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    first, second = _ranked_refs(evaluation)[:2]
    t1 = evaluation.tenderers.get(ref=first)
    profile, _created = SupplierProfile.objects.get_or_create(organisation_id=t1.organisation_id)
    SupplierProfile.objects.filter(pk=profile.pk).update(credit_status=CreditStatus.BLACKLISTED)
    with pytest.raises(ValidationFailed) as failed:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert failed.value.code == "recheck_required" and first in str(failed.value)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                ground=CandidateGround.RECHECK_FAILED, reason="原评标委员会审查确认：已被列入黑名单")
    assert services.award_confirm(actor=f.purchaser(), evaluation=evaluation).tenderer.ref == second


def test_a_candidate_whose_security_was_withdrawn_needs_the_recheck(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    t1 = evaluation.tenderers.get(ref=_ranked_refs(evaluation)[0])
    assert t1.organisation_id is not None
    BidSecurity.objects.filter(lot=evaluation.lot, organisation_id=t1.organisation_id).update(
        refunded_at=db_now(), refund_reference="BANK-WITHDRAWN")
    assert services.recheck_problems(evaluation, t1)
    with pytest.raises(ValidationFailed) as failed:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert failed.value.code == "recheck_required"


def test_no_candidate_left_means_a_new_tender_with_its_notice(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    for ref in _ranked_refs(evaluation):
        services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation,
                                    tenderer=evaluation.tenderers.get(ref=ref), ground=CandidateGround.CANNOT_PERFORM,
                                    reason="不能履行合同")
    assert services.candidates_left(evaluation) == []
    with pytest.raises(IllegalTransition) as none:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert none.value.code == "no_candidate"
    with pytest.raises(PermissionDenied):
        services.evaluation_retender(actor=f.staff(), evaluation=evaluation, reason="无候选人")
    notice = services.evaluation_retender(actor=f.purchaser(), evaluation=evaluation, reason="中标候选人均放弃")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.FAILED and notice.type == "failed_tender"
    assert notice.fields["legal_basis"] == "P-048"
    assert Event.objects.get(action="evaluation.evaluation.retender").payload["notice"] == notice.code


def test_the_public_log_names_no_bidder_for_the_award_path(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    t1 = evaluation.tenderers.get(ref=_ranked_refs(evaluation)[0])
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                ground=CandidateGround.GAVE_UP, reason=f"{t1.name} 书面放弃")
    f.tick(evaluation, db_now() + dt.timedelta(days=60))
    names = [t.name for t in evaluation.tenderers.all()] + [t.credit_code for t in evaluation.tenderers.all()]
    events = Event.objects.filter(action__startswith="evaluation.").exclude(action="evaluation.publicity.published")
    for event in events:
        text = str(event.payload)
        assert not any(n and n in text for n in names), event.action


# --- who may take the new steps, and what the pages show ----------------------------------------------------------


def _everyone(user_of, evaluation):
    """Every demo role, every member of the committee and every bidder's users."""
    from yangguang.accounts.models import User
    from yangguang.accounts.states import Role

    users = [user_of(role) for role in Role.values]
    users += [m.user for m in evaluation.members.all() if m.user_id]
    users += list(User.objects.filter(organisation_id__in=evaluation.tenderers.values("organisation_id")))
    return [u for u in users if u is not None]


def test_only_the_purchaser_side_withdraws_a_candidate_or_ends_for_a_new_tender(demo, user_of):
    from ..access import is_buyer

    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    t1 = evaluation.tenderers.get(ref=_ranked_refs(evaluation)[0])
    for user in _everyone(user_of, evaluation):
        if is_buyer(user, evaluation):
            continue
        with pytest.raises(PermissionDenied):
            services.candidate_withdraw(actor=user, evaluation=evaluation, tenderer=t1,
                                        ground=CandidateGround.GAVE_UP, reason="试图代为放弃")
        with pytest.raises(PermissionDenied):
            services.evaluation_retender(actor=user, evaluation=evaluation, reason="试图终止")
    t1.refresh_from_db()
    evaluation.refresh_from_db()
    assert not t1.withdrawn_ground and evaluation.status == EvaluationStatus.PUBLICITY


def test_room_shows_deadlines_money_and_the_withdrawal_the_bidder_page_does_not(demo, user_of, client):
    evaluation = f.procurement_reported()
    evaluation = f.tick(evaluation, db_now() + dt.timedelta(days=60))
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    t1 = evaluation.tenderers.get(ref=_ranked_refs(evaluation)[0])
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=t1,
                                ground=CandidateGround.GAVE_UP, reason="内部原因甲乙丙")
    client.force_login(f.purchaser())
    page = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    assert "内部原因甲乙丙" in page and "已逾期" in page and "视为确定" in page
    assert f"{t1.price:,.2f}" in page and "1,000,000.00" in page
    from yangguang.accounts.models import User

    assert t1.organisation_id is not None
    bidder = User.objects.filter(organisation_id=t1.organisation_id).first()
    assert bidder is not None
    client.force_login(bidder)
    mine = client.get(f"/evaluation/{evaluation.pk}/result/")
    assert mine.status_code == 200 and "内部原因甲乙丙" not in mine.content.decode()
    other = evaluation.tenderers.exclude(pk=t1.pk).first()
    assert other is not None and other.organisation_id is not None
    other_user = User.objects.filter(organisation_id=other.organisation_id).first()
    client.force_login(other_user)
    assert "内部原因甲乙丙" not in client.get(f"/evaluation/{evaluation.pk}/result/").content.decode()
    assert client.get(f"/evaluation/{evaluation.pk}/").status_code in (302, 403)


def test_contract_form_posts_every_field_and_a_missing_one_is_refused_with_nothing_lost(demo, client):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    client.force_login(f.purchaser())
    page = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    for name in ("parties", "subject", "quantity", "quality", "performance", "acceptance", "liability", "disputes"):
        assert f'name="{name}"' in page
    data = {"signed_on": db_now().date().isoformat(), "price": str(award.price), **f.contract_fields()}
    response = client.post(f"/evaluation/{evaluation.pk}/do/contract/", {**data, "liability": ""}, follow=True)
    assert "请填写合同公告的全部内容" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.AWARDED
    client.post(f"/evaluation/{evaluation.pk}/do/contract/", data)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.CONTRACTED
    notice = Notice.objects.get(pk=evaluation.contract.notice_id or 0)
    assert notice.fields["liability"] == f.contract_fields()["liability"]
