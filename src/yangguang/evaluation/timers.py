"""The legal timers after the report, run by the chronograph.

* Construction: the candidate publicity must be published within ``G-034.publish_within_n`` days of the
  report (TBLR 第54条).
* Procurement: the purchaser determines the supplier within ``P-033.later_n`` working days of receiving the
  report, or the first-ranked candidate is deemed determined (M87 第68条) — the platform applies the deemed
  award itself; from then the result notice is due within ``P-034.n`` working days (M87 第69条).
* Both: the contract within ``G-038`` / ``P-035`` days of the award notice (TBL 第46条, GPL 第46条).
* Objections: the answer within ``G-034.reply_n`` days (工程, TBLR 第54条) or ``P-041`` working days (政采
  质疑, GPL 第53条) of filing. An unconfirmed rule's miss is recorded as a warning (``binding: false``).

Before each pending deadline the responsible party (the purchaser and its agency) gets one reminder —
e-mail through Django's mail backend plus the list on the room page — ``YANGGUANG_EVALUATION_REMINDER_HOURS``
(default 24) hours ahead; a :class:`.models.Reminder` row makes it once, and ``evaluation.reminder.sent`` logs it.

A missed deadline cannot be made good by software: the platform records it (``Evaluation.overdue``), logs an
``….overdue`` event the supervisors see, and shows it on the room page until the step is taken (and as
"late" after). The contract notice (P-036) is published when the contract is recorded — its content is the
validated form, so holding it back would only risk the deadline — and flagged late if the recording itself
came after the deadline (``Contract.notice_late``).

:func:`timers` is a pure function of the evaluation's state; :func:`next_check` derives ``next_check_at``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yangguang.core.deadlines import deadline
from yangguang.core.eventlog import event_append
from yangguang.rules.selectors import rule_get, rule_param

from .models import Evaluation, Objection, Reminder
from .states import EvaluationStatus

PUBLISH = "publish"
DEEMED_AWARD = "deemed_award"
CONTRACT = "contract"
REPLY = "reply"

LABELS = {
    PUBLISH: _("Publish the result"),
    DEEMED_AWARD: _("Determine the award (else the first candidate is deemed determined)"),
    CONTRACT: _("Sign the contract"),
    REPLY: _("Answer the objection"),
}
DEFAULT_REMINDER_HOURS = 24


@dataclass(frozen=True)
class Timer:
    code: str
    rule: str
    due: dt.datetime
    overdue: bool
    key: str = ""

    @property
    def label(self) -> str:
        return str(LABELS[self.code])


def _works(evaluation: Evaluation) -> bool:
    return evaluation.procedure.project.category == "construction"


def _due(start: dt.datetime, rule: str, key: str = "n") -> dt.datetime:
    return deadline(start, int(rule_param(rule, key)), str(rule_param(rule, "unit"))).at


def reply_rule(evaluation: Evaluation) -> tuple[str, str]:
    """(rule, parameter) of the time limit for answering an objection."""
    return ("G-034", "reply_n") if _works(evaluation) else ("P-041", "n")


def reply_due(evaluation: Evaluation, filed_at: dt.datetime) -> dt.datetime:
    rule, key = reply_rule(evaluation)
    return _due(filed_at, rule, key)


def reminder_lead() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "YANGGUANG_EVALUATION_REMINDER_HOURS",
                                            DEFAULT_REMINDER_HOURS)))


def timers(evaluation: Evaluation) -> list[Timer]:
    """The legal deadlines running for the evaluation in its present status (missed ones included)."""
    flagged = set(evaluation.overdue or [])
    found: list[Timer] = []
    if evaluation.status == EvaluationStatus.REPORTED and evaluation.reported_at is not None:
        if _works(evaluation):
            found.append(Timer(PUBLISH, "G-034", _due(evaluation.reported_at, "G-034", "publish_within_n"),
                               PUBLISH in flagged))
        elif evaluation.deemed_award_at is None:
            found.append(Timer(DEEMED_AWARD, "P-033", _due(evaluation.reported_at, "P-033", "later_n"), False))
        else:
            found.append(Timer(PUBLISH, "P-034", _due(evaluation.deemed_award_at, "P-034"), PUBLISH in flagged))
    award: Any = getattr(evaluation, "award", None) if evaluation.status == EvaluationStatus.AWARDED else None
    if award is not None:
        rule = "G-038" if _works(evaluation) else "P-035"
        found.append(Timer(CONTRACT, rule, _due(award.awarded_at, rule), CONTRACT in flagged))
    if evaluation.pk is not None:
        rule = reply_rule(evaluation)[0]
        for objection in evaluation.objections.filter(answered_at=None).exclude(reply_due=None).order_by("pk"):
            assert objection.reply_due is not None
            found.append(Timer(REPLY, rule, objection.reply_due, objection.reply_overdue, f"objection:{objection.pk}"))
    return found


def _reminded(evaluation: Evaluation) -> set[tuple[str, str, dt.datetime]]:
    if evaluation.pk is None:
        return set()
    return set(Reminder.objects.filter(evaluation=evaluation).values_list("timer", "key", "due"))


def next_check(evaluation: Evaluation) -> dt.datetime | None:
    """The earliest pending deadline or reminder."""
    lead, reminded = reminder_lead(), _reminded(evaluation)
    pending: list[dt.datetime] = []
    for t in timers(evaluation):
        if t.overdue:
            continue
        pending.append(t.due)
        if (t.code, t.key, t.due) not in reminded:
            pending.append(t.due - lead)
    return min(pending) if pending else None


def _recipients(evaluation: Evaluation) -> list[str]:
    """E-mail addresses of the responsible party: the purchaser's and its agency's active accounts."""
    from yangguang.accounts.access import BUYER_ROLES
    from yangguang.accounts.models import User

    project = evaluation.procedure.project
    orgs = [o for o in (project.owner_id, getattr(project, "agency_id", None)) if o]
    users = User.objects.filter(organisation_id__in=orgs, is_active=True, role__in=list(BUYER_ROLES)).exclude(email="")
    return sorted({u.email for u in users})


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    for address in recipients:  # one message each: no account sees the others' addresses
        send_mail(subject, body, None, [address], fail_silently=True)


def _remind(evaluation: Evaluation, timer: Timer, now: dt.datetime) -> None:
    recipients = _recipients(evaluation)
    try:
        with transaction.atomic():
            Reminder.objects.create(evaluation=evaluation, timer=timer.code, key=timer.key, rule=timer.rule,
                                    due=timer.due, sent_at=now, recipients=len(recipients))
    except IntegrityError:  # already sent (a concurrent or repeated pass)
        return
    event_append(action="evaluation.reminder.sent", actor="worker", obj=evaluation,
                 payload={"timer": timer.code, "key": timer.key, "rule": timer.rule, "due": timer.due.isoformat(),
                          "recipients": len(recipients)})
    procedure = evaluation.procedure
    subject = gettext("Yangguang: a legal deadline is near (%(rule)s)") % {"rule": timer.rule}
    body = gettext("Evaluation %(code)s, lot %(lot)s: “%(step)s” is due by %(due)s (%(rule)s). Sign in to the "
                   "platform to take the step; a missed deadline is recorded.") % {
        "code": procedure.code or procedure.pk, "lot": evaluation.lot.number, "step": timer.label,
        "due": f"{timer.due.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M}", "rule": timer.rule}
    transaction.on_commit(lambda: _mail(subject, body, recipients))


def schedule(evaluation: Evaluation) -> None:
    """Set ``next_check_at`` from the present state (the caller saves it)."""
    evaluation.next_check_at = next_check(evaluation)


def evaluation_tick(evaluation: Any, now: dt.datetime) -> None:
    """The chronograph's step (the row is locked by the caller): apply every deadline that has passed."""
    changed = True
    while changed:
        changed = False
        for timer in timers(evaluation):
            if timer.overdue or timer.due > now:
                continue
            if timer.code == DEEMED_AWARD:
                evaluation.deemed_award_at = timer.due
                event_append(action="evaluation.award.deemed", actor="worker", obj=evaluation,
                             payload={"rule": timer.rule, "due": timer.due.isoformat(), "rank": 1})
            elif timer.code == REPLY:
                pk = int(timer.key.split(":")[1])
                Objection.objects.filter(pk=pk).update(reply_overdue=True)
                # An unconfirmed rule only warns (rules.md §5): the miss is recorded as not binding.
                event_append(action="evaluation.objection.overdue", actor="worker", obj=evaluation,
                             payload={"objection": pk, "rule": timer.rule, "due": timer.due.isoformat(),
                                      "binding": rule_get(timer.rule).blocking})
            else:
                evaluation.overdue = [*(evaluation.overdue or []), timer.code]
                event_append(action=f"evaluation.{timer.code}.overdue", actor="worker", obj=evaluation,
                             payload={"rule": timer.rule, "due": timer.due.isoformat()})
            changed = True
    lead, reminded = reminder_lead(), _reminded(evaluation)
    for timer in timers(evaluation):
        if not timer.overdue and timer.due - lead <= now < timer.due and (timer.code, timer.key, timer.due) \
                not in reminded:
            _remind(evaluation, timer, now)
    schedule(evaluation)
    evaluation.save(update_fields=["deemed_award_at", "overdue", "next_check_at"])
