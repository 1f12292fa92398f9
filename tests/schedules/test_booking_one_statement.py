"""`booking.book_one` outside a transaction is ONE statement in autocommit (migration 0015):
no BEGIN or COMMIT of its own, the completion's outbox row written by the same statement and
published at once, the same row the Python path writes, and all or nothing when it fails."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from finplatform import requestid
from outbox.models import OutboxMessage
from schedules.models import IncomingPayment, LedgerTransaction, Plan, PlanStatus
from schedules.services.booking import book_one
from schedules.services.payments import book_payment
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2026, 1, 30)


class Statements:
    """Every statement Django sends, with the autocommit state it was sent in."""

    def __init__(self):
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((sql.split("(")[0].strip(), connection.get_autocommit()))
        return execute(sql, params, many, context)


def test_one_payment_is_one_statement_in_autocommit():
    plan, _ = make_plan([6_000_000, 4_000_000])
    book_one(source="t", item=pay("warm", 100, DAY, plan=plan))  # accounts exist from here on
    watch = Statements()
    with connection.execute_wrapper(watch):
        result = book_one(source="t", item=pay("k", 1_000, DAY, plan=plan))
    assert result.created
    assert watch.seen == [("EXECUTE schedules_book_payment_call", True)]
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 1_100


def test_the_call_is_prepared_once_per_connection_and_again_after_a_reconnect():
    plan, _ = make_plan([6_000_000, 4_000_000])
    book_one(source="t", item=pay("warm", 100, DAY, plan=plan))
    connection.close()  # a new connection knows no prepared statement
    watch = Statements()
    with connection.execute_wrapper(watch):
        for n in range(3):
            book_one(source="t", item=pay(f"k{n}", 1_000, DAY, plan=plan))
    assert watch.seen == [
        ("PREPARE schedules_book_payment_call", True),
        ("EXECUTE schedules_book_payment_call", True),
        ("EXECUTE schedules_book_payment_call", True),
        ("EXECUTE schedules_book_payment_call", True),
    ]
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 3_100


def test_the_completion_message_is_the_python_paths_and_is_published_at_once():
    sql_plan, _ = make_plan([3_000_000, 1_000_001])
    python_plan, _ = make_plan([3_000_000, 1_000_001])
    token = requestid.bind("req-book-one")
    try:
        book_one(source="t", item=pay("sql", 4_000_001, DAY, plan=sql_plan))
    finally:
        requestid.unbind(token)
    with transaction.atomic():
        book_payment(source="t", item=pay("py", 4_000_001, DAY, plan=python_plan))
    sql_row = OutboxMessage.objects.get(dedup_key=f"plan-completed:{sql_plan.pk}")
    py_row = OutboxMessage.objects.get(dedup_key=f"plan-completed:{python_plan.pk}")
    assert (sql_row.task_name, sql_row.args) == (
        "resolution.plan_completed",
        [str(sql_plan.case_id)],
    )  # noqa: E501
    assert (py_row.task_name, py_row.args) == (
        "resolution.plan_completed",
        [str(python_plan.case_id)],
    )  # noqa: E501
    assert sql_row.request_id == "req-book-one"
    assert sql_row.dispatched_at is not None  # autocommit: published right after the statement
    assert Plan.objects.get(pk=sql_plan.pk).status == PlanStatus.COMPLETED


def test_inside_a_transaction_it_rolls_back_with_the_caller():
    plan, _ = make_plan([3_000_000])
    with pytest.raises(RuntimeError), transaction.atomic():
        book_one(source="t", item=pay("all", 3_000_000, DAY, plan=plan))
        raise RuntimeError("the caller fails after booking")
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 0
    assert not IncomingPayment.objects.exists()
    assert not OutboxMessage.objects.filter(task_name="resolution.plan_completed").exists()


def test_a_failing_statement_leaves_nothing_behind():
    """The ledger check at the end of the implicit transaction refuses: nothing stays."""
    plan, _ = make_plan([3_000_000])
    book_one(source="t", item=pay("warm", 100, DAY, plan=plan))
    before = LedgerTransaction.objects.count()
    with connection.cursor() as cursor:  # a leg that unbalances every new transaction
        cursor.execute(
            "CREATE FUNCTION test_unbalance() RETURNS trigger AS $$ BEGIN"
            " INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
            " SELECT id, (SELECT min(id) FROM schedules_account), 'D', 1 FROM new_rows;"
            " RETURN NULL; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_unbalance AFTER INSERT ON schedules_ledgertransaction"
            " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
            " EXECUTE FUNCTION test_unbalance();"
        )
    try:
        with pytest.raises(DatabaseError, match="does not balance"):
            book_one(source="t", item=pay("all", 2_999_900, DAY, plan=plan))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER test_unbalance ON schedules_ledgertransaction;"
                " DROP FUNCTION test_unbalance();"
            )
    assert LedgerTransaction.objects.count() == before
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 100
    assert not IncomingPayment.objects.filter(idempotency_key="all").exists()
    assert not OutboxMessage.objects.filter(task_name="resolution.plan_completed").exists()
