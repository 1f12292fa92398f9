"""Policy numbers of the workflow (SPEC marks them "policy"): read from
settings.RESOLUTION_POLICY, never hard-coded, plus the Kazakhstan business-day calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import holidays
from django.conf import settings

from finplatform.clock import BUSINESS_TZ


def policy(name: str):
    return settings.RESOLUTION_POLICY[name]


@cache
def _kz_holidays(year: int):
    return holidays.country_holidays("KZ", years=year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _kz_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (weekends and KZ public holidays skipped)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            left -= 1
    return current


def confirmation_deadline(sent_at: datetime) -> datetime:
    """End of the Nth business day after the list was sent (midnight Almaty that follows)."""
    last_day = add_business_days(
        sent_at.astimezone(BUSINESS_TZ).date(), policy("CONFIRMATION_BUSINESS_DAYS")
    )
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ)


def signing_deadline(issued_at: datetime) -> datetime:
    return issued_at + timedelta(hours=policy("SIGNING_WINDOW_HOURS"))


def mediator_fee_payer(on: date) -> str:
    """'ombudsman' for agreements signed before the switch date, 'borrower' from it."""
    switch = date.fromisoformat(policy("MEDIATOR_FEE_BORROWER_FROM"))
    return "ombudsman" if on < switch else "borrower"


def kdn_limit(*, long_overdue: bool) -> Decimal:
    return Decimal(policy("KDN_LIMIT_LONG_OVERDUE" if long_overdue else "KDN_LIMIT"))
