"""Policy numbers of the workflow (SPEC marks them "policy"): read from
settings.RESOLUTION_POLICY, never hard-coded. Working days come from the one calendar,
`finplatform.workdays` (public holidays and the admin's calendar overrides)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings

from finplatform.clock import BUSINESS_TZ
from finplatform.workdays import add_working_days
from resolution.burden import BurdenPolicy

# The debt-burden rules' numbers (MFO rules, the КДН points; debt-burden-ratio-rules), each
# overridable by the same key in settings.RESOLUTION_POLICY. The 0.25 limit and official
# income apply after a delay over KDN_LONG_OVERDUE_DAYS in the last 12 months, or with signs
# of gambling (6+ payments to a gambling operator totalling over 300 000 ₸ in the last 6
# completed months). Signs of a fictitious restructuring: the debt down by less than 5% six
# months after it; 2+ restructurings in 12 months with a debt overdue; interest over 20% of
# the principal. The subsistence minimum per month by year, in tiyn, with its law (income
# below it is flagged; a new year's figure is added when its budget law is signed).
BURDEN_DEFAULTS = {
    "KDN_LONG_OVERDUE_DAYS": 90,
    "KDN_GAMBLING_MIN_PAYMENTS": 6,
    "KDN_GAMBLING_MIN_TOTAL_TIYN": 300_000 * 100,
    "KDN_GAMBLING_MONTHS": 6,
    "RESTRUCTURING_MIN_DROP_PERCENT": 5,
    "RESTRUCTURING_MAX_PER_YEAR": 1,
    "RESTRUCTURING_MAX_INTEREST_PERCENT": 20,
    "SUBSISTENCE_MINIMUM": {
        2025: (46_228 * 100, "Закон РК «О республиканском бюджете на 2025–2027 годы»"),
        2026: (
            50_851 * 100,
            "Закон РК от 8 декабря 2025 года «О республиканском бюджете на 2026–2028 годы»",
        ),
    },  # fmt: skip
}


def policy(name: str):
    if name in BURDEN_DEFAULTS:
        return settings.RESOLUTION_POLICY.get(name, BURDEN_DEFAULTS[name])
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


def burden_policy(on: date) -> BurdenPolicy:
    """The debt-burden thresholds in force on `on` (the subsistence minimum by year)."""
    minimum, source = policy("SUBSISTENCE_MINIMUM").get(on.year, (None, ""))
    return BurdenPolicy(
        limit=Decimal(policy("KDN_LIMIT")),
        limit_strict=Decimal(policy("KDN_LIMIT_LONG_OVERDUE")),
        long_overdue_days=policy("KDN_LONG_OVERDUE_DAYS"),
        gambling_min_payments=policy("KDN_GAMBLING_MIN_PAYMENTS"),
        gambling_min_total_tiyn=policy("KDN_GAMBLING_MIN_TOTAL_TIYN"),
        gambling_months=policy("KDN_GAMBLING_MONTHS"),
        subsistence_minimum_tiyn=minimum,
        subsistence_source=source,
        restructuring_min_drop_percent=policy("RESTRUCTURING_MIN_DROP_PERCENT"),
        restructuring_max_per_year=policy("RESTRUCTURING_MAX_PER_YEAR"),
        restructuring_max_interest_percent=policy("RESTRUCTURING_MAX_INTEREST_PERCENT"),
    )
