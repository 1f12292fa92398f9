"""The allocation job reads only what it has not read yet (issue: "seen, not fixed"): each
run takes the ledger transactions written since the previous run's horizon, by the index on
`xact_id`, instead of every payment leg ever booked — and a payment whose database
transaction commits late (after a later one was allocated) is allocated, never skipped."""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection, transaction

from resolution.services import allocation
from resolution.services.allocation import allocate_pending_parts
from schedules.models import AllocationProgress, LedgerEntry, LedgerTransaction, PartAllocation
from tests.support.allocation import allocation_world, book

ON = date(2026, 1, 20)


def _allocated(*payments) -> set:
    ids = {p.transaction_id for p in payments}
    return set(PartAllocation.objects.filter(transaction_id__in=ids)
               .values_list("transaction_id", flat=True))  # fmt: skip


def _rows_read(sql: str, params: dict, table: str) -> int:
    """How many rows the plan's scans of `table` produced (EXPLAIN ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]
    total, nodes = 0, [plan]
    while nodes:
        node = nodes.pop()
        if node.get("Relation Name") == table:
            total += node["Actual Rows"] * node["Actual Loops"]
        nodes.extend(node.get("Plans", []))
    return total


@pytest.mark.django_db(transaction=True)
def test_a_second_run_reads_and_allocates_only_the_new_payments():
    plan, *_ = allocation_world()
    old = [book(f"old-{n}", 1_000_000, ON, plan) for n in range(12)]
    assert allocate_pending_parts() == 24  # 12 payments × 2 creditors
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE schedules_ledgertransaction; ANALYZE schedules_ledgerentry")
    new = [book(f"new-{n}", 1_000_000, date(2026, 2, 20), plan) for n in range(2)]

    since = AllocationProgress.objects.get().below_xact_id
    with connection.cursor() as cursor:
        cursor.execute(allocation.HORIZON_SQL)
        below, own = cursor.fetchone()
    params = {"since": since, "below": below, "own": own, "batch": allocation.BATCH}
    new_legs = LedgerEntry.objects.filter(transaction_id__in=[p.transaction_id for p in new])
    # the old payments' legs are not read at all: only the new transactions' legs, by index
    assert _rows_read(allocation.PENDING_SQL, params, "schedules_ledgerentry") == new_legs.count()
    assert _rows_read(allocation.PENDING_SQL, params, "schedules_ledgertransaction") == 2

    before = PartAllocation.objects.count()
    assert allocate_pending_parts() == 4
    assert _allocated(*new) == {p.transaction_id for p in new}
    assert PartAllocation.objects.filter(transaction_id__in=[p.transaction_id for p in old]
                                         ).count() == before  # fmt: skip
    assert allocate_pending_parts() == 0  # idempotent


CLONE_SQL = """
WITH tx AS (
    INSERT INTO schedules_ledgertransaction (id, kind, plan_id, booked_on, created_at, description)
    SELECT %(id)s, kind, plan_id, booked_on, created_at, 'late' FROM schedules_ledgertransaction
    WHERE id = %(template)s RETURNING id)
INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
SELECT (SELECT id FROM tx), account_id, side, amount_tiyn FROM schedules_ledgerentry
WHERE transaction_id = %(template)s
"""


@pytest.mark.django_db(transaction=True)
def test_a_payment_committed_late_is_allocated_not_skipped():
    """Payment A's database transaction starts first and commits last; payment B commits in
    between and the job runs. A's id is below the horizon while it is open, so the run leaves
    the window open there (B waits with it) and the next run allocates both. (A is written as
    the booking writes it — a balanced ledger transaction — but by hand, so it holds none of
    the booking's locks while it waits.)"""
    plan_a, *_ = allocation_world()
    plan_b, *_ = allocation_world()
    template = book("template", 1_000_000, ON, plan_a)
    assert allocate_pending_parts() == 2
    a_id = uuid.uuid4()
    written, release = threading.Event(), threading.Event()

    def late():
        # no timeouts on the events: time_machine moves the monotonic clock too
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(CLONE_SQL, {"id": a_id, "template": template.transaction_id})
                written.set()
                release.wait()
        finally:
            written.set()
            connection.close()

    thread = threading.Thread(target=late)
    thread.start()
    try:
        written.wait()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")  # fail, never hang, if a lock is shared
        b = book("early-b", 1_000_000, ON, plan_b)  # commits while A is still open
        assert allocate_pending_parts() == 0  # B waits behind A's open transaction
        watermark = AllocationProgress.objects.get().below_xact_id
        assert watermark <= LedgerTransaction.objects.get(pk=b.transaction_id).xact_id
    finally:
        release.set()
        thread.join()
    assert LedgerTransaction.objects.filter(pk=a_id).exists()  # A committed, late
    assert allocate_pending_parts() == 4  # A's two parts and B's two: nothing skipped
    assert _allocated(b) == {b.transaction_id}
    assert (
        PartAllocation.objects.filter(transaction_id=a_id).values("share").distinct().count() == 2
    )
    assert allocate_pending_parts() == 0
