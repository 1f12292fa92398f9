"""The Celery app and the one place where the beat schedule lives.

Deadlines are periodic sweeps over the database ("what expired by now?"), never far-future
ETA tasks, so a beat or worker that was down catches up on its next run. Every entry has
`expires` so a backlog of stale sweeps does not pile up behind an outage.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finplatform.settings")

app = Celery("finplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

MINUTE = 60
HOUR = 60 * MINUTE

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
    # Daily, Asia/Almaty: overdue instalments, 40-day breaches, completion re-sends.
    "schedules-sweep-plans": {
        "task": "schedules.tasks.sweep_plans",
        "schedule": crontab(hour=0, minute=30),
        "options": {"expires": 12 * HOUR},
    },
    # Daily payout batch per creditor (idempotent per creditor and day).
    "schedules-run-payouts": {
        "task": "schedules.tasks.run_payouts",
        "schedule": crontab(hour=17, minute=0),
        "options": {"expires": 6 * HOUR},
    },
    # Due-date reminders (settings.DUE_REMINDER_DAYS) and missed-payment notices, in the
    # daytime in Asia/Almaty; several runs a day so a missed run catches up the same day.
    "resolution-payment-notices": {
        "task": "resolution.sweep_payment_notices",
        "schedule": crontab(hour="9,12,15,18", minute=0),
        "options": {"expires": 3 * HOUR},
    },
    # "Your statement for <last month> is ready": daily, once per plan and month (dedup key).
    "resolution-statement-notices": {
        "task": "resolution.send_statement_notices",
        "schedule": crontab(hour=10, minute=30),
        "options": {"expires": 12 * HOUR},
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
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
    # eligibility checks stuck in CHECKING are resumed (resolution.services.eligibility)
    "resolution-resume-stalled-checks": {
        "task": "resolution.tasks.resume_stalled_checks",
        "schedule": 5 * MINUTE,
        "options": {"expires": 5 * MINUTE},
    },
}
