from datetime import date

import pytest

from finplatform.models import CalendarOverride
from finplatform.workdays import add_working_days, is_working_day, next_working_day

pytestmark = pytest.mark.django_db


def test_independence_day_and_weekend_are_not_working_days():
    assert not is_working_day(date(2026, 12, 16))  # Independence Day, a Wednesday
    assert not is_working_day(date(2026, 12, 19))  # Saturday
    assert is_working_day(date(2026, 12, 17))


def test_a_due_date_on_16_december_shifts_to_the_next_working_day():
    assert next_working_day(date(2026, 12, 16)) == date(2026, 12, 17)
    assert next_working_day(date(2026, 12, 17)) == date(2026, 12, 17)


def test_nauryz_week_is_skipped_when_counting_working_days():
    # 2026-03-20 (Fri) + 1 working day: 21–25 March are days off (Nauryz + moved days off).
    assert add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 26)


def test_admin_override_makes_a_saturday_a_working_day_and_a_weekday_a_day_off():
    saturday = date(2026, 12, 26)
    assert not is_working_day(saturday)
    CalendarOverride.objects.create(date=saturday, is_working_day=True, reason="decree")
    CalendarOverride.objects.create(date=date(2026, 12, 28), is_working_day=False, reason="moved")
    assert is_working_day(saturday)
    assert not is_working_day(date(2026, 12, 28))
    # Fri 25 Dec + 2 working days: Sat 26 (override), then Mon 28 is off → Tue 29.
    assert add_working_days(date(2026, 12, 25), 2) == date(2026, 12, 29)
