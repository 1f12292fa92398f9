"""The database itself refuses broken ledgers: raw SQL around the ORM, real COMMITs."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from schedules.models import IncomingPayment, LedgerEntry
from schedules.services.payments import book_payment
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db(transaction=True)


def _accounts():
    from schedules import ledger

    ids = ledger.system_account_ids()
    return ids["bank"], ids["suspense"]


def _insert_tx(cursor, tx_id):
    cursor.execute(
        "INSERT INTO schedules_ledgertransaction (id, kind, booked_on, created_at, description)"
        " VALUES (%s, 'payment', '2026-01-01', now(), 'raw')",
        [tx_id],
    )


def _insert_leg(cursor, tx_id, account, side, amount):
    cursor.execute(
        "INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
        " VALUES (%s, %s, %s, %s)",
        [tx_id, account, side, amount],
    )


def test_unbalanced_transaction_is_refused_at_commit():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_tx(cursor, tx_id)
            _insert_leg(cursor, tx_id, bank, "D", 100)
            _insert_leg(cursor, tx_id, suspense, "C", 99)
            # still inside the transaction: the deferred check has not fired yet
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM schedules_ledgertransaction WHERE id = %s", [tx_id])
        assert cursor.fetchone()[0] == 0


def test_a_transaction_without_legs_or_with_one_leg_is_refused():
    bank, _ = _accounts()
    with pytest.raises(IntegrityError, match="legs"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_tx(cursor, uuid.uuid4())
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_tx(cursor, tx_id)
            _insert_leg(cursor, tx_id, bank, "D", 0)


def test_balanced_raw_transaction_commits():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_tx(cursor, tx_id)
        _insert_leg(cursor, tx_id, bank, "D", 100)
        _insert_leg(cursor, tx_id, suspense, "C", 100)
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2


def test_entries_and_transactions_cannot_be_updated_or_deleted():
    plan, _ = make_plan([10_000, 20_000])
    result = book_payment(source="t", item=pay("a", 3_000, date(2026, 1, 5), plan=plan))
    entry = LedgerEntry.objects.filter(transaction=result.payment.transaction).first()
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE schedules_ledgerentry SET amount_tiyn = 1 WHERE id = %s", [entry.pk]
            )
    with pytest.raises(IntegrityError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_tiyn=5)
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM schedules_ledgerentry WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE schedules_ledgertransaction SET booked_on = '2020-01-01' WHERE id = %s",
                [result.payment.transaction_id],
            )
    entry.refresh_from_db()
    assert entry.amount_tiyn in (1_000, 2_000, 3_000)


def test_negative_or_zero_amounts_are_refused():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="entry_amount_positive"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_tx(cursor, tx_id)
            _insert_leg(cursor, tx_id, bank, "D", -100)
            _insert_leg(cursor, tx_id, suspense, "C", -100)


def test_duplicate_idempotency_key_is_refused_by_the_database():
    plan, _ = make_plan([10_000])
    result = book_payment(source="t", item=pay("dup", 100, date(2026, 1, 5), plan=plan))
    p = result.payment
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="payment_idempotency_key_unique"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_tx(cursor, tx_id)
            _insert_leg(cursor, tx_id, bank, "D", 5)
            _insert_leg(cursor, tx_id, suspense, "C", 5)
            cursor.execute(
                "INSERT INTO schedules_incomingpayment (id, source, idempotency_key, request_hash,"
                " amount_tiyn, paid_at, paid_on, payer_iin, case_reference, status, applied_tiyn,"
                " refund_tiyn, transaction_id, received_at) SELECT %s, source, idempotency_key,"
                " 'x', 5, paid_at, paid_on, '', '', 'suspense', 0, 0, %s, now()"
                " FROM schedules_incomingpayment WHERE id = %s",
                [uuid.uuid4(), tx_id, p.pk],
            )
    assert IncomingPayment.objects.count() == 1


def test_a_creditor_cannot_be_credited_beyond_its_debt_even_by_update():
    plan, _ = make_plan([10_000, 20_000])
    share = plan.shares.first()
    with pytest.raises(IntegrityError, match="share_received_within_debt"):
        with transaction.atomic():
            type(share).objects.filter(pk=share.pk).update(received_tiyn=share.debt_tiyn + 1)
