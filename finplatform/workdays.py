"""Kazakhstan's working-day calendar.

Weekends and public holidays (including the days off the government moves) come from the
maintained `holidays` package; `CalendarOverride` rows, edited by staff in the admin, win
over both for a decree the package does not know yet. Used for deadlines counted in working
days (creditor confirmation, complaint answers) and for shifting a due date that falls on a
non-working day (no lateness counts for that gap).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from finplatform.models import CalendarOverride


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarOverride.objects.filter(date__range=(start, end)).values_list(
            "date", "is_working_day"
        )
    )


class WorkCalendar:
    """Answers for a window of dates with one query for the overrides in it."""

    def __init__(self, start: date, end: date):
        self.overrides = _overrides(start, end)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (day itself not counted)."""
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def _window(day: date, working_days: int = 0) -> WorkCalendar:
    # Long enough for any run of days off plus the working days asked for.
    return WorkCalendar(day, day + timedelta(days=working_days * 2 + 30))


def is_working_day(day: date) -> bool:
    return _window(day).is_working_day(day)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    return _window(day).next_working_day(day)


def add_working_days(day: date, count: int) -> date:
    return _window(day, count).add_working_days(day, count)
