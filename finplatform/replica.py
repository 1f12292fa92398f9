"""An optional read replica for heavy reads: exports, statements, analytics.

With DATABASE_REPLICA_URL set, settings define a "replica" database alias; code that only
reads and can live with a replica's lag of a second or two runs under `replica_reads` (a
decorator or a context manager), and `ReplicaRouter` sends its reads there. Without a
replica, or outside such a block, every read goes to the primary ("default"). Writes always
go to the primary. Money decisions (booking, payouts, locks) never read from the replica."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def read_alias() -> str:
    return REPLICA if _reading.get() and REPLICA in settings.DATABASES else "default"


@contextmanager
def _block():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(func=None):
    """`@replica_reads` on a read-only function or view, or `with replica_reads():`."""
    if func is None:
        return _block()

    @wraps(func)
    def wrapper(*args, **kwargs):
        with _block():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same objects

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
