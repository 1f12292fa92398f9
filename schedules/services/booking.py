"""Money in, at the speed of the database: one payment booked in one server-side call
(`book_one`), a batch copied to a staging table and booked in SQL (`book_many`); the provider
API uses both.

The work is done by the PL/pgSQL function `schedules_book_payment` (migrations 0008, 0015):
the advisory lock on the idempotency key, the look-up of an earlier booking, the plan found
and locked FOR UPDATE, the largest-remainder split, every write and, for a payment that
completes its plan, the outbox row, in ONE statement. Called outside a transaction it runs in
autocommit, PostgreSQL's implicit transaction around that one statement: one round trip, no
BEGIN or COMMIT of ours, and the plan's row lock held only for the write and its commit.
A batch is plain tuples COPYed into the session's temporary staging table, then ONE call of
`schedules_book_staged` (migration 0009) locks, splits and writes set-based.
`payments.book_payments` stays the reference implementation with the same guarantees; tests
check that both book the same legs, the same parts and the same payment rows.
"""

from __future__ import annotations

import weakref

from django.db import connection, transaction

from finplatform import idempotency, requestid
from finplatform.clock import BUSINESS_TZ, business_now
from outbox import services as outbox
from schedules import ledger
from schedules.models import CreditorShare, IncomingPayment, Plan, ShareHold
from schedules.models.plan import LIVE_HOLDS
from schedules.services.common import PLAN_COMPLETED_TASK, plan_completed
from schedules.services.payments import (
    PAYMENT_COLUMNS,
    PaymentIn,
    PaymentResult,
    validate_payment,
)

