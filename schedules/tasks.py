"""Daily sweeps. Each takes no objects, loads fresh state and is safe to run twice."""

from celery import shared_task

from finplatform.dailyruns import run_daily
from schedules import reconciliation
from schedules.services import payouts, sweeps


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def sweep_plans() -> dict:
    """Every business date since the last sweep (a missed day's breaches on their date); the
    latest date's figures and the dates covered."""
    runs = run_daily("schedules-sweep-plans", lambda on: (on, sweeps.sweep_plans(on=on)))
    return {**runs[-1][1].__dict__, "dates": [str(on) for on, _ in runs]} if runs else {}


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def run_payouts() -> int:
    """Every business date since the last payout run (idempotent per creditor and date)."""
    return sum(run_daily("schedules-run-payouts", lambda on: len(payouts.run_payouts(on=on))))


@shared_task(name="schedules.reconcile_ledger", time_limit=600, soft_time_limit=540)
def reconcile_ledger() -> dict:
    """Prove the money adds up; the result is kept as the task's last result (TaskRun) for
    the metrics endpoint."""
    report = reconciliation.reconcile()
    failed = [check.name for check in report.checks if not check.ok]
    return {"ok": report.ok, "checks": len(report.checks), "failed": failed}
