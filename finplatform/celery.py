"""The Celery app and the one place where the beat schedule lives.

Beat keeps its state in the database (django-celery-beat's DatabaseScheduler, settings
CELERY_BEAT_SCHEDULER): at start it writes this schedule into its tables, and a daily run
missed while beat was down is fired once at start; that run covers every missed business
date (finplatform/dailyruns.py).

Deadlines are periodic sweeps over the database ("what expired by now?"), never far-future
ETA tasks, so a beat or worker that was down catches up on its next run. Every entry has
`expires` so a backlog of stale sweeps does not pile up behind an outage.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready
from django.conf import settings

from finplatform import requestid, taskruns  # noqa: F401  (connect their task signals)
from finplatform.daily_jobs import DAILY_JOBS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finplatform.settings")

app = Celery("finplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

MINUTE = 60
HOUR = 60 * MINUTE

# The daily jobs (finplatform/daily_jobs.py), Asia/Almaty; each covers every business date
# missed since its last run:
# - schedules-sweep-plans: overdue instalments, 40-day breaches, completion re-sends;
# - schedules-run-payouts: the payout batch per creditor (idempotent per creditor and day);
# - resolution-payment-notices: due-date reminders (settings.DUE_REMINDER_DAYS) and
#   missed-payment notices, several times in the daytime;
# - resolution-statement-notices: "your statement for <last month> is ready", once per plan
#   and month (dedup key).
DAILY_ENTRIES = {
    name: {
        "task": task,
        "schedule": crontab(hour=",".join(map(str, hours)), minute=minute),
        "options": {"expires": 3 * HOUR},
    }
    for name, (task, hours, minute) in DAILY_JOBS.items()
}

# name -> (task, every N seconds). Each sweep is idempotent and safe to run concurrently.
app.conf.beat_schedule = {
    "worker-heartbeat": {
        "task": "finplatform.tasks.heartbeat",
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
    # creditors' answer deadline: ask, remind once, deem confirmed
    # (resolution.services.confirmation)
    "resolution-confirmation-deadlines": {
        "task": "resolution.sweep_confirmation_deadlines",
        "schedule": 15 * MINUTE,
        "options": {"expires": 15 * MINUTE},
    },
    # 72-hour signing window: DOCUMENTS_ISSUED past the deadline -> REFUSED
    # (resolution.services.signing)
    "resolution-expire-unsigned-packages": {
        "task": "resolution.expire_unsigned_packages",
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
    # plan variations: objection window closed with no objection -> agreement issued;
    # agreement not signed in 72 hours -> expired (resolution.services.variation_signing)
    "resolution-sweep-variations": {
        "task": "resolution.sweep_variations",
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
    # transactional outbox: publish follow-up tasks the after-commit fast path missed
    "outbox-relay": {
        "task": "outbox.relay",
        "schedule": 30,
        "options": {"expires": 30},
    },
    # cases stuck in a transitional state (documents not generated, signed without a plan,
    # plan completed or breached but the case not moved) are resumed (resolution.services.recovery)
    "resolution-resume-stuck-cases": {
        "task": "resolution.resume_stuck_cases",
        "schedule": 2 * MINUTE,
        "options": {"expires": 2 * MINUTE},
    },
    # the ledger reconciliation (schedules/reconciliation.py); its latest result is kept
    # (finplatform/taskruns.py) for the metrics endpoint, never computed at scrape time
    "schedules-reconcile-ledger": {
        "task": "schedules.reconcile_ledger",
        "schedule": HOUR,
        "options": {"expires": HOUR},
    },
    # each creditor's part of each payment split into overdue principal, overdue interest,
    # penalty, current principal and interest, after booking (resolution.services.allocation)
    "resolution-allocate-parts": {
        "task": "resolution.allocate_parts",
        "schedule": 2 * MINUTE,
        "options": {"expires": 2 * MINUTE},
    },
    # eligibility checks stuck in CHECKING are resumed (resolution.services.eligibility)
    "resolution-resume-stalled-checks": {
        "task": "resolution.tasks.resume_stalled_checks",
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
    # housekeeping: attempt counters that can no longer limit anything (finplatform/throttle.py)
    # and registrations finished or expired a day ago (borrowers/enrolment.py)
    "finplatform-forget-stale-counters": {
        "task": "finplatform.tasks.forget_stale_counters",
        "schedule": HOUR,
        "options": {"expires": HOUR},
    },
    "borrowers-forget-finished-enrolments": {
        "task": "borrowers.forget_finished_enrolments",
        "schedule": HOUR,
        "options": {"expires": HOUR},
    },
    **DAILY_ENTRIES,
}


@worker_ready.connect
def resume_stuck_work_on_start(sender=None, **kwargs) -> None:
    """A worker killed outright (main process and pool) leaves the message it held
    unacknowledged until the broker's visibility timeout, hours away: when a worker comes up,
    it asks for the stuck-case recovery at once, by task name (the ground imports no app)."""
    if settings.RECOVER_STUCK_ON_WORKER_START:
        app.send_task("resolution.resume_stuck_cases", kwargs={"startup": True}, expires=5 * MINUTE)