# Prepared once per database connection: parsing and planning the call of a function with
# eleven arguments that answers eighteen columns costs 50–160 µs of a payment's 0.8 ms in
# PostgreSQL (psql and pgbench, docs/benchmarks.md). psycopg2 has no protocol-level prepared
# statements, so SQL PREPARE/EXECUTE; the connections that did are remembered weakly (a
# reconnect gets a new connection object and prepares again). A prepared statement outlives
# a rollback, and PostgreSQL re-plans it by itself when a migration replaces the function's
# body; one that changes its columns needs the web processes restarted ("cached plan must not
# change result type"), as any change of its arguments needs new code anyway.
PREPARE_SQL = (
    "PREPARE schedules_book_payment_call (varchar, varchar, varchar, bigint, timestamptz, date,"
    " varchar, varchar, timestamptz, varchar, varchar) AS"
    " SELECT * FROM schedules_book_payment($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)
BOOK_SQL = "EXECUTE schedules_book_payment_call (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_PREPARED: weakref.WeakSet = weakref.WeakSet()
CREATED, EXISTING, ACCOUNTS_MISSING = "created", "existing", "accounts_missing"
CONFLICT = "conflict"
STAGING = "schedules_staged_payment"
STAGING_COLUMNS = (
    "ord", "idempotency_key", "request_hash", "amount_tiyn", "paid_at", "paid_on", "payer_iin",
    "case_reference",
)  # fmt: skip
STAGING_SQL = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (ord integer PRIMARY KEY,"
    " idempotency_key varchar(200) NOT NULL, request_hash varchar(64) NOT NULL,"
    " amount_tiyn bigint NOT NULL, paid_at timestamptz NOT NULL, paid_on date NOT NULL,"
    " payer_iin varchar(12) NOT NULL, case_reference varchar(32) NOT NULL)"
    " ON COMMIT DELETE ROWS"
)
BOOK_STAGED_SQL = "SELECT * FROM schedules_book_staged(%s, %s)"


def book_one(*, source: str, item: PaymentIn) -> PaymentResult:
    """Book one incoming payment, with the guarantees of `payments.book_payments`:

    * idempotent: (source, key) booked before with the same body returns that booking
      (created=False), with another body raises KeyReused (409); concurrent posts of one key
      wait on the same advisory lock as the Python path;
    * one balanced ledger transaction (bank debited; each live share's account credited its
      largest-remainder part towards its confirmed debt; the excess over the plan's
      outstanding total to the refund liability; no plan, or a terminated one, to suspense);
    * the plan is locked FOR UPDATE before any write, so parallel payments never
      double-distribute; a plan paid in full is completed and `resolution.plan_completed`
      goes to the outbox in the same transaction, published after COMMIT.

    Outside a transaction the one statement is its own (autocommit); inside the caller's
    `atomic` it is part of that one and commits or rolls back with it.
    """
    validate_payment(item)
    fresh_hash = item.request_hash()
    params = [
        source, item.idempotency_key, fresh_hash, item.amount_tiyn, item.paid_at,
        item.paid_at.astimezone(BUSINESS_TZ).date(), item.payer_iin, item.case_reference,
        business_now(), PLAN_COMPLETED_TASK, requestid.current(),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.connection not in _PREPARED:
            cursor.execute(PREPARE_SQL)
            _PREPARED.add(connection.connection)
        for _ in range(3):  # at most: system accounts, then the plan's creditors' accounts
            cursor.execute(BOOK_SQL, params)
            outcome, completed_case, message, *values = cursor.fetchone()
            if outcome != ACCOUNTS_MISSING:
                break
            # nothing was written: create the missing accounts and call again
            _create_accounts([values[PAYMENT_COLUMNS.index("plan_id")]])
    payment = IncomingPayment.from_db("default", PAYMENT_COLUMNS, values)
    if outcome == EXISTING:
        idempotency.ensure_same(payment.request_hash, fresh_hash, key=item.idempotency_key)
        return PaymentResult(payment, False)
    if message is not None:
        outbox.publish_after_commit(message, PLAN_COMPLETED_TASK, str(completed_case))
    return PaymentResult(payment, True)


def _create_accounts(plan_ids: list) -> None:
    """The ledger accounts bookings need and nobody has created yet (once per creditor, held
    share and system account in the platform's life), for all the plans at once."""
    ledger.system_account_ids()
    plan_ids = [pk for pk in plan_ids if pk is not None]
    if not plan_ids:
        return
    # Payable accounts need only the creditors' ids; only held shares (rare) are built as
    # objects, since their account's name gives the creditor's.
    live = CreditorShare.objects.filter(plan_id__in=plan_ids, hold__in=LIVE_HOLDS)
    ledger.creditor_account_ids(live.values_list("creditor_id", flat=True).distinct())
    held = live.filter(hold=ShareHold.HELD).select_related("creditor")
    ledger.held_account_ids(held)


@transaction.atomic
def book_many(*, source: str, items: list[PaymentIn]) -> list[PaymentResult]:
    """Book incoming payments all or nothing, with the guarantees of `book_one` for each and
    of `payments.book_payments` for the whole (a key with two bodies refuses the batch; a
    key repeated with the same body books once); one result per item, in order."""
    if not items:
        return []
    rows = []
    for ord_, item in enumerate(items):
        validate_payment(item)
        rows.append((
            ord_, item.idempotency_key, item.request_hash(), item.amount_tiyn, item.paid_at,
            item.paid_at.astimezone(BUSINESS_TZ).date(), item.payer_iin, item.case_reference,
        ))  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(STAGING_SQL)
        ledger.copy_rows(STAGING, STAGING_COLUMNS, rows)
        for _ in range(3):  # at most: system accounts, then the plans' creditors' accounts
            cursor.execute(BOOK_STAGED_SQL, [source, business_now()])
            answer = cursor.fetchall()
            if answer[0][0] != ACCOUNTS_MISSING:
                break
            _create_accounts([row[3 + PAYMENT_COLUMNS.index("plan_id")] for row in answer])
    if answer[0][0] == CONFLICT:
        key = answer[0][3 + PAYMENT_COLUMNS.index("idempotency_key")]
        raise idempotency.KeyReused(key)
    results = []
    for _outcome, created, completed_case, *values in answer:
        payment = IncomingPayment.from_db("default", PAYMENT_COLUMNS, values)
        if completed_case is not None:
            plan_completed(Plan(pk=payment.plan_id, case_id=completed_case))
        results.append(PaymentResult(payment, created))
    return results
