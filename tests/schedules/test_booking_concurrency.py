"""The server-side booking under concurrency: threads with their own connections, real
COMMITs. The same guarantees as tests/schedules/test_concurrency.py for the Python path, and
the two paths serialise against each other (same advisory lock, same plan row lock)."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from finplatform.money import split_largest_remainder
from schedules.models import IncomingPayment, LedgerTransaction, Plan
from schedules.services.booking import book_many, book_one
from schedules.services.payments import book_payment
from tests.schedules.test_concurrency import _run_in_threads
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db(transaction=True)
DAY = date(2026, 1, 30)


def test_the_same_payment_through_both_paths_in_parallel_books_once():
    plan, _ = make_plan([30_000_000, 20_000_000])
    item = pay("same", 1_234_567, DAY, plan=plan)
    calls = [lambda: book_one(source="bank", item=item)] * 4
    calls += [lambda: book_payment(source="bank", item=item)] * 2
    calls += [lambda: book_many(source="bank", items=[item])]
    results, errors = _run_in_threads(calls)
    assert errors == []
    assert sum(r.created if hasattr(r, "created") else r[0].created for r in results) == 1
    assert IncomingPayment.objects.count() == LedgerTransaction.objects.count() == 1
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 1_234_567


def test_different_payments_to_one_case_in_parallel_split_exactly():
    debts = [30_000_001, 20_000_000, 9_999_999]
    plan, _ = make_plan(debts)
    amounts = [1_000_003, 2_500_000, 77, 4_000_000, 333_333, 10_000_000]
    calls = [
        (lambda i=i, a=a: book_one(source="bank", item=pay(f"p{i}", a, DAY, plan=plan)))
        for i, a in enumerate(amounts[:4])
    ]
    calls.append(
        lambda: book_many(
            source="bank", items=[pay("b4", amounts[4], DAY, plan=plan),
                                  pay("b5", amounts[5], DAY, plan=plan)],
        )
    )  # fmt: skip
    results, errors = _run_in_threads(calls)
    assert errors == []
    plan.refresh_from_db()
    assert plan.paid_tiyn == sum(amounts)
    received = list(plan.shares.order_by("position").values_list("received_tiyn", flat=True))
    assert sum(received) == sum(amounts)
    assert all(r <= d for r, d in zip(received, debts, strict=True))
    target = split_largest_remainder(sum(amounts), debts)
    assert all(abs(r - t) <= len(debts) for r, t in zip(received, target, strict=True))


def test_the_plan_lock_is_taken_before_anything_is_written():
    """Another transaction holds the plan's row lock: the booking waits on it, with nothing
    written, and books once it is released."""
    plan, _ = make_plan([30_000_000, 10_000_000])
    locked, release, done = threading.Event(), threading.Event(), []

    def hold_the_plan():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM schedules_plan WHERE id = %s FOR UPDATE", [plan.pk])
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def book():
        try:
            done.append(book_one(source="bank", item=pay("l", 5_000, DAY, plan=plan)))
        finally:
            connection.close()

    holder, booker = threading.Thread(target=hold_the_plan), threading.Thread(target=book)
    holder.start()
    assert locked.wait(30)
    booker.start()
    try:
        for _ in range(200):  # until the booking waits on the plan's row lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE %s",
                    ["%schedules_book_payment%"],
                )
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the booking never waited for the plan's lock")
        assert not IncomingPayment.objects.exists()
        assert not LedgerTransaction.objects.exists()
    finally:
        release.set()
        holder.join(30)
        booker.join(30)
    assert done and done[0].created
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 5_000
