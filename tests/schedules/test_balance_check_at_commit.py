"""The set-based balance check (migrations 0007, 0019): an unbalanced ledger transaction written
by raw SQL — in one statement, across several statements, by COPY, or by adding legs later — is
refused at COMMIT, and not before; a transaction unbalanced between statements but balanced at
COMMIT is stored. A transaction complete and balanced when its statement ends, with no debit
the held-account rules judge, is settled there and not noted for COMMIT; any later leg has it
judged again."""

import io
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from schedules import ledger
from schedules.models import LedgerEntry, LedgerTransaction

pytestmark = pytest.mark.django_db(transaction=True)

TX_SQL = (
    "INSERT INTO schedules_ledgertransaction (id, kind, booked_on, created_at, description)"
    " VALUES (%s, 'payment', '2026-01-01', now(), 'raw')"
)
LEG_SQL = (
    "INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
    " VALUES (%s, %s, %s, %s)"
)


def _accounts():
    ids = ledger.system_account_ids()
    return ids["bank"], ids["suspense"]


def _pending() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM schedules_ledgerpending")
        return cursor.fetchone()[0]


def _one_statement(cursor, tx_id, legs):
    """The transaction and all its legs in ONE SQL statement."""
    values = ", ".join(["(%s::bigint, %s, %s::bigint)"] * len(legs))
    cursor.execute(
        "WITH t AS (INSERT INTO schedules_ledgertransaction"
        " (id, kind, booked_on, created_at, description)"
        " VALUES (%s, 'payment', '2026-01-01', now(), 'raw') RETURNING id)"
        " INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
        f" SELECT t.id, v.a, v.s, v.m FROM t, (VALUES {values}) AS v(a, s, m)",
        [tx_id, *[x for leg in legs for x in leg]],
    )


def test_unbalanced_in_one_statement_is_refused_at_commit_not_before():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            _one_statement(cursor, tx_id, [(bank, "D", 100), (suspense, "C", 99)])
            cursor.execute("SELECT count(*) FROM schedules_ledgerentry WHERE transaction_id = %s",
                           [tx_id])  # fmt: skip
            assert cursor.fetchone()[0] == 2  # written; the check waits for COMMIT
    assert not LedgerTransaction.objects.filter(pk=tx_id).exists()
    assert not LedgerEntry.objects.filter(transaction_id=tx_id).exists()


def test_balanced_in_one_statement_is_settled_by_the_statement_and_commits():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        _one_statement(cursor, tx_id, [(bank, "D", 100), (suspense, "C", 60), (suspense, "C", 40)])
        assert _pending() == 0  # complete when its statement ended: nothing left for COMMIT
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 3
    assert _pending() == 0


def test_a_transaction_noted_before_its_legs_is_dropped_from_the_notes_once_complete():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TX_SQL, [tx_id])
        assert _pending() == 1  # no legs yet: COMMIT must see it
        cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])
        assert _pending() == 1  # one leg, unbalanced
        cursor.execute(LEG_SQL, [tx_id, suspense, "C", 100])
        assert _pending() == 0  # complete and balanced
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2
    assert _pending() == 0


def test_a_settled_transaction_unbalanced_by_a_later_statement_is_refused_at_commit():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match=f"{tx_id} does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            _one_statement(cursor, tx_id, [(bank, "D", 100), (suspense, "C", 100)])
            assert _pending() == 0
            cursor.execute(LEG_SQL, [tx_id, suspense, "C", 1])
            assert _pending() == 1  # judged again as a whole, and noted
    assert not LedgerTransaction.objects.filter(pk=tx_id).exists()


