"""A leg always belongs to a stored ledger transaction, without a FOREIGN KEY on
`schedules_ledgerentry.transaction_id` (migration 0013: one deferred check per leg fewer at
COMMIT). The ledger check at COMMIT (0007) refuses legs whose transaction is missing, however
they are written, and transactions can be neither deleted nor re-keyed (0003, append-only)."""

import io
import uuid

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from schedules import ledger
from schedules.models import LedgerEntry, LedgerTransaction
from tests.schedules.test_balance_check_at_commit import LEG_SQL, TX_SQL, _one_statement

pytestmark = pytest.mark.django_db(transaction=True)


def _accounts():
    ids = ledger.system_account_ids()
    return ids["bank"], ids["suspense"]


def test_the_legs_have_no_foreign_key_to_their_transaction():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid = 'schedules_ledgerentry'::regclass"
            " AND confrelid = 'schedules_ledgertransaction'::regclass"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(  # the index the check sums the legs through stays
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'schedules_ledgerentry'"
            " AND indexdef LIKE '%%(transaction_id)%%'"
        )
        assert cursor.fetchone()[0] >= 1


def test_balanced_legs_of_a_missing_transaction_are_refused_at_commit():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match=f"missing transaction {tx_id}"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])
            cursor.execute(LEG_SQL, [tx_id, suspense, "C", 100])
            assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2  # not before
    assert not LedgerEntry.objects.filter(transaction_id=tx_id).exists()


def test_balanced_legs_of_a_missing_transaction_by_copy_are_refused():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    rows = io.StringIO(f"{tx_id}\t{bank}\tD\t7\n{tx_id}\t{suspense}\tC\t7\n")
    with pytest.raises(IntegrityError, match="missing transaction"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                "COPY schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
                " FROM STDIN",
                rows,
            )
    assert not LedgerEntry.objects.filter(transaction_id=tx_id).exists()


def test_legs_written_before_their_transaction_in_the_same_commit_are_stored():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])
        cursor.execute(LEG_SQL, [tx_id, suspense, "C", 100])
        cursor.execute(TX_SQL, [tx_id])
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM schedules_ledgertransaction WHERE id = %s",
        "UPDATE schedules_ledgertransaction SET id = gen_random_uuid() WHERE id = %s",
    ],
)
def test_a_transaction_with_legs_cannot_be_deleted_or_re_keyed(statement):
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        _one_statement(cursor, tx_id, [(bank, "D", 100), (suspense, "C", 100)])
    with pytest.raises((IntegrityError, InternalError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [tx_id])
    assert LedgerTransaction.objects.filter(pk=tx_id).exists()
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2
