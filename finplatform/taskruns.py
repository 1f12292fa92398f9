"""Records when each periodic task (the beat schedule) last finished successfully, and its
result (finplatform.models.TaskRun), from Celery's task_success signal: no task needs to
remember to do it. The metrics endpoint reads these rows at scrape time."""

from __future__ import annotations

import json
import logging

from celery.signals import task_success
from django.db import DatabaseError

from finplatform.clock import business_now

logger = logging.getLogger(__name__)


def periodic_task_names(app) -> set[str]:
    return {entry["task"] for entry in app.conf.beat_schedule.values()}


def record(name: str, result) -> None:
    from finplatform.models import TaskRun  # the app registry is ready only in the worker

    try:
        json.dumps(result)
    except (TypeError, ValueError):
        result = None
    TaskRun.objects.update_or_create(
        name=name, defaults={"finished_at": business_now(), "result": result}
    )


@task_success.connect
def _record_periodic(sender=None, result=None, **kwargs) -> None:
    name = getattr(sender, "name", None)
    if name not in periodic_task_names(sender.app):
        return
    try:
        record(name, result)
    except DatabaseError as exc:  # the task's work is done; a lost mark only ages the gauge
        logger.warning("could not record the finish of %s: %s", name, exc)
