"""Daily sweeps. Each takes no objects, loads fresh state and is safe to run twice."""

from celery import shared_task

from schedules.services import payouts, sweeps


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def sweep_plans() -> dict:
    result = sweeps.sweep_plans()
    return result.__dict__


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def run_payouts() -> int:
    return len(payouts.run_payouts())
