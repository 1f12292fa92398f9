"""A terminated plan takes no money, whichever path books the payment: the Python reference
(`payments.book_payments` / `book_payment`) and the SQL one (`booking.book_many` / `book_one`)
both send it to suspense, by reference and by IIN, also when the plan is terminated while the
booking waits for the plan's row lock (the status is read again under the lock)."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from schedules import ledger
from schedules.models import IncomingPayment, LedgerEntry, Plan, PlanStatus
from schedules.models.payments import PaymentStatus
from schedules.services.booking import book_many, book_one
from schedules.services.payments import book_payment, book_payments
from schedules.services.termination import terminate_plan
from tests.support.ledger import make_plan
from tests.support.payments import pay

DAY = date(2026, 1, 30)
PATHS = {
    "python_one": lambda item: book_payment(source="bank", item=item),
    "python_many": lambda item: book_payments(source="bank", items=[item])[0],
    "sql_one": lambda item: book_one(source="bank", item=item),
    "sql_many": lambda item: book_many(source="bank", items=[item])[0],
}


def _assert_suspense(key: str, amount: int, plan) -> None:
    payment = IncomingPayment.objects.get(idempotency_key=key)
    assert (payment.status, payment.plan_id, payment.applied_tiyn) == (
        PaymentStatus.SUSPENSE, None, 0)  # fmt: skip
    assert payment.transaction.plan_id is None
    system = ledger.system_account_ids()
    legs = set(
        LedgerEntry.objects.filter(transaction_id=payment.transaction_id).values_list(
            "account_id", "side", "amount_tiyn"
        )
    )
    assert legs == {(system[ledger.BANK], "D", amount), (system[ledger.SUSPENSE], "C", amount)}
    fresh = Plan.objects.get(pk=plan.pk)
    assert fresh.paid_tiyn == 0 and fresh.status == PlanStatus.TERMINATED
    assert not fresh.shares.exclude(received_tiyn=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("by", ["reference", "iin"])
def test_every_path_sends_money_for_a_terminated_plan_to_suspense(path, by):
    plan, _ = make_plan([30_000_000, 20_000_000])
    terminate_plan(plan_id=plan.pk)
    iin = plan.case.borrower.iin
    item = pay("t", 1_000_000, DAY, plan=plan) if by == "reference" else (
        pay("t", 1_000_000, DAY, iin=iin))  # fmt: skip
    PATHS[path](item)
    _assert_suspense("t", 1_000_000, plan)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["sql_many", "sql_one", "python_many"])
def test_a_plan_terminated_while_the_booking_waits_for_its_lock_takes_nothing(path):
    """Another transaction holds the plan's row lock and terminates it; the booking found the
    plan before that COMMIT and waits for the lock. Once it has the lock, the plan is
    terminated: the money goes to suspense (the batch in SQL booked it to the plan before)."""
    plan, creditors = make_plan([30_000_000, 10_000_000])
    ledger.system_account_ids()  # the accounts exist: the booking's first call books
    ledger.creditor_account_ids(c.pk for c in creditors)
    locked, release, done, errors = threading.Event(), threading.Event(), [], []

    def terminate_holding_the_lock():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM schedules_plan WHERE id = %s FOR UPDATE", [plan.pk])
                cursor.execute(
                    "UPDATE schedules_plan SET status = 'terminated' WHERE id = %s", [plan.pk]
                )
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def book():
        try:
            done.append(PATHS[path](pay("w", 5_000, DAY, plan=plan)))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    holder, booker = threading.Thread(target=terminate_holding_the_lock), threading.Thread(target=book)  # fmt: skip  # noqa: E501
    holder.start()
    assert locked.wait(30)
    booker.start()
    try:
        for _ in range(200):  # until the booking waits on the plan's row lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the booking never waited for the plan's lock")
    finally:
        release.set()
        holder.join(30)
        booker.join(30)
    assert errors == [] and len(done) == 1
    _assert_suspense("w", 5_000, plan)
