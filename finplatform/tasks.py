import socket

from celery import shared_task

from finplatform import throttle
from finplatform.clock import business_now


@shared_task(name="finplatform.tasks.heartbeat", time_limit=30, soft_time_limit=25)
def heartbeat() -> dict:
    """Proves a worker is consuming: returns who ran it and when (the tests call it)."""
    return {"host": socket.gethostname(), "at": business_now().isoformat()}


@shared_task(name="finplatform.tasks.forget_stale_counters", time_limit=120, soft_time_limit=100)
def forget_stale_counters() -> int:
    return throttle.forget_stale_counters()
