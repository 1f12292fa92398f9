"""The daily jobs and their times (Asia/Almaty): the beat schedule (finplatform/celery.py) is
built from this table, and the catch-up (finplatform/dailyruns.py) reads from it when a date
is due. Plain data: importable before Django's app registry is ready."""

from __future__ import annotations

from datetime import time

# job name -> the first time of day (Asia/Almaty) it runs; the beat schedule is built from
# these (crontab hours), so a date counts as due once its first run time has passed.
DAILY_JOBS: dict[str, tuple[str, tuple[int, ...], int]] = {
    # name: (task, hours, minute)
    "schedules-sweep-plans": ("schedules.tasks.sweep_plans", (0,), 30),
    "schedules-run-payouts": ("schedules.tasks.run_payouts", (17,), 0),
    "resolution-payment-notices": ("resolution.sweep_payment_notices", (9, 12, 15, 18), 0),
    "resolution-statement-notices": ("resolution.send_statement_notices", (10,), 30),
}


def first_run_time(name: str) -> time:
    _task, hours, minute = DAILY_JOBS[name]
    return time(min(hours), minute)
