"""A task that only the queue-isolation test loads into its worker (`--include`): it stands
for a slow PDF rendering and is sent to the documents queue."""

import time

from celery import shared_task


@shared_task(name="tests.slow_document")
def slow_document(seconds: float) -> str:
    time.sleep(seconds)
    return "rendered"
