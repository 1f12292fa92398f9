"""The batch booking reads the payments booked before it in proportion to the batch, not to the
payments table (migration 0022): a batch on top of thousands of earlier payments looks each of
its keys up through the unique index, whatever the planner's statistics say.

Counted with PostgreSQL's own per-transaction table statistics (`pg_stat_xact_user_tables`):
rows read by sequential scans plus rows fetched through indexes, before and after the batch.
The earlier payments come from a source the statistics have never seen, the situation of a
young ledger before its first ANALYZE, in which the planner hashed the whole payments table
three times per batch (30,300 rows read here before 0022).

The session's plans are first made as a young platform's are (statistics of a one-page payments
table, five small batches): inside each key's own look-up the planner could still choose a
sequential scan and keep it (one clean-clone suite run read 7.2 million payments; 9.1 million
here before migration 0024, which plans the function without sequential scans).

The statement triggers read the ledger the same way: one look-up of each transaction the batch
wrote and of its legs (migration 0023 made that the shape of their queries; with 0022's
planner settings alone one full-suite run still read the whole ledger once).

One payment per call (`book_one`, the provider API's path) had the same exposure in the same
session: 12,027 payment rows read for two payments on top of 6,000 before migration 0025."""

import uuid
from datetime import date

import pytest
from django.db import connection

from schedules.services.booking import book_many, book_one
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 30)
EARLIER, BATCH = 6_000, 300
TABLES = ("schedules_incomingpayment", "schedules_ledgertransaction", "schedules_ledgerentry")


def _rows_read() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        return dict(cursor.fetchall())


def test_a_batch_reads_the_ledger_in_proportion_to_itself_not_to_the_ledger():
    source = f"young-{uuid.uuid4().hex[:8]}"
    plans = [make_plan([6_000_000, 3_000_000, 1_000_000])[0] for _ in range(3)]
    # A session that booked its first batches when the statistics said the payments table was
    # one page (autovacuum had seen a few rows), as every worker of a new platform does: after
    # five runs PostgreSQL keeps the generic plans it made then, for the table as it was.
    # (pg_class is changed inside the test's transaction: rolled back with it.)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET relpages = 1, reltuples = 5"
            " WHERE oid = 'schedules_incomingpayment'::regclass"
        )
        cursor.execute("DISCARD PLANS")
    for n in range(6):
        book_many(source=f"{source}-warm", items=[pay(f"w{n}", 1_000, DAY)])
    for start in range(0, EARLIER, 1_000):  # earlier payments: to suspense, two legs each
        book_many(source=source, items=[pay(f"e{n}", 1_000, DAY) for n in range(start, start + 1_000)])  # noqa: E501  # fmt: skip
    batch = [
        pay(f"b{n}", 10_000, DAY, plan=plans[n % 3] if n % 2 else None) for n in range(BATCH)
    ] + [pay("e7", 1_000, DAY)]  # and one key booked before: found, not booked again
    before = _rows_read()
    results = book_many(source=source, items=batch)
    after = _rows_read()

    assert [r.created for r in results] == [True] * BATCH + [False]
    read = {table: after.get(table, 0) - before.get(table, 0) for table in TABLES}
    # one look-up per new payment for the answer (and the key booked before), where a scan of
    # the earlier rows reads 6,000 payments each time
    assert read["schedules_incomingpayment"] <= 2 * (BATCH + 1), read
    # the triggers: each new transaction once, its legs (two to four here) twice at most, where
    # a scan reads the 6,000 earlier transactions and their 12,000 legs
    assert read["schedules_ledgertransaction"] <= BATCH, read
    assert read["schedules_ledgerentry"] <= 2 * 4 * BATCH, read


def test_one_payment_per_call_reads_in_proportion_to_itself_not_to_the_ledger():
    """The single-payment function (`book_one`, what `POST /api/v1/payments/` calls) looks its
    key, its plan and the plan's shares up through their indexes in a session whose plans were
    made when the tables looked tiny (migration 0025), as the batch does since 0024."""
    source = f"young-{uuid.uuid4().hex[:8]}"
    plan = make_plan([6_000_000, 3_000_000, 1_000_000])[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET relpages = 1, reltuples = 5 WHERE oid = ANY(ARRAY["
            "'schedules_incomingpayment'::regclass, 'schedules_plan'::regclass,"
            " 'schedules_creditorshare'::regclass])"
        )
        cursor.execute("DISCARD PLANS")
    # the batch's staging table first: creating the session's temporary schema changes its
    # search path, which would make PostgreSQL plan everything again
    book_many(source=f"{source}-warm", items=[pay("w", 1_000, DAY)])
    for n in range(6):  # after five runs PL/pgSQL may keep the generic plans made now
        book_one(source=source, item=pay(f"w{n}", 1_000, DAY, plan=plan))
        book_one(source=source, item=pay(f"w{n}", 1_000, DAY, plan=plan))  # found: existing
        book_one(source=source, item=pay(f"s{n}", 1_000, DAY))  # to suspense
    for start in range(0, EARLIER, 1_000):
        book_many(source=source, items=[pay(f"e{n}", 1_000, DAY) for n in range(start, start + 1_000)])  # noqa: E501  # fmt: skip

    before = _rows_read()
    fresh = book_one(source=source, item=pay("new", 10_000, DAY, plan=plan))
    again = book_one(source=source, item=pay("e7", 1_000, DAY))
    after = _rows_read()

    assert (fresh.created, again.created) == (True, False)
    read = {table: after.get(table, 0) - before.get(table, 0) for table in TABLES}
    # the key's look-up twice (the new key finds nothing; e7 finds itself), where a scan of the
    # earlier rows reads 6,000 payments each time
    assert read["schedules_incomingpayment"] <= 2, read
    assert read["schedules_ledgertransaction"] <= 1, read
    assert read["schedules_ledgerentry"] <= 2 * 4, read


def test_the_statement_triggers_keep_their_planner_settings():
    """A later migration that replaces a trigger function or the batch booking (CREATE OR
    REPLACE) drops its settings unless it restates them: the plans of a young ledger would come
    back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname = ANY(%s)",
            [["schedules_note_entries", "schedules_note_transactions"]],
        )
        settings = dict(cursor.fetchall())
    expected = ["enable_seqscan=off", "enable_hashjoin=off", "enable_mergejoin=off"]
    assert settings == {
        "schedules_note_entries": expected,
        "schedules_note_transactions": expected,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname = ANY(%s) ORDER BY proname",
            [["schedules_book_payment", "schedules_book_staged"]],
        )
        assert cursor.fetchall() == [
            ("schedules_book_payment", ["enable_seqscan=off"]),  # 0025
            ("schedules_book_staged", ["enable_seqscan=off"]),  # 0024
        ]
