"""Celery queues by kind of work, so one kind's burst never waits behind another's.

- deadlines: deadlines and money first — the sweeps, payouts, plan outcomes, the outbox relay;
- checks: eligibility checks (the bureau and the other registries);
- documents: PDF rendering (slow: seconds per package);
- notifications: SMS, email, webhooks, bureau reports.

Tasks are routed by NAME (settings CELERY_TASK_ROUTES), so the outbox (which publishes by
name) and beat need no change. A task not named here goes to the default queue "celery".
A worker consumes the queues given with `-Q`; `bin/dev` and the test worker consume them all
(ALL_QUEUES); production runs one or more workers per queue (docker-compose.yml).
Plain data: importable before Django's app registry is ready.
"""

from __future__ import annotations

DEFAULT_QUEUE = "celery"

TASKS_BY_QUEUE: dict[str, tuple[str, ...]] = {
    "deadlines": (
        "finplatform.tasks.heartbeat",
        "outbox.relay",
        "resolution.sweep_confirmation_deadlines",
        "resolution.expire_unsigned_packages",
        "resolution.sweep_variations",
        "resolution.resume_stuck_cases",
        "resolution.tasks.resume_stalled_checks",
        "resolution.plan_completed",
        "resolution.allocate_parts",
        "resolution.plan_breached",
        "schedules.tasks.sweep_plans",
        "schedules.tasks.run_payouts",
        "schedules.reconcile_ledger",
        "finplatform.tasks.forget_stale_counters",
        "borrowers.forget_finished_enrolments",
    ),
    "checks": ("resolution.tasks.run_eligibility_check",),
    "documents": ("resolution.generate_documents", "resolution.render_ending_documents"),
    "notifications": (
        "resolution.send_notification",
        "resolution.send_loan_lists",
        "resolution.sweep_payment_notices",
        "resolution.send_statement_notices",
        "resolution.report_procedure_started",
        "resolution.report_procedure_ended",
        "resolution.correct_credit_history",
        "creditors.tasks.deliver_webhook",
        "resolution.refund_paid",
    ),
}

ALL_QUEUES: tuple[str, ...] = (*TASKS_BY_QUEUE, DEFAULT_QUEUE)

TASK_ROUTES: dict[str, dict[str, str]] = {
    name: {"queue": queue} for queue, names in TASKS_BY_QUEUE.items() for name in names
}
