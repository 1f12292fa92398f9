"""Daily jobs that catch up every missed business date.

The beat schedule (finplatform/celery.py) fires each daily job at its time in Asia/Almaty;
the beat's own state lives in the database (django-celery-beat), so a run missed while beat
was down is fired once when beat starts again. That one run must then do the work of every
date it missed: `run_daily` looks up the last business date the job covered (`DailyRun`)
and calls the job for each date since, oldest first, recording each date as it completes
(a crash in the middle resumes at the first date not covered). The jobs are idempotent per
date, so the current date is always run again (several runs a day stay useful), and two
runs at once book nothing twice.

A job whose run on the latest date does all that the missed dates still owe (the borrower's
notices: what a missed date owed is either owed now, or overtaken and must not be sent late)
runs through `run_latest`: once, for the latest date, covering every date missed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings

from finplatform.clock import business_now
from finplatform.daily_jobs import first_run_time
from finplatform.models import DailyRun


def dates_due(name: str, *, now: datetime | None = None) -> list[date]:
    """The business dates `name` must cover now: each date after the last one covered, up to
    the latest date whose run time has passed (that one always, even if covered). At most
    DAILY_CATCH_UP_MAX_DAYS dates; a job never run before covers only the latest date."""
    now = now or business_now()
    latest = now.date() if now.time() >= first_run_time(name) else now.date() - timedelta(days=1)
    covered = DailyRun.objects.filter(name=name).values_list("covered_through", flat=True).first()
    start = latest if covered is None else min(covered + timedelta(days=1), latest)
    start = max(start, latest - timedelta(days=settings.DAILY_CATCH_UP_MAX_DAYS - 1))
    return [start + timedelta(days=n) for n in range((latest - start).days + 1)]


def run_daily(name: str, job: Callable[[date], object], *, now: datetime | None = None) -> list:
    """Call `job(on)` for every date due (oldest first), recording each as covered once it
    returned; returns the job's results in date order."""
    results = []
    for on in dates_due(name, now=now):
        results.append(job(on))
        _covered(name, on)
    return results


def run_latest(name: str, job: Callable[[date], object], *, now: datetime | None = None):
    """Call `job(on)` once, for the latest date due, and record every date due as covered;
    returns (the dates covered, the job's result), or ([], None) when no date is due."""
    dates = dates_due(name, now=now)
    if not dates:
        return [], None
    result = job(dates[-1])
    _covered(name, dates[-1])
    return dates, result


def _covered(name: str, on: date) -> None:
    # Only forward: a slower concurrent run never moves the mark back.
    if not DailyRun.objects.filter(name=name, covered_through__lt=on).update(covered_through=on):
        DailyRun.objects.get_or_create(name=name, defaults={"covered_through": on})
