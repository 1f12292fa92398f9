"""After the development clock moves (finplatform/devclock.py), run the periodic sweeps at once
so the effect is visible without waiting for beat: the same tasks beat runs on its schedule,
by name, in this process and in deadline order. Each sweep is idempotent, so beat running it
again a minute later changes nothing; follow-ups still go through the outbox to the worker."""

from __future__ import annotations

from finplatform import devclock
from finplatform.celery import app

# The sweeps that decide on time, in the order a day passes: creditors' answer deadline,
# the 72-hour signing window, then the daily jobs (overdue, breach, completion re-sends;
# reminders and missed-payment notices; statements; the payout batch).
SWEEPS = (
    "resolution.sweep_confirmation_deadlines",
    "resolution.expire_unsigned_packages",
    "schedules.tasks.sweep_plans",
    "resolution.sweep_payment_notices",
    "resolution.send_statement_notices",
    "schedules.tasks.run_payouts",
)


def run_sweeps() -> list[str]:
    """Run every time sweep now (development clock only); returns the names run."""
    if not devclock.enabled():
        raise devclock.DevClockDisabled("the development clock is off in these settings")
    app.loader.import_default_modules()  # register every app's tasks, as a worker does
    for name in SWEEPS:
        app.tasks[name].apply(throw=True)
    return list(SWEEPS)
