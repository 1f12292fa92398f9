"""Differential test of migration 0019: a ledger transaction of any kind, on any kind of account,
written in one statement (the path that settles at the statement) gets the same verdict — the
same refusal message, or none — from 0019's triggers as from 0007's, which left everything to
the check at COMMIT. Both verdicts are taken in one database transaction each, rolled back:
`SET CONSTRAINTS ALL IMMEDIATE` runs the deferred check without committing, and 0007's trigger
functions are put back for the second one by `CREATE OR REPLACE` inside it. Accepted
transactions are then committed, so held and refund balances build up from example to example
and the "never below zero" rules get exercised."""

import uuid
from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules import ledger
from schedules.models import TransactionKind
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db(transaction=True)

OLD_TRIGGERS = import_module(
    "schedules.migrations.0019_ledger_settled_at_the_statement"
).OLD_TRIGGERS
WRITE_SQL = (
    "WITH t AS (INSERT INTO schedules_ledgertransaction"
    " (id, kind, booked_on, created_at, description)"
    " VALUES (%s, %s, '2026-01-01', now(), 'diff') RETURNING id)"
    " INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
    " SELECT t.id, l.a, l.s, l.m FROM t,"
    " unnest(%s::bigint[], %s::varchar[], %s::bigint[]) AS l(a, s, m)"
)
ACCOUNTS = ["bank", "suspense", "refund", "payable", "held"]
# the kinds and accounts the held-account and refund rules are about, drawn twice as often
KINDS = [*TransactionKind.values, "payout", "refund_payout", "release", "reversal"]
RULED = [*ACCOUNTS, "refund", "payable", "held"]


class _Rollback(Exception):
    pass


@pytest.fixture
def accounts():
    plan, creditors = make_plan([5_000_000])
    share = plan.shares.get()  # a held account belongs to a share; its rules are the account's
    system = ledger.system_account_ids()
    return {
        "bank": system["bank"], "suspense": system["suspense"], "refund": system["refund"],
        "payable": ledger.creditor_account_ids([creditors[0].pk])[creditors[0].pk],
        "held": ledger.held_account_ids([share])[share.pk],
    }  # fmt: skip


@st.composite
def transactions(draw):
    """A kind and two to four legs; balanced pairs, sometimes one leg off."""
    kind = draw(st.sampled_from(KINDS))
    legs = []
    for _ in range(draw(st.integers(1, 2))):
        amount = draw(st.integers(1, 300))
        legs.append((draw(st.sampled_from(RULED)), "D", amount))
        legs.append((draw(st.sampled_from(ACCOUNTS)), "C", amount))
    if draw(st.integers(0, 5)) == 0:
        legs[-1] = (legs[-1][0], legs[-1][1], legs[-1][2] + 1)
    return kind, draw(st.permutations(legs))


def _params(accounts, tx_id, kind, legs) -> list:
    return [tx_id, kind, [accounts[a] for a, _, _ in legs], [s for _, s, _ in legs],
            [m for _, _, m in legs]]  # fmt: skip


def _verdict(accounts, tx_id, kind, legs, *, old_triggers: bool) -> str | None:
    message = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if old_triggers:
                cursor.execute(OLD_TRIGGERS)
            cursor.execute(WRITE_SQL, _params(accounts, tx_id, kind, legs))
            try:
                with transaction.atomic():
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            except DatabaseError as error:
                message = str(error).splitlines()[0]
            raise _Rollback
    except _Rollback:
        pass
    return message


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(example=transactions())
def test_one_statement_gets_the_verdict_the_check_at_commit_gave(accounts, example):
    kind, legs = example
    tx_id = uuid.uuid4()  # the same in both verdicts: it is in the messages
    new = _verdict(accounts, tx_id, kind, legs, old_triggers=False)
    old = _verdict(accounts, tx_id, kind, legs, old_triggers=True)
    assert new == old, (kind, legs)
    if new is None:  # accepted by both: keep it, so balances move for the next examples
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(WRITE_SQL, _params(accounts, tx_id, kind, legs))
