"""The legal timers after the report, run by the chronograph.

* Construction: the candidate publicity must be published within ``G-034.publish_within_n`` days of the
  report (TBLR 第54条).
* Procurement: the purchaser determines the supplier within ``P-033.later_n`` working days of receiving the
  report, or the first-ranked candidate is deemed determined (M87 第68条) — the platform applies the deemed
  award itself; from then the result notice is due within ``P-034.n`` working days (M87 第69条).
* Both: the contract within ``G-038`` / ``P-035`` days of the award notice (TBL 第46条, GPL 第46条).

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

from django.utils.translation import gettext_lazy as _

from yangguang.core.deadlines import deadline
from yangguang.core.eventlog import event_append
from yangguang.rules.selectors import rule_param

from .models import Evaluation
from .states import EvaluationStatus

PUBLISH = "publish"
DEEMED_AWARD = "deemed_award"
CONTRACT = "contract"

LABELS = {
    PUBLISH: _("Publish the result"),
    DEEMED_AWARD: _("Determine the award (else the first candidate is deemed determined)"),
    CONTRACT: _("Sign the contract"),
}


@dataclass(frozen=True)
class Timer:
    code: str
    rule: str
    due: dt.datetime
    overdue: bool

    @property
    def label(self) -> str:
        return str(LABELS[self.code])


def _works(evaluation: Evaluation) -> bool:
    return evaluation.procedure.project.category == "construction"


def _due(start: dt.datetime, rule: str, key: str = "n") -> dt.datetime:
    return deadline(start, int(rule_param(rule, key)), str(rule_param(rule, "unit"))).at


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
    return found


def next_check(evaluation: Evaluation) -> dt.datetime | None:
    pending = [t.due for t in timers(evaluation) if not t.overdue]
    return min(pending) if pending else None


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
            else:
                evaluation.overdue = [*(evaluation.overdue or []), timer.code]
                event_append(action=f"evaluation.{timer.code}.overdue", actor="worker", obj=evaluation,
                             payload={"rule": timer.rule, "due": timer.due.isoformat()})
            changed = True
    schedule(evaluation)
    evaluation.save(update_fields=["deemed_award_at", "overdue", "next_check_at"])
