"""Legal time limits: one function for calendar days and working days, on the Asia/Shanghai calendar.

Counting (政府采购质疑和投诉办法 第42条; 民法典 第201、203条): the start day is not counted; a period whose
last day is not a working day ends on the next working day; the period ends at 24:00 of its last day.
Working days are Monday–Friday, minus statutory holidays, plus make-up working days (调休), from
:class:`~yangguang.core.models.CalendarDay`. A year with no :class:`CalendarYear` row (its State Council
notice not yet entered) falls back to weekends only: the result is marked provisional and administrators
see a warning. No computation fails for a missing year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")


class DayUnit(StrEnum):
    CALENDAR_DAY = "calendar_day"
    WORKING_DAY = "working_day"


DAY_UNIT_CHOICES = [(DayUnit.CALENDAR_DAY.value, _("calendar days")), (DayUnit.WORKING_DAY.value, _("working days"))]


@dataclass(frozen=True)
class Deadline:
    last_day: dt.date
    at: dt.datetime  # the end of the last day (24:00 Shanghai, i.e. 00:00 of the next day)
    provisional: bool  # some day in the count fell in a year whose holidays are not entered
    unconfirmed_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class CalendarSnapshot:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


_snapshot_version = 0


def calendar_changed() -> None:
    """Called by the calendar services after a write; the snapshot is rebuilt on next use."""
    global _snapshot_version
    _snapshot_version += 1
    _load.cache_clear()


@lru_cache(maxsize=1)
def _load() -> CalendarSnapshot:
    from .models import CalendarDay, CalendarYear

    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(day)
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return CalendarSnapshot(frozenset(holidays), frozenset(workdays), years)


def calendar() -> CalendarSnapshot:
    return _load()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def deadline(start: dt.datetime | dt.date, n: int, unit: DayUnit | str,
             cal: CalendarSnapshot | None = None) -> Deadline:
    """The end of a period of ``n`` days of ``unit`` that starts on ``start`` (the start day not counted)."""
    if n < 0:
        raise ValueError("a period cannot be negative")
    cal = cal or calendar()
    unit = DayUnit(unit)
    day = start if isinstance(start, dt.date) and not isinstance(start, dt.datetime) else local_date(start)
    touched: set[int] = {day.year}
    if unit is DayUnit.CALENDAR_DAY:
        day = day + dt.timedelta(days=n)
        touched.add(day.year)
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
            touched.add(day.year)
    else:
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            touched.add(day.year)
            if cal.is_working_day(day):
                counted += 1
    missing = tuple(sorted(y for y in touched if y not in cal.years))
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)
    return Deadline(last_day=day, at=end, provisional=bool(missing), unconfirmed_years=missing)


def days_between(earlier: dt.datetime, later: dt.datetime, unit: DayUnit | str,
                 cal: CalendarSnapshot | None = None) -> int:
    """Whole days of ``unit`` from ``earlier`` to ``later``, the first day not counted ("至少…前" checks)."""
    cal = cal or calendar()
    first, last = local_date(earlier), local_date(later)
    if DayUnit(unit) is DayUnit.CALENDAR_DAY:
        return (last - first).days
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


def unconfirmed_years_ahead(today: dt.date, horizon_years: int = 1) -> list[int]:
    """Years from now to the horizon whose holiday notice is not entered: the administrators' warning."""
    cal = calendar()
    return [y for y in range(today.year, today.year + horizon_years + 1) if y not in cal.years]
