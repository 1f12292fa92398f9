"""The transactional outbox.

A follow-up task (generate the documents, run the eligibility check, send a notification,
deliver a webhook...) is written as an `OutboxMessage` row in the SAME database transaction as
the state change that calls for it. After COMMIT a fast path publishes it to the broker and
marks it dispatched; if the process dies between COMMIT and the publish, or the broker is
down, the row stays undispatched and the relay sweep (`relay`, every 30 s from beat) publishes
it later. Every task enqueued this way is idempotent (it reloads state by id and checks it
under a lock or a unique key), so a message published twice — the fast path's publish worked
but its "dispatched" mark did not — does no harm.

    from outbox import services as outbox
    outbox.enqueue(generate_documents, str(package.pk), dedup_key=f"documents:{package.pk}")

`dedup_key` (optional, unique forever) records an event at most once: a second enqueue with
the same key records nothing and returns None.
"""

from __future__ import annotations

import json
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from finplatform import requestid
from finplatform.celery import app
from finplatform.clock import business_now
from finplatform.locks import lock_rows
from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

_local = threading.local()


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def enqueue(task, *args, dedup_key: str | None = None) -> int | None:
    """Record `task(*args)` in the current transaction and publish it after COMMIT.

    `task` is a Celery task or its registered name; `args` must be JSON (pass ids as str).
    Returns the message id, or None when `dedup_key` was recorded before. Outside a
    transaction the row commits at once and the publish follows immediately."""
    name = _task_name(task)
    rid = requestid.current()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outbox_outboxmessage"
            " (task_name, args, dedup_key, created_at, attempts, last_error, request_id)"
            " VALUES (%s, %s::jsonb, %s, %s, 0, '', %s)"
            " ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            [name, json.dumps(list(args)), dedup_key, business_now(), rid],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    publish_after_commit(row[0], name, *args)
    return row[0]


def publish_after_commit(message_id: int, task, *args) -> None:
    """The after-commit publish of a message written in the current transaction: by `enqueue`,
    or by SQL itself (a PL/pgSQL function's INSERT into this table, with
    `requestid.current()`); outside a transaction (autocommit) it publishes at once."""
    rid = requestid.current()
    name = _task_name(task)
    transaction.on_commit(partial(dispatch_now, message_id, name, list(args), request_id=rid))


@contextmanager
def fast_path_suppressed():
    """Within this block the after-commit publish does nothing, as if the process had died
    right after COMMIT; only the relay can then dispatch. For fault-injection tests."""
    _local.suppressed = True
    try:
        yield
    finally:
        _local.suppressed = False


def _publish(name: str, args: list, request_id: str = "") -> None:
    # retry=False: a broker outage must not hold a web request; the relay retries.
    # ignore_result: the Redis result backend would otherwise be contacted (and retried).
    # The request id travels in the task's headers into the worker's log records.
    headers = {requestid.HEADER: request_id} if request_id else None
    app.send_task(name, args=args, retry=False, ignore_result=True, headers=headers)


def dispatch_now(message_id: int, name: str, args: list, request_id: str = "") -> bool:
    """The after-commit fast path: publish one message and mark it dispatched. Any failure
    (broker down, database gone) is logged and left to the relay."""
    if getattr(_local, "suppressed", False):
        return False
    try:
        _publish(name, args, request_id)
    except Exception as exc:  # any broker error: the relay will retry
        logger.warning("outbox: publish of %s #%s failed, left for the relay: %s",
                       name, message_id, exc)  # fmt: skip
        return False
    try:
        OutboxMessage.objects.filter(pk=message_id, dispatched_at__isnull=True).update(
            dispatched_at=business_now(), attempts=F("attempts") + 1
        )
    except DatabaseError as exc:  # published; the relay may publish again (idempotent)
        logger.warning("outbox: could not mark #%s dispatched: %s", message_id, exc)
    return True


def relay(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Publish messages the fast path missed: not dispatched and older than `older_than`
    (OUTBOX_RELAY_AFTER_SECONDS), oldest first, claimed with FOR UPDATE SKIP LOCKED so two
    relays never publish the same row at once. Stops at the first broker error (the next
    run retries). Also forgets dispatched messages older than OUTBOX_KEEP_DAYS. Returns the
    number published."""
    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)
    now = business_now()
    published = 0
    with transaction.atomic():
        batch = list(
            lock_rows(
                OutboxMessage.objects.filter(
                    dispatched_at__isnull=True, created_at__lte=now - older_than
                ),
                skip_locked=True,
            )[:limit]
        )
        for message in batch:
            try:
                _publish(message.task_name, message.args, message.request_id)
            except Exception as exc:  # broker still down: try next run
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, last_error=str(exc)[:1000]
                )
                logger.warning("outbox relay: broker error, %d left: %s",
                               len(batch) - published, exc)  # fmt: skip
                break
            OutboxMessage.objects.filter(pk=message.pk).update(
                dispatched_at=business_now(), attempts=F("attempts") + 1, last_error=""
            )
            published += 1
    OutboxMessage.objects.filter(
        dispatched_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    ).delete()
    if published:
        logger.info("outbox relay: published %d message(s)", published)
    return published


def pending_count() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
