"""The A/B part of bench/ledger_bench.py (`--ab ROUNDS`): the Python reference booking
(`payments.book_payments` / `book_payment`) and the booking in SQL (`booking.book_many` /
`book_one`) measured interleaved in ONE process and ONE database, round after round, so a
shared machine's load falls on both alike. Each round books 1,000 payments as one batch through
each path and `single` payments one per transaction through each; medians are reported.

LEDGER_AB_FK=1: instead, the booking in SQL with and without a (deferred, NOT VALID: only new
rows are checked) FOREIGN KEY from the legs to their transaction, added and dropped between the
halves of each round: what migration 0013 (no such key) saves, measured in one process.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _foreign_key(present: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE schedules_ledgerentry DROP CONSTRAINT IF EXISTS ab_leg_tx_fk")
        if present:
            cursor.execute(
                "ALTER TABLE schedules_ledgerentry ADD CONSTRAINT ab_leg_tx_fk FOREIGN KEY"
                " (transaction_id) REFERENCES schedules_ledgertransaction (id)"
                " DEFERRABLE INITIALLY DEFERRED NOT VALID"
            )


def run_ab(plans: list, items: list, rounds: int, *, batch: int = 1000, single: int = 200) -> dict:
    from schedules.services.booking import book_many, book_one
    from schedules.services.payments import PaymentIn, book_payment, book_payments

    paths = {"python": (book_payments, book_payment), "sql": (book_many, book_one)}
    if os.environ.get("LEDGER_AB_FK"):
        paths = {"sql_fk": (book_many, book_one), "sql": (book_many, book_one)}
    per_s = {f"{name}_{kind}": [] for name in paths for kind in ("batch", "single")}
    paid_at = datetime(2026, 2, 27, 6, tzinfo=UTC)
    for r in range(rounds):
        chunk = items[(r * batch) % len(items) :][:batch]
        order = list(paths.items()) if r % 2 == 0 else list(reversed(paths.items()))
        for name, (many, one) in order:
            _foreign_key(name == "sql_fk")
            fresh = [replace(i, idempotency_key=f"ab{r}-{name}-{i.idempotency_key}") for i in chunk]
            seconds = _timed(lambda many=many, fresh=fresh: many(source="ab", items=fresh))
            per_s[f"{name}_batch"].append(len(fresh) / seconds)
            targets = [plans[(r * single + n) % len(plans)].case.reference for n in range(single)]

            def singles(one=one, name=name, targets=targets, r=r):
                for n, reference in enumerate(targets):
                    item = PaymentIn(f"ab{r}-{name}-s{n}", 1_000_00, paid_at, "", reference)
                    one(source="ab", item=item)

            per_s[f"{name}_single"].append(single / _timed(singles))
    _foreign_key(False)
    return {key: round(statistics.median(values), 1) for key, values in per_s.items()} | {
        "rounds": rounds
    }
