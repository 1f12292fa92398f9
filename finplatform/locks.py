"""The one way to lock rows: `SELECT … FOR UPDATE OF <the model's own table>`.

Every service that changes a row other requests may change at the same time takes the lock
here, inside its transaction, so a lock reads the same everywhere and a reader can find every
place that serialises on a row with one grep (`lock_row`, `lock_rows`, `lock_keys`,
`try_session_lock`).
Several rows are always locked in primary-key order, the same in every session, so two
transactions that lock overlapping sets never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model, QuerySet


def _queryset(model_or_queryset) -> QuerySet:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    if isinstance(model_or_queryset, type) and issubclass(model_or_queryset, Model):
        return model_or_queryset._default_manager.all()
    return model_or_queryset.all()  # a related manager, e.g. package.codes


def lock_row(model_or_queryset, **lookup):
    """The row matching `lookup`, locked FOR UPDATE (only its own table, not joined ones).
    Raises DoesNotExist like `.get()`. Call inside a transaction."""
    return _queryset(model_or_queryset).select_for_update(of=("self",)).get(**lookup)


def lock_rows(model_or_queryset, *, skip_locked: bool = False) -> QuerySet:
    """The rows of a queryset, locked FOR UPDATE in primary-key order (no deadlocks).
    With `skip_locked`, rows another transaction holds are passed over (work queues)."""
    return (
        _queryset(model_or_queryset)
        .select_for_update(of=("self",), skip_locked=skip_locked)
        .order_by("pk")
    )


def lock_keys(namespace: str, keys) -> None:
    """Transaction-level advisory locks on arbitrary strings (an idempotency key, say),
    taken in the order of their 64-bit hashes — the same in every session — and released at
    COMMIT or ROLLBACK. Serialises work on a thing that has no row yet."""
    names = sorted({f"{namespace}\x1f{key}" for key in keys})
    if not names:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT DISTINCT"
            " hashtextextended(k, 0) AS h FROM unnest(%s::text[]) AS k ORDER BY h) AS keys",
            [names],
        )


@contextmanager
def try_session_lock(namespace: str, key: str) -> Iterator[bool]:
    """A session-level advisory lock for work done outside any transaction (rendering PDFs):
    yields True when this session holds it, False at once when another session does.
    PostgreSQL drops it with the holder's connection, so a worker killed outright leaves
    nothing locked and the work can be resumed at once."""
    name = f"{namespace}\x1f{key}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [name])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])
