"""Legal time limits over the 2026 holidays, 调休 weekends and a year whose notice is not entered yet."""

from __future__ import annotations

import datetime as dt

import pytest

from yangguang.core import deadlines
from yangguang.core.deadlines import SHANGHAI, DayUnit, days_between, deadline
from yangguang.core.models import CalendarYear, Event
from yangguang.core.services import calendar_seed_from_package, calendar_year_enter

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_snapshot():
    deadlines.calendar_changed()
    yield
    deadlines.calendar_changed()


@pytest.fixture
def seeded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        years = calendar_seed_from_package()
    assert 2026 in years and 2027 not in years
    assert CalendarYear.objects.filter(year=2026).exists()
    assert Event.objects.filter(action="core.calendar.year_entered").count() == len(years)
    return years


def test_seeding_is_idempotent(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert calendar_seed_from_package() == []


@pytest.mark.parametrize(("start", "n", "last_day"), [
    (D(2026, 9, 30), 1, D(2026, 10, 8)),   # Oct 1–7 National Day
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Oct 8, 9 and the 调休 Saturday Oct 10
    (D(2026, 9, 30), 4, D(2026, 10, 12)),
    (D(2026, 9, 18), 1, D(2026, 9, 20)),   # Sat 19 off, Sun 20 is a make-up working day
    (D(2026, 9, 22), 3, D(2026, 9, 28)),   # Fri 25 Mid-autumn, weekend 26–27 off
    (D(2026, 9, 30), 0, D(2026, 9, 30)),
])
def test_working_days(seeded, start, n, last_day):
    result = deadline(start, n, DayUnit.WORKING_DAY)
    assert result.last_day == last_day
    assert result.at == dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    assert not result.provisional and result.unconfirmed_years == ()


@pytest.mark.parametrize(("start", "n", "last_day"), [
    (D(2026, 9, 28), 5, D(2026, 10, 8)),   # Oct 3 is a holiday: the period ends on the next working day
    (D(2026, 9, 17), 3, D(2026, 9, 20)),   # Sun 20 is a 调休 working day: not moved
    (D(2026, 9, 16), 3, D(2026, 9, 20)),   # Sat 19 is off: moved to Sun 20, a 调休 working day
    (D(2026, 10, 1), 9, D(2026, 10, 10)),  # Sat Oct 10 works
    (D(2026, 10, 1), 10, D(2026, 10, 12)),  # Sun Oct 11 off
])
def test_calendar_days(seeded, start, n, last_day):
    result = deadline(start, n, "calendar_day")
    assert result.last_day == last_day
    assert not result.provisional


def test_start_moment_counts_in_shanghai_time(seeded):
    # 17:00 UTC on Sep 30 is already Oct 1 in Shanghai.
    start = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert deadline(start, 1, DayUnit.WORKING_DAY).last_day == D(2026, 10, 8)
    assert deadline(start, 2, DayUnit.CALENDAR_DAY).last_day == D(2026, 10, 8)
    assert deadline(start.replace(hour=15), 1, DayUnit.CALENDAR_DAY).last_day == D(2026, 10, 8)


def test_without_any_calendar_counts_weekends_only_and_is_provisional(db):
    result = deadline(D(2026, 9, 30), 3, DayUnit.WORKING_DAY)
    assert result.last_day == D(2026, 10, 5)
    assert result.provisional and result.unconfirmed_years == (2026,)


def test_period_into_2027_is_provisional_until_the_notice_is_entered(seeded, django_capture_on_commit_callbacks):
    result = deadline(D(2026, 12, 28), 5, DayUnit.WORKING_DAY)  # Dec 29, 30, 31, Jan 1 (Fri), Jan 4
    assert result.last_day == D(2027, 1, 4)
    assert result.provisional and result.unconfirmed_years == (2027,)
    far = deadline(D(2027, 6, 1), 600, DayUnit.WORKING_DAY)  # never raises, whatever the horizon
    assert far.provisional and far.unconfirmed_years == (2027, 2028, 2029)
    assert deadline(D(2027, 9, 30), 3, DayUnit.CALENDAR_DAY).last_day == D(2027, 10, 4)  # Oct 3 is Sunday
    assert deadlines.unconfirmed_years_ahead(D(2026, 11, 27)) == [2027]

    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(actor="system", year=2027, holidays=[(D(2027, 1, 1), "元旦")], workdays=[],
                            source="国办发明电〔2026〕test")
    result = deadline(D(2026, 12, 28), 5, DayUnit.WORKING_DAY)
    assert result.last_day == D(2027, 1, 5)
    assert not result.provisional and result.unconfirmed_years == ()
    assert deadlines.unconfirmed_years_ahead(D(2026, 11, 27)) == []
    assert Event.objects.filter(action="core.calendar.year_entered", object_id=str(
        CalendarYear.objects.get(year=2027).pk)).exists()


def test_negative_period_raises(db):
    with pytest.raises(ValueError):
        deadline(D(2026, 1, 1), -1, DayUnit.CALENDAR_DAY)


def test_days_between(seeded):
    earlier = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    later = dt.datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
    assert days_between(earlier, later, DayUnit.CALENDAR_DAY) == 10
    assert days_between(earlier, later, DayUnit.WORKING_DAY) == 3  # Oct 8, 9, 10
    assert days_between(later, later, DayUnit.WORKING_DAY) == 0
    assert days_between(earlier, earlier + dt.timedelta(hours=20), "calendar_day") == 1
    # Consistent with deadline(): n working days after a start end on a day n working days later.
    for n in range(0, 15):
        end = deadline(earlier, n, DayUnit.WORKING_DAY)
        assert days_between(earlier, dt.datetime.combine(end.last_day, dt.time(12), tzinfo=SHANGHAI),
                            DayUnit.WORKING_DAY) == n
