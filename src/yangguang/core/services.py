"""Core write services: the working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from .deadlines import calendar_changed
from .eventlog import event_append
from .models import CalendarDay, CalendarYear


def calendar_year_enter(*, actor: Any, year: int, holidays: Iterable[tuple[dt.date, str]],
                        workdays: Iterable[tuple[dt.date, str]], source: str) -> CalendarYear:
    """Enter (or replace) one year's State Council holiday notice: holidays on weekdays and 调休 days."""
    holidays, workdays = list(holidays), list(workdays)
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in holidays if d.year == year]
            + [CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=n) for d, n in workdays if d.year == year]
        )
        entry, _created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        event_append(action="core.calendar.year_entered", actor=actor, obj=entry,
                     payload={"year": year, "holidays": len(holidays), "workdays": len(workdays),
                              "source": source})
        transaction.on_commit(calendar_changed)
    return entry


def calendar_seed_from_package(*, actor: Any = "system") -> list[int]:
    """Seed every year chinese-calendar covers that is not in the table yet. Idempotent."""
    import chinese_calendar
    from chinese_calendar.constants import holidays as package_holidays
    from chinese_calendar.constants import workdays as package_workdays

    version = getattr(chinese_calendar, "__version__", "")
    have = set(CalendarYear.objects.values_list("year", flat=True))
    years = sorted({d.year for d in package_holidays} - have)
    seeded = []
    for year in years:
        hol = [(d, str(name.value if hasattr(name, "value") else name)) for d, name in package_holidays.items()
               if d.year == year and d.weekday() < 5]
        wrk = [(d, str(name.value if hasattr(name, "value") else name)) for d, name in package_workdays.items()
               if d.year == year and d.weekday() >= 5]
        calendar_year_enter(actor=actor, year=year, holidays=hol, workdays=wrk,
                            source=f"chinese-calendar {version}".strip())
        seeded.append(year)
    return seeded
