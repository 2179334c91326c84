"""The procedure's timeline: legal dates from :func:`core.deadlines.deadline`, and the effective dates the
chronograph acts on.

Fast sandbox (``settings.YANGGUANG_SANDBOX``): every legal duration, computed with the real calendar first,
is compressed from the procedure's ``time_origin`` so that one day lasts ``YANGGUANG_SANDBOX_SECONDS_PER_DAY``
seconds. The minimum-period checks keep running on the legal timeline: "now" on the legal timeline is the
real time expanded by the same factor (:func:`legal_now`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from yangguang.core.deadlines import SHANGHAI, deadline

from .presets import RuleRef

DAY = dt.timedelta(days=1)
# The bid deadline (and opening) falls at this time of the last day: a working morning, not midnight.
BID_DEADLINE_TIME = dt.time(9, 30)


def sandbox_on() -> bool:
    return bool(getattr(settings, "YANGGUANG_SANDBOX", False))


def _factor() -> float:
    return float(settings.YANGGUANG_SANDBOX_SECONDS_PER_DAY) / 86400.0


def compress(origin: dt.datetime, moment: dt.datetime | None, sandbox: bool) -> dt.datetime | None:
    if moment is None or not sandbox:
        return moment
    return origin + (moment - origin) * _factor()


def legal_now(origin: dt.datetime | None, now: dt.datetime, sandbox: bool) -> dt.datetime:
    """The moment on the legal timeline that corresponds to the real ``now``."""
    if not sandbox or origin is None:
        return now
    return origin + (now - origin) / _factor()


@dataclass(frozen=True)
class Timeline:
    origin: dt.datetime
    notice_until: dt.datetime | None
    documents_until: dt.datetime | None
    bid_deadline: dt.datetime
    provisional: bool  # a year whose holidays are not entered was counted (weekends only)


def bid_deadline_at(start: dt.datetime, days: int, rule: RuleRef) -> tuple[dt.datetime, bool]:
    """09:30 on the last day of ``days`` days of the rule's unit after ``start`` (start day not counted; a last
    day that is not a working day moves to the next working day)."""
    end = deadline(start, days, rule.unit())
    return dt.datetime.combine(end.last_day, BID_DEADLINE_TIME, tzinfo=SHANGHAI), end.provisional


def timeline_compute(*, start: dt.datetime, bid_days: int, bid_rule: RuleRef, document_days: int | None,
                     document_rule: RuleRef | None, notice_rule: RuleRef | None) -> Timeline:
    bid, provisional = bid_deadline_at(start, bid_days, bid_rule)
    documents_until = None
    if document_days:
        end = deadline(start, document_days, document_rule.unit() if document_rule else bid_rule.unit())
        documents_until, provisional = min(end.at, bid), provisional or end.provisional
    notice_until = None
    if notice_rule is not None:
        end = deadline(start, notice_rule.n(), notice_rule.unit())
        notice_until, provisional = end.at, provisional or end.provisional
    return Timeline(start, notice_until, documents_until, bid, provisional)
