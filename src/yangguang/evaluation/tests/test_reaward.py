"""Re-award after the winner withdraws (政采: the result notice corrected; 工程: a new candidate publicity and its
period), securities on a re-award (G-016 / P-014), the blacklist re-check read from its periods (G-036), the
objection answer timers (G-034 ``reply_n``, P-041) and the reminders before every deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from yangguang.accounts.models import User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import deadline
from yangguang.core.errors import IllegalTransition, ValidationFailed
from yangguang.core.models import Event
from yangguang.notices.models import Notice
from yangguang.rules.models import Rule
from yangguang.rules.selectors import rule_param
from yangguang.tendering.models import BidSecurity

from .. import services, timers
from ..models import Evaluation, Objection, Reminder
from ..states import CandidateGround, EvaluationStatus
from . import factories as f

pytestmark = pytest.mark.django_db

SECOND = f.SECOND


def _refs(evaluation: Evaluation) -> list[str]:
    return [r["ref"] for r in services.ranked(evaluation)]


def _last(action: str) -> dict:
    event = Event.objects.filter(action=action).order_by("pk").last()
    assert event is not None
    return event.payload


def _bidder(evaluation: Evaluation, ref: str) -> User:
    tenderer = evaluation.tenderers.get(ref=ref)
    assert tenderer.organisation_id is not None
    user = User.objects.filter(organisation_id=tenderer.organisation_id).first()
    assert user is not None
    return user


# --- re-award ---------------------------------------------------------------------------------------------------


def test_procurement_reaward_corrects_the_result_notice_naming_the_new_winner(demo):
    evaluation = f.procurement_reported()
    original = services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    first, second = _refs(evaluation)[:2]
    evaluation.refresh_from_db()
    assert evaluation.named_ref == first
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.result_notice_id is None  # the published notice already names the winner
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=award.tenderer,
                                ground=CandidateGround.GAVE_UP, reason="成交供应商书面放弃")
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    evaluation.refresh_from_db()
    assert award.tenderer.ref == second and evaluation.named_ref == second
    correction = Notice.objects.get(pk=award.result_notice_id or 0)
    winner, loser = evaluation.tenderers.get(ref=second), evaluation.tenderers.get(ref=first)
    assert correction.type == "correction" and correction.corrects_id == original.pk
    changes = correction.fields["changes"]
    assert winner.name in changes and f"{winner.effective_price:,.2f}" in changes
    assert loser.name in changes and "放弃中标" in changes
    assert "书面放弃" not in changes  # the free-text reason stays off the portal
    assert correction.owner == original.owner
    payload = _last("evaluation.award.confirmed")
    assert payload["correction"] == correction.code
    # 政采 refunded the others' securities at the first award (P-014): recorded, not refused.
    assert payload["security"] == "refunded_by_earlier_award"
    assert Event.objects.filter(action="notices.notice.correct").count() == 1


def test_procurement_first_gives_up_before_the_award_the_notice_is_corrected_too(demo):
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    first, second = _refs(evaluation)[:2]
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation,
                                tenderer=evaluation.tenderers.get(ref=first), ground=CandidateGround.CANNOT_PERFORM,
                                reason="不能履行")
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.tenderer.ref == second and award.result_notice_id is not None


def test_challenge_period_runs_again_from_the_correction(demo):
    evaluation = f.procurement_reported()
    original = services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    # Move the original result notice back past its challenge period (P-040).
    Notice.objects.filter(pk=original.pk).update(published_at=db_now() - dt.timedelta(days=30))
    evaluation.refresh_from_db()
    assert not services.objection_window_open(evaluation)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=award.tenderer,
                                ground=CandidateGround.GAVE_UP, reason="放弃")
    services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    evaluation.refresh_from_db()
    assert services.objection_window_open(evaluation)
    third = _refs(evaluation)[2]
    services.objection_file(actor=_bidder(evaluation, third), evaluation=evaluation, text="对新的成交供应商有质疑")


def test_works_reaward_needs_the_next_candidates_security_still_held(demo):
    evaluation = f.reported(prices=("4500000", "4300000", "4650000", "4800000"))
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation = f.publicity_over(evaluation)
    refs = _refs(evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    by_ref = {t.ref: t.organisation_id or 0 for t in evaluation.tenderers.all()}
    held = {s.organisation_id: s.refunded_at is None for s in BidSecurity.objects.filter(lot=evaluation.lot)}
    # The three publicised candidates' securities are held (G-016); the fourth bidder's is refunded now.
    assert [held[by_ref[r]] for r in refs] == [True, True, True, False]
    # The second candidate's security leaves the platform's hands (its bank reports a withdrawal).
    BidSecurity.objects.filter(lot=evaluation.lot, organisation_id=by_ref[refs[1]]).update(
        refunded_at=db_now(), refund_reference="BANK-WITHDRAWN")
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=award.tenderer,
                                ground=CandidateGround.NO_PERFORMANCE_BOND, reason="未交履约保证金")
    evaluation = f.publicity_over(evaluation)
    with pytest.raises(ValidationFailed) as failed:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert failed.value.code == "recheck_required" and refs[1] in str(failed.value)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation,
                                tenderer=evaluation.tenderers.get(ref=refs[1]),
                                ground=CandidateGround.RECHECK_FAILED, reason="原评标委员会复核：保证金已撤回")
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert award.tenderer.ref == refs[2]
    contract = services.contract_record(actor=f.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                        price=award.price, fields=f.contract_fields())
    assert contract.pk and not BidSecurity.objects.filter(lot=evaluation.lot, refunded_at=None).exists()


def test_works_reaward_publishes_a_new_candidate_publicity_and_its_objections_pause_the_award(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    evaluation = f.publicity_over(evaluation)
    first, second, third = _refs(evaluation)
    award = services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=evaluation, tenderer=award.tenderer,
                                ground=CandidateGround.GAVE_UP, reason="放弃中标")
    evaluation.refresh_from_db()
    notice = Notice.objects.get(pk=evaluation.publicity_notice_id or 0)
    assert notice.publicity_days == int(rule_param("G-034")) and evaluation.publicity_closed_at is None
    event = Event.objects.get(action="evaluation.publicity.republished")
    assert event.payload == {"notice": notice.code, "type": "candidate_publicity", "first": second}
    # The withdrawn winner is no longer listed; the third bidder objects during the new period.
    assert evaluation.tenderers.get(ref=first).name not in notice.fields["candidates"]
    objection = services.objection_file(actor=_bidder(evaluation, third), evaluation=evaluation, text="异议")
    evaluation = f.publicity_over(evaluation)
    with pytest.raises(IllegalTransition) as waiting:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert waiting.value.code == "objection_open"
    services.objection_answer(actor=f.purchaser(), objection=objection, answer="经复核维持")
    assert services.award_confirm(actor=f.purchaser(), evaluation=evaluation).tenderer.ref == second


# --- the blacklist re-check reads the periods -------------------------------------------------------------------------


def test_blacklist_recheck_reads_the_periods_in_force(demo):
    from yangguang.suppliers.models import BlacklistEntry, SupplierProfile
    from yangguang.suppliers.states import CreditStatus

    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    t1 = evaluation.tenderers.get(ref=_refs(evaluation)[0])
    profile, _created = SupplierProfile.objects.get_or_create(organisation_id=t1.organisation_id)
    now = db_now()
    # A period that ended, and one that was lifted: neither counts.
    BlacklistEntry.objects.create(supplier=profile, starts_at=now - dt.timedelta(days=90),
                                  ends_at=now - dt.timedelta(days=1), reason="旧的")
    BlacklistEntry.objects.create(supplier=profile, starts_at=now - dt.timedelta(days=5),
                                  ends_at=now + dt.timedelta(days=90), reason="已撤销", lifted_at=now)
    assert services.recheck_problems(evaluation, t1) == []
    # One in force, though the pool's derived credit status has not caught up yet.
    entry = BlacklistEntry.objects.create(supplier=profile, starts_at=now - dt.timedelta(hours=1),
                                          ends_at=now + dt.timedelta(days=365), reason="行政处罚")
    profile.refresh_from_db()
    assert profile.credit_status != CreditStatus.BLACKLISTED
    [problem] = services.recheck_problems(evaluation, t1)
    assert t1.ref in problem and f"{entry.ends_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d}" in problem
    with pytest.raises(ValidationFailed) as failed:
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    assert failed.value.code == "recheck_required"
    # A period decided to start later does not block today's award.
    BlacklistEntry.objects.filter(pk=entry.pk).update(starts_at=now + dt.timedelta(days=10))
    assert services.award_confirm(actor=f.purchaser(), evaluation=evaluation).tenderer == t1


# --- objection answer timers ------------------------------------------------------------------------------------------


def test_works_objection_must_be_answered_within_reply_n_days(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    third = _refs(evaluation)[2]
    objection = services.objection_file(actor=_bidder(evaluation, third), evaluation=evaluation, text="异议")
    due = deadline(objection.filed_at, int(rule_param("G-034", "reply_n")), "calendar_day").at
    assert objection.reply_due == due
    assert any(t.code == "reply" and t.rule == "G-034" and t.due == due for t in timers.timers(evaluation))
    evaluation = f.tick(evaluation, due - SECOND)
    objection.refresh_from_db()
    assert not objection.reply_overdue
    evaluation = f.tick(evaluation, due + SECOND)
    objection.refresh_from_db()
    assert objection.reply_overdue
    event = Event.objects.get(action="evaluation.objection.overdue")
    assert event.payload == {"objection": objection.pk, "rule": "G-034", "due": event.payload["due"], "binding": True}
    assert dt.datetime.fromisoformat(event.payload["due"]) == due
    f.tick(evaluation, due + dt.timedelta(days=2))
    assert Event.objects.filter(action="evaluation.objection.overdue").count() == 1
    # The award still waits for the answer, which is then recorded as late.
    evaluation = f.publicity_over(evaluation)
    with pytest.raises(IllegalTransition):
        services.award_confirm(actor=f.purchaser(), evaluation=evaluation)
    Objection.objects.filter(pk=objection.pk).update(filed_at=objection.filed_at - dt.timedelta(days=10),
                                                     reply_due=due - dt.timedelta(days=10))
    services.objection_answer(actor=f.purchaser(), objection=objection, answer="答复")
    assert _last("evaluation.objection.answered")["late"] is True
    services.award_confirm(actor=f.purchaser(), evaluation=evaluation)


def test_procurement_challenge_reply_uses_p041_and_an_unconfirmed_rule_only_warns(demo):
    Rule.objects.filter(pk="P-041").update(status="unconfirmed", confirmed_at=None)
    evaluation = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    objection = services.objection_file(actor=_bidder(evaluation, _refs(evaluation)[1]), evaluation=evaluation,
                                        text="质疑")
    due = deadline(objection.filed_at, int(rule_param("P-041")), "working_day").at
    assert objection.reply_due == due
    f.tick(evaluation, due + SECOND)
    payload = Event.objects.get(action="evaluation.objection.overdue").payload
    assert payload["rule"] == "P-041" and payload["binding"] is False


def test_answered_in_time_is_not_flagged(demo):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    objection = services.objection_file(actor=_bidder(evaluation, _refs(evaluation)[2]), evaluation=evaluation,
                                        text="异议")
    services.objection_answer(actor=f.purchaser(), objection=objection, answer="答复")
    assert _last("evaluation.objection.answered")["late"] is False
    f.tick(evaluation, db_now() + dt.timedelta(days=30))
    assert not Event.objects.filter(action="evaluation.objection.overdue").exists()


# --- reminders --------------------------------------------------------------------------------------------------


def test_a_reminder_goes_once_to_the_purchaser_side_before_each_deadline(demo, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.YANGGUANG_EVALUATION_REMINDER_HOURS = 12
    evaluation = f.reported()
    buyer = f.purchaser()
    User.objects.filter(pk=buyer.pk).update(email="buyer@example.cn")
    for t in evaluation.tenderers.all():  # bidders are not the responsible party
        User.objects.filter(organisation_id=t.organisation_id or 0).update(email=f"{t.ref}@example.cn")
    assert evaluation.reported_at is not None
    due = deadline(evaluation.reported_at, int(rule_param("G-034", "publish_within_n")), "calendar_day").at
    lead = dt.timedelta(hours=12)
    assert evaluation.next_check_at == due - lead
    mail.outbox.clear()
    with_commit = django_capture_on_commit_callbacks
    with with_commit(execute=True):
        evaluation = f.tick(evaluation, due - lead - SECOND)
    assert not Reminder.objects.exists() and mail.outbox == []
    with with_commit(execute=True):
        evaluation = f.tick(evaluation, due - lead + SECOND)
    [reminder] = Reminder.objects.filter(evaluation=evaluation)
    assert (reminder.timer, reminder.rule, reminder.due, reminder.recipients) == ("publish", "G-034", due, 1)
    assert evaluation.next_check_at == due
    [message] = mail.outbox
    assert message.to == ["buyer@example.cn"] and "G-034" in message.subject
    event = Event.objects.get(action="evaluation.reminder.sent")
    assert event.payload == {"timer": "publish", "key": "", "rule": "G-034", "due": due.isoformat(),
                             "recipients": 1}
    with with_commit(execute=True):
        f.tick(evaluation, due - SECOND)
        chronograph_run(now=due - SECOND)
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 1
    # The objection answer gets its own reminder.
    services.publicity_publish(actor=buyer, evaluation=evaluation)
    objection = services.objection_file(actor=_bidder(evaluation, _refs(evaluation)[2]), evaluation=evaluation,
                                        text="异议")
    assert objection.reply_due is not None
    with with_commit(execute=True):
        f.tick(evaluation, objection.reply_due - SECOND)
    assert Reminder.objects.filter(timer="reply", key=f"objection:{objection.pk}").count() == 1
    assert [m.to for m in mail.outbox] == [["buyer@example.cn"], ["buyer@example.cn"]]


def test_no_reminder_for_a_deadline_already_missed_when_the_worker_catches_up(demo):
    evaluation = f.procurement_reported()
    f.tick(evaluation, db_now() + dt.timedelta(days=60))
    assert not Reminder.objects.exists()
    assert Event.objects.filter(action="evaluation.publish.overdue").exists()


def test_room_lists_reminders_and_answer_deadlines_for_the_purchaser_not_the_bidder(demo, client):
    evaluation = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=evaluation)
    third = _refs(evaluation)[2]
    objection = services.objection_file(actor=_bidder(evaluation, third), evaluation=evaluation, text="异议内容")
    assert objection.reply_due is not None
    f.tick(evaluation, objection.reply_due - SECOND)
    evaluation = f.tick(evaluation, objection.reply_due + SECOND)
    assert evaluation.status == EvaluationStatus.PUBLICITY
    client.force_login(f.purchaser())
    page = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    assert "答复逾期" in page and "已发送的提醒" in page and "答复异议" in page
    client.force_login(_bidder(evaluation, third))
    mine = client.get(f"/evaluation/{evaluation.pk}/result/").content.decode()
    assert "答复逾期" in mine and "已发送的提醒" not in mine
    client.force_login(_bidder(evaluation, _refs(evaluation)[0]))
    other = client.get(f"/evaluation/{evaluation.pk}/result/").content.decode()
    assert "异议内容" not in other and "已发送的提醒" not in other


def test_only_the_purchaser_side_and_the_centre_see_the_reminders(demo, client, user_of):
    from yangguang.accounts.states import Role

    from ..access import is_buyer, is_organiser

    evaluation = f.reported()
    assert evaluation.next_check_at is not None
    evaluation = f.tick(evaluation, evaluation.next_check_at + SECOND)
    assert Reminder.objects.filter(evaluation=evaluation).count() == 1
    users = [user_of(role) for role in Role.values]
    users += [m.user for m in evaluation.members.all() if m.user_id]
    users += list(User.objects.filter(organisation_id__in=evaluation.tenderers.values("organisation_id")))
    seen = 0
    for user in [u for u in users if u is not None]:
        client.force_login(user)
        for path in (f"/evaluation/{evaluation.pk}/", f"/evaluation/{evaluation.pk}/result/"):
            response = client.get(path)
            shown = response.status_code == 200 and "已发送的提醒" in response.content.decode()
            assert shown == (path.endswith(f"{evaluation.pk}/") and (is_buyer(user, evaluation)
                                                                     or is_organiser(user, evaluation))), user
            seen += shown
    assert seen >= 2
