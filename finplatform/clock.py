"""The one source of business time. Everything that asks "what time is it" asks here, so
tests move the clock (time-machine) and every deadline follows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from finplatform import devclock

BUSINESS_TZ = ZoneInfo("Asia/Almaty")


def business_now() -> datetime:
    """Aware 'now' in the platform's zone (Asia/Almaty, UTC+5); in development it may run
    ahead of real time by the development clock's offset (finplatform/devclock.py)."""
    return (timezone.now() + devclock.offset()).astimezone(BUSINESS_TZ)


def business_date() -> date:
    return business_now().date()


def business_deadline_text(moment: datetime) -> str:
    """A deadline as people in Kazakhstan read it in a message: Almaty wall-clock time,
    "dd.mm.yyyy HH:MM". Values loaded from the database are in UTC, so convert first."""
    return moment.astimezone(BUSINESS_TZ).strftime("%d.%m.%Y %H:%M")
