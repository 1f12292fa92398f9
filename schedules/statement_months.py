"""Which months a statement covers: the month's bounds, a month from the query string, and the
months a plan has statements for (used by the cabinet, the creditor exports and statements)."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from finplatform.clock import BUSINESS_TZ, business_date
from schedules.models import Plan


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month `month` falls in."""
    start = month.replace(day=1)
    return start, start + relativedelta(months=1) - timedelta(days=1)


def parse_month(value: str) -> date | None:
    """'2026-12' → date(2026, 12, 1); anything else → None."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def statement_months(plan: Plan, *, today: date | None = None) -> list[date]:
    """The months a plan has statements for, newest first: from the month it was signed to the
    current month (payments can arrive after the last due date, so no upper cut there)."""
    today = today or business_date()
    first = plan.created_at.astimezone(BUSINESS_TZ).date().replace(day=1)
    month, months = today.replace(day=1), []
    while month >= first:
        months.append(month)
        month -= relativedelta(months=1)
    return months