def test_a_debit_the_held_account_rules_judge_is_left_for_commit_even_when_balanced():
    """A payout must draw from a payable account: balanced in one statement, it is still noted,
    and the rule refuses it at COMMIT."""
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="a payout may only draw"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "WITH t AS (INSERT INTO schedules_ledgertransaction"
                " (id, kind, booked_on, created_at, description)"
                " VALUES (%s, 'payout', '2026-01-01', now(), 'raw') RETURNING id)"
                " INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
                " SELECT t.id, v.a, v.s, 100 FROM t, (VALUES (%s::bigint, 'D'), (%s::bigint, 'C'))"
                " AS v(a, s)",
                [tx_id, suspense, bank],
            )
            assert _pending() == 1
    assert not LedgerTransaction.objects.filter(pk=tx_id).exists()


def test_unbalanced_across_several_statements_is_refused_at_commit():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(TX_SQL, [tx_id])
            cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])
            cursor.execute(LEG_SQL, [tx_id, suspense, "C", 100])  # balanced here...
            cursor.execute(LEG_SQL, [tx_id, bank, "D", 1])  # ...and not at COMMIT
    assert not LedgerTransaction.objects.filter(pk=tx_id).exists()


def test_unbalanced_between_statements_but_balanced_at_commit_is_stored():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])  # legs before their transaction
        cursor.execute(TX_SQL, [tx_id])
        cursor.execute(LEG_SQL, [tx_id, suspense, "C", 70])
        cursor.execute(LEG_SQL, [tx_id, suspense, "C", 30])
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 3


def test_one_bad_transaction_among_many_in_one_statement_refuses_the_commit():
    bank, suspense = _accounts()
    good, bad = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(IntegrityError, match=f"{bad} does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            for tx_id in (good, bad):
                cursor.execute(TX_SQL, [tx_id])
            cursor.execute(
                "INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
                " VALUES (%s, %s, 'D', 5), (%s, %s, 'C', 5), (%s, %s, 'D', 5), (%s, %s, 'C', 4)",
                [good, bank, good, suspense, bad, bank, bad, suspense],
            )
    assert not LedgerTransaction.objects.filter(pk__in=[good, bad]).exists()


def test_unbalanced_copy_is_refused_at_commit():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(TX_SQL, [tx_id])
            rows = io.StringIO(f"{tx_id}\t{bank}\tD\t100\n{tx_id}\t{suspense}\tC\t98\n")
            cursor.cursor.copy_expert(
                "COPY schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
                " FROM STDIN",
                rows,
            )
    assert not LedgerEntry.objects.filter(transaction_id=tx_id).exists()


def test_a_leg_added_later_to_a_stored_transaction_is_refused():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        _one_statement(cursor, tx_id, [(bank, "D", 100), (suspense, "C", 100)])
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LEG_SQL, [tx_id, suspense, "C", 1])
    assert LedgerEntry.objects.filter(transaction_id=tx_id).count() == 2


def test_legs_without_their_transaction_are_refused():
    bank, suspense = _accounts()
    tx_id = uuid.uuid4()
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(LEG_SQL, [tx_id, bank, "D", 100])
            cursor.execute(LEG_SQL, [tx_id, suspense, "C", 100])
    assert not LedgerEntry.objects.filter(transaction_id=tx_id).exists()


class _Undo(Exception):
    pass


def test_a_rolled_back_savepoint_takes_its_notes_and_later_writes_are_still_checked():
    bank, suspense = _accounts()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:
        with pytest.raises(_Undo), transaction.atomic():
            _one_statement(cursor, first, [(bank, "D", 100), (suspense, "C", 1)])
            raise _Undo  # the unbalanced rows and their notes go with the savepoint
        _one_statement(cursor, second, [(bank, "D", 100), (suspense, "C", 100)])
    assert LedgerEntry.objects.filter(transaction_id=second).count() == 2
    assert not LedgerTransaction.objects.filter(pk=first).exists()
    assert _pending() == 0
    with pytest.raises(IntegrityError, match=f"{third} does not balance"):
        with transaction.atomic(), connection.cursor() as cursor:
            with pytest.raises(_Undo), transaction.atomic():
                _one_statement(cursor, uuid.uuid4(), [(bank, "D", 5), (suspense, "C", 5)])
                raise _Undo
            _one_statement(cursor, third, [(bank, "D", 100), (suspense, "C", 99)])
