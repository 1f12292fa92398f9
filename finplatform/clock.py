"""The one source of business time. Everything that asks "what time is it" asks here, so
tests move the clock (time-machine) and every deadline follows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

BUSINESS_TZ = ZoneInfo("Asia/Almaty")


def business_now() -> datetime:
    """Aware 'now' in the platform's zone (Asia/Almaty, UTC+5)."""
    return timezone.now().astimezone(BUSINESS_TZ)


def business_date() -> date:
    return business_now().date()


def business_deadline_text(moment: datetime) -> str:
    """A deadline as people in Kazakhstan read it in a message: Almaty wall-clock time,
    "dd.mm.yyyy HH:MM". Values loaded from the database are in UTC, so convert first."""
    return moment.astimezone(BUSINESS_TZ).strftime("%d.%m.%Y %H:%M")
