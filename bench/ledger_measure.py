"""What the month-end benchmark reads besides the clock: the per-tenth curve, PostgreSQL's WAL
statistics and the time Python's collector ran (bench/ledger_bench.py)."""

from __future__ import annotations

import time


class GcTimer:
    """A `gc.callbacks` entry that adds up the time Python's collector ran."""

    def __init__(self) -> None:
        self.seconds, self._started = 0.0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def segments(marks: list, count: int = 10) -> list[float]:
    """µs per payment in each tenth of the run (the curve as the ledger grows, from one run:
    the first tenth and the last are minutes apart, not separate databases); a run of fewer
    than ten batches gives one figure per batch."""
    total = marks[-1][0]
    bounds = [total * k // count for k in range(count + 1)]
    out, prev = [], (0, 0.0)
    for bound in bounds[1:]:
        mark = next(m for m in marks if m[0] >= bound)
        if mark[0] > prev[0]:
            out.append(round((mark[1] - prev[1]) / (mark[0] - prev[0]) * 1e6, 1))
        prev = mark
    return out


def wal_stats() -> dict:
    """What PostgreSQL wrote while the batch ran: WAL records, full-page images (the first
    change of a page after each checkpoint), bytes, and checkpoints."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.wal_records, w.wal_fpi, w.wal_bytes::bigint,"
            " b.checkpoints_timed + b.checkpoints_req"
            " FROM pg_stat_wal w, pg_stat_bgwriter b"
        )
        records, fpi, size, checkpoints = cursor.fetchone()
    return {"records": records, "fpi": fpi, "bytes": size, "checkpoints": checkpoints}
