"""Concurrent payments: threads with their own database connections, real COMMITs."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finplatform.errors import ConflictError
from schedules.models import IncomingPayment, LedgerTransaction
from schedules.services.payments import book_payment
from tests.support.ledger import make_plan
from tests.support.payments import pay


def _run_in_threads(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_the_same_payment_posted_from_many_threads_books_once():
    plan, _ = make_plan([30_000_000, 20_000_000])
    item = pay("same", 1_234_567, date(2026, 1, 30), plan=plan)
    results, errors = _run_in_threads([lambda: book_payment(source="bank", item=item)] * 6)
    assert errors == []
    assert sum(r.created for r in results) == 1
    assert len({r.payment.pk for r in results}) == 1
    assert IncomingPayment.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1
    plan.refresh_from_db()
    assert plan.paid_tiyn == 1_234_567


@pytest.mark.django_db(transaction=True)
def test_different_payments_to_one_case_in_parallel_all_book_and_split_exactly():
    debts = [30_000_001, 20_000_000, 9_999_999]
    plan, _ = make_plan(debts)
    amounts = [1_000_003, 2_500_000, 77, 4_000_000, 333_333, 10_000_000]
    calls = [
        (lambda i=i, a=a: book_payment(
            source="bank", item=pay(f"p{i}", a, date(2026, 1, 30), plan=plan)
        ))
        for i, a in enumerate(amounts)
    ]  # fmt: skip
    results, errors = _run_in_threads(calls)
    assert errors == []
    assert all(r.created for r in results)
    plan.refresh_from_db()
    assert plan.paid_tiyn == sum(amounts)
    received = list(plan.shares.order_by("position").values_list("received_tiyn", flat=True))
    assert sum(received) == sum(amounts)
    assert all(r <= d for r, d in zip(received, debts, strict=True))
    # Whatever the order, the cumulative split ends where a single payment of the sum would.
    from finplatform.money import split_largest_remainder

    target = split_largest_remainder(sum(amounts), debts)
    assert all(abs(r - t) <= len(debts) for r, t in zip(received, target, strict=True))


@pytest.mark.django_db(transaction=True)
def test_same_key_different_bodies_in_parallel_one_books_the_other_conflicts():
    plan, _ = make_plan([30_000_000])
    a = pay("k", 100, date(2026, 1, 30), plan=plan)
    b = pay("k", 200, date(2026, 1, 30), plan=plan)
    results, errors = _run_in_threads(
        [lambda: book_payment(source="bank", item=a),
         lambda: book_payment(source="bank", item=b)]
    )  # fmt: skip
    assert len(errors) == 1 and isinstance(errors[0], ConflictError)
    assert IncomingPayment.objects.count() == 1


@pytest.mark.django_db
def test_the_plan_is_locked_for_update_before_the_ledger_is_written():
    plan, _ = make_plan([30_000_000, 10_000_000])
    with CaptureQueriesContext(connection) as queries:
        book_payment(source="bank", item=pay("lock", 5_000, date(2026, 1, 30), plan=plan))
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s and "schedules_plan" in s)
    write = next(i for i, s in enumerate(sql) if s.startswith("COPY schedules_ledger"))
    share_update = next(
        i for i, s in enumerate(sql) if s.startswith("UPDATE schedules_creditorshare")
    )
    assert lock < write < share_update
