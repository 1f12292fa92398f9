from celery import shared_task

from outbox.services import relay as run


@shared_task(name="outbox.relay", time_limit=60, soft_time_limit=50)
def relay() -> int:
    """Beat entry (every 30 s): publish outbox messages the after-commit fast path missed."""
    return run()
