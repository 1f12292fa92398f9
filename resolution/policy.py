"""Policy numbers of the workflow (SPEC marks them "policy"): read from
settings.RESOLUTION_POLICY, never hard-coded. Working days come from the one calendar,
`finplatform.workdays` (public holidays and the admin's calendar overrides)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings

from finplatform.clock import BUSINESS_TZ
from finplatform.workdays import add_working_days


def policy(name: str):
    return settings.RESOLUTION_POLICY[name]


def confirmation_deadline(sent_at: datetime) -> datetime:
    """End of the Nth working day after the list was sent (midnight Almaty that follows);
    a day off the admin declared counts as off, a working Saturday as working."""
    last_day = add_working_days(
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
