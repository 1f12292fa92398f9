"""The one source of business time. Everything that asks "what time is it" asks here, so
tests move the clock (time-machine) and every deadline follows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from finplatform import devclock
from finplatform.datetext import deadline_text

BUSINESS_TZ = ZoneInfo("Asia/Almaty")


def business_now() -> datetime:
    """Aware 'now' in the platform's zone (Asia/Almaty, UTC+5); in development it may run
    ahead of real time by the development clock's offset (finplatform/devclock.py)."""
    return (timezone.now() + devclock.offset()).astimezone(BUSINESS_TZ)


def business_date() -> date:
    return business_now().date()


def business_deadline_text(moment: datetime, language: str | None = None) -> str:
    """A deadline as people in Kazakhstan read it, in Almaty wall-clock time and the given (or
    active) language: "до 23:59, 4 декабря 2026" (finplatform/datetext.py; never "00:00").
    Values loaded from the database are in UTC, so convert first."""
    return deadline_text(moment.astimezone(BUSINESS_TZ), language)
