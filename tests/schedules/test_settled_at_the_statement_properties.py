"""Settling at the statement (migration 0019) never changes what COMMIT accepts: random scripts
of raw SQL — ledger transactions and legs in one statement or spread over several, legs before
their transaction, legs added to a stored transaction, savepoints rolled back or kept — are
committed exactly when every ledger transaction they touched exists, has at least two legs and
balances (the rule of 0003/0007, computed here in Python), and leave no note behind."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules import ledger

pytestmark = pytest.mark.django_db(transaction=True)

TX_SQL = (
    "INSERT INTO schedules_ledgertransaction (id, kind, booked_on, created_at, description)"
    " SELECT x, 'payment', '2026-01-01', now(), 'prop' FROM unnest(%s::uuid[]) AS x"
)
LEGS_SQL = (
    "INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
    " SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::varchar[], %s::bigint[])"
)
TOGETHER_SQL = f"WITH t AS ({TX_SQL} RETURNING 1) {LEGS_SQL}"


class _Undo(Exception):
    pass


@st.composite
def scripts(draw):
    """Up to three new ledger transactions (0, 1, 2) and a stored one ("old"); their legs come
    in balanced pairs, sometimes with one leg too many; the writes are spread over statements,
    some inside a savepoint that is rolled back."""
    names = ["old", *range(draw(st.integers(1, 3)))]
    legs = []
    for name in names:
        for amount in draw(st.lists(st.integers(1, 50), max_size=3)):
            legs += [(name, "D", amount), (name, "C", amount)]
        if draw(st.integers(0, 4)) == 0:
            legs.append((name, draw(st.sampled_from("DC")), draw(st.integers(1, 50))))
    legs = draw(st.permutations(legs))
    new = [n for n in names if n != "old" and draw(st.integers(0, 9)) > 0]  # some never stored
    steps, cut = [], 0
    while cut < len(legs) or new:  # every step stores a transaction or writes a leg
        kind = draw(st.sampled_from(["tx", "legs", "together"]))
        if kind == "tx" and not new:
            kind = "legs"
        elif kind == "legs" and cut >= len(legs):
            kind = "tx"
        txs = [new.pop(0)] if kind != "legs" and new else []
        chunk = []
        if kind != "tx":
            take = draw(st.integers(1, 4))
            chunk, cut = legs[cut : cut + take], cut + take
        steps.append((kind, txs, chunk, draw(st.integers(0, 5)) == 0))
    return steps


def _oracle(steps) -> bool:
    stored, legs = {"old"}, []
    for _kind, txs, chunk, undone in steps:
        if not undone:
            stored.update(txs)
            legs += chunk
    touched = {name for _, txs, chunk, undone in steps if not undone for name in txs} | {
        name for name, _, _ in legs
    }
    for name in touched:
        mine = [(side, amount) for n, side, amount in legs if n == name]
        if name == "old":
            mine += [("D", 10), ("C", 10)]
        balance = sum(a if s == "D" else -a for s, a in mine)
        if name not in stored or len(mine) < 2 or balance != 0:
            return False
    return True


def _run(cursor, ids, accounts, kind, txs, chunk):
    tx_ids = [ids[n] for n in txs]
    leg_params = [
        [ids[n] for n, _, _ in chunk],
        [accounts[s] for _, s, _ in chunk],
        [s for _, s, _ in chunk],
        [a for _, _, a in chunk],
    ]
    if kind == "tx" and tx_ids:
        cursor.execute(TX_SQL, [tx_ids])
    elif kind == "legs" and chunk:
        cursor.execute(LEGS_SQL, leg_params)
    elif kind == "together" and (tx_ids or chunk):
        cursor.execute(TOGETHER_SQL, [tx_ids, *leg_params])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=scripts())
def test_commit_accepts_exactly_the_scripts_whose_transactions_are_whole(steps):
    system = ledger.system_account_ids()
    accounts = {"D": system["bank"], "C": system["suspense"]}
    old = uuid.uuid4()
    with transaction.atomic(), connection.cursor() as cursor:  # a stored, balanced transaction
        cursor.execute(TOGETHER_SQL, [[old], [old, old], [accounts["D"], accounts["C"]],
                                      ["D", "C"], [10, 10]])  # fmt: skip
    ids = {"old": old, 0: uuid.uuid4(), 1: uuid.uuid4(), 2: uuid.uuid4()}
    committed = True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for kind, txs, chunk, undone in steps:
                if not undone:
                    _run(cursor, ids, accounts, kind, txs, chunk)
                    continue
                try:
                    with transaction.atomic():
                        _run(cursor, ids, accounts, kind, txs, chunk)
                        raise _Undo
                except _Undo:
                    pass
    except IntegrityError:
        committed = False
    assert committed == _oracle(steps), steps
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM schedules_ledgerpending")
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*), coalesce(sum(CASE WHEN side = 'D' THEN amount_tiyn"
            " ELSE -amount_tiyn END), 0) FROM schedules_ledgerentry WHERE transaction_id = %s",
            [old],
        )
        legs, balance = cursor.fetchone()
    assert balance == 0 and legs >= 2  # the stored transaction stays whole either way
