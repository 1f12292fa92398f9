"""The server-side booking (`booking.book_one`, migration 0008) against the Python reference
(`payments.book_payment`): the SQL split is the Python split (Hypothesis), and the same
payments on two plans with the same debts book the same parts, legs, statuses and totals."""

import random
from datetime import date

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from finplatform.errors import ConflictError
from finplatform.money import split_largest_remainder, split_towards_targets
from outbox.models import OutboxMessage
from schedules.models import Account, IncomingPayment, LedgerEntry, Plan, PlanStatus
from schedules.services.booking import book_many, book_one
from schedules.services.payments import book_payment, book_payments
from tests.schedules.test_disputed_hold import plan_with_held
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db


@st.composite
def split_case(draw):
    count = draw(st.integers(1, 8))
    weights = [draw(st.integers(1, 10**13 // count)) for _ in range(count)]
    already = [draw(st.integers(0, w)) for w in weights]
    amount = draw(st.integers(0, sum(weights) - sum(already)))
    return amount, weights, already


@given(case=split_case())
@settings(max_examples=300, deadline=None)
def test_the_sql_split_is_the_python_split(case):
    amount, weights, already = case
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schedules_split_towards_targets(%s, %s::bigint[], %s::bigint[]),"
            " schedules_split_largest_remainder(%s, %s::bigint[])",
            [amount, weights, already, amount, weights],
        )
        towards, plain = cursor.fetchone()
    assert towards == split_towards_targets(amount, weights, already)
    assert plain == split_largest_remainder(amount, weights)


def _legs(payment):
    """(role, side, amount) in leg order; role is the share position or the account kind."""
    rows = LedgerEntry.objects.filter(transaction_id=payment.transaction_id).order_by("pk")
    out = []
    for entry in rows.select_related("account__creditor", "account__share"):
        account = entry.account
        if account.share_id:
            role = ("held", account.share.position)
        elif account.creditor_id:
            role = ("share", account.creditor.plan_shares.get(plan=payment.plan_id).position)
        else:
            role = (account.kind,)
        out.append((role, entry.side, entry.amount_tiyn))
    return out


def _state(plan):
    plan.refresh_from_db()
    shares = list(plan.shares.order_by("position").values_list("received_tiyn", flat=True))
    return plan.paid_tiyn, plan.status, plan.completed_on, shares


def _same(python, sql):
    a, b = python.payment, sql.payment
    assert (python.created, a.status, a.applied_tiyn, a.refund_tiyn, a.paid_on) == (
        sql.created, b.status, b.applied_tiyn, b.refund_tiyn, b.paid_on
    )  # fmt: skip
    assert _legs(a) == _legs(b)
    stored = IncomingPayment.objects.get(pk=b.pk)
    assert (stored.transaction_id, stored.request_hash) == (b.transaction_id, b.request_hash)


@pytest.mark.parametrize("seed", range(4))
def test_random_payment_streams_book_the_same_in_sql_and_python(seed):
    rng = random.Random(seed)
    debts = [rng.randint(1, 40_000_000) for _ in range(rng.randint(1, 6))]
    reference, _ = make_plan(debts)
    candidate, _ = make_plan(debts)
    total, day = sum(debts), date(2026, 1, 30)
    for n in range(12):
        amount = rng.choice([rng.randint(1, 5_000), rng.randint(1, total // 3 + 1), total])
        key = f"k{n % 10}"  # keys 0 and 1 come again: a retry with another body is refused
        results = []
        for plan, book in ((reference, book_payment), (candidate, book_one)):
            item = pay(key, amount, day, plan=plan)
            try:
                results.append(book(source=f"s{plan.pk}", item=item))
            except ConflictError as error:
                results.append(error.code)
        if isinstance(results[0], str):
            assert results[0] == results[1] == "idempotency_key_reused"
            continue
        _same(*results)
        assert _state(reference) == _state(candidate)
    assert _state(reference)[1] == PlanStatus.COMPLETED


def test_a_held_share_is_credited_to_its_held_account_like_python():
    reference, *_ = plan_with_held([600_000_00, 90_000_00], 300_000_00)
    candidate, *_ = plan_with_held([600_000_00, 90_000_00], 300_000_00)
    for n, amount in enumerate([99_000_00, 1, 333_333_33, 900_000_00]):
        day = date(2027, 1, 28)
        python = book_payment(source="a", item=pay(f"p{n}", amount, day, plan=reference))
        sql = book_one(source="b", item=pay(f"p{n}", amount, day, plan=candidate))
        _same(python, sql)
        assert _state(reference) == _state(candidate)
    assert Account.objects.filter(share__plan=candidate).count() == 1


def test_unknown_reference_iin_mismatch_and_iin_alone():
    plan, _ = make_plan([10_000_000])
    iin = plan.case.borrower.iin
    day = date(2026, 1, 30)
    unknown = book_one(source="t", item=pay("u", 500, day, ref="FK-NOPE0000"))
    mismatch = book_one(source="t", item=pay("m", 500, day, plan=plan, iin="000000000000"))
    by_iin = book_one(source="t", item=pay("i", 500, day, iin=iin, ref=""))
    assert (unknown.payment.status, unknown.payment.plan_id) == ("suspense", None)
    assert (mismatch.payment.status, mismatch.payment.plan_id) == ("suspense", None)
    assert (by_iin.payment.status, by_iin.payment.plan_id) == ("applied", plan.pk)
    assert _legs(unknown.payment) == [(("bank",), "D", 500), (("suspense",), "C", 500)]


def test_completion_sends_the_message_once_and_the_rest_is_owed_back():
    plan, _ = make_plan([3_000_000, 1_000_001])
    day = date(2026, 1, 30)
    done = book_one(source="t", item=pay("all", 4_000_101, day, plan=plan))
    assert (done.payment.applied_tiyn, done.payment.refund_tiyn) == (4_000_001, 100)
    after = book_one(source="t", item=pay("more", 700, day, plan=plan))
    assert (after.payment.status, after.payment.refund_tiyn) == ("refund", 700)
    assert _state(plan) == (4_000_001, PlanStatus.COMPLETED, day, [3_000_000, 1_000_001])
    messages = OutboxMessage.objects.filter(task_name="resolution.plan_completed")
    assert list(messages.values_list("dedup_key", flat=True)) == [f"plan-completed:{plan.pk}"]


def test_a_retry_returns_the_first_booking_and_another_body_is_refused():
    plan, _ = make_plan([10_000_000])
    day = date(2026, 1, 30)
    first = book_one(source="t", item=pay("k", 1_000, day, plan=plan))
    again = book_one(source="t", item=pay("k", 1_000, day, plan=plan))
    assert first.created and not again.created
    assert again.payment.pk == first.payment.pk
    assert again.payment.received_at == first.payment.received_at
    with pytest.raises(ConflictError) as error:
        book_one(source="t", item=pay("k", 1_001, day, plan=plan))
    assert error.value.code == "idempotency_key_reused"
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 1_000
    assert IncomingPayment.objects.count() == 1


def test_the_first_booking_ever_creates_the_system_accounts():
    Account.objects.all().delete()  # no ledger rows yet: accounts can go
    plan, _ = make_plan([10_000_000, 5_000_000])
    result = book_one(source="t", item=pay("k", 1_500, date(2026, 1, 30), plan=plan))
    assert [leg[2] for leg in _legs(result.payment)] == [1_500, 1_000, 500]
    assert Account.objects.count() == 5


# --- a batch booked in SQL from the staging table -----------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_random_batches_book_the_same_in_sql_and_python(seed):
    rng = random.Random(100 + seed)
    pairs = []
    for _ in range(3):
        debts = [rng.randint(1, 9_000_000) for _ in range(rng.randint(1, 6))]
        pairs.append((make_plan(debts)[0], make_plan(debts)[0], sum(debts)))
    day, booked = date(2026, 1, 30), 0
    for round_ in range(4):
        python_items, sql_items = [], []
        for n in range(15):
            if n >= 12 and rng.random() < 0.85:  # a key again in the batch, same body
                python_items.append(python_items[n - 12])
                sql_items.append(sql_items[n - 12])
                continue
            reference, candidate, total = rng.choice(pairs)
            amount = rng.choice([rng.randint(1, 9_000), rng.randint(1, total // 2 + 1)])
            key = f"r{round_}-{n % 12}"  # ... or another body: the batch is refused
            python_items.append(pay(key, amount, day, plan=reference))
            sql_items.append(pay(key, amount, day, plan=candidate))
        python_items.append(pay(f"r{round_}-x", 777, day, ref="FK-NOPE0000"))
        sql_items.append(pay(f"r{round_}-x", 777, day, ref="FK-NOPE0000"))
        try:
            python = book_payments(source="py", items=python_items)
        except ConflictError:
            with pytest.raises(ConflictError):
                book_many(source="sql", items=sql_items)
            continue
        sql = book_many(source="sql", items=sql_items)
        booked += 1
        assert len(python) == len(sql) == len(sql_items)
        for a, b in zip(python, sql, strict=True):
            _same(a, b)
        again = book_many(source="sql", items=sql_items)  # a retried batch books nothing
        assert [r.payment.pk for r in again] == [r.payment.pk for r in sql]
        assert not any(r.created for r in again)
        for reference, candidate, _ in pairs:
            assert _state(reference) == _state(candidate)
    assert booked


def test_a_batch_with_a_reused_key_books_nothing():
    plan, _ = make_plan([10_000_000])
    day = date(2026, 1, 30)
    book_one(source="t", item=pay("old", 100, day, plan=plan))
    with pytest.raises(ConflictError) as error:
        book_many(
            source="t", items=[pay("new", 5, day, plan=plan), pay("old", 101, day, plan=plan)]
        )
    assert error.value.code == "idempotency_key_reused"
    with pytest.raises(ConflictError):
        book_many(source="t", items=[pay("a", 5, day, plan=plan), pay("a", 6, day, plan=plan)])
    assert IncomingPayment.objects.count() == 1
    assert Plan.objects.get(pk=plan.pk).paid_tiyn == 100


def test_a_batch_creates_missing_accounts_and_completes_plans_once():
    Account.objects.all().delete()
    plan, _ = make_plan([3_000_000, 1_000_001])
    other, _ = make_plan([5_000])
    day = date(2026, 1, 30)
    results = book_many(
        source="t",
        items=[pay("a", 4_000_000, day, plan=plan), pay("b", 9_000, day, plan=other),
               pay("c", 50, day, plan=plan)],
    )  # fmt: skip
    assert [r.payment.status for r in results] == ["applied", "applied", "applied"]
    assert [r.payment.refund_tiyn for r in results] == [0, 4_000, 49]
    assert _state(other)[1] == _state(plan)[1] == PlanStatus.COMPLETED
    messages = OutboxMessage.objects.filter(task_name="resolution.plan_completed")
    assert messages.count() == 2


def test_a_batch_with_a_held_share_books_like_python():
    reference, *_ = plan_with_held([600_000_00, 90_000_00], 300_000_00)
    candidate, *_ = plan_with_held([600_000_00, 90_000_00], 300_000_00)
    other_reference, _ = make_plan([70_000_00, 3_333_33])
    other_candidate, _ = make_plan([70_000_00, 3_333_33])
    day = date(2027, 1, 28)
    amounts = [99_000_00, 1, 5_000_00, 333_333_33, 900_000_00]
    python = book_payments(
        source="a",
        items=[pay(f"p{n}", a, day, plan=(reference, other_reference)[n % 2])
               for n, a in enumerate(amounts)],
    )  # fmt: skip
    sql = book_many(
        source="b",
        items=[pay(f"p{n}", a, day, plan=(candidate, other_candidate)[n % 2])
               for n, a in enumerate(amounts)],
    )  # fmt: skip
    for a, b in zip(python, sql, strict=True):
        _same(a, b)
    assert _state(reference) == _state(candidate)
    assert _state(other_reference) == _state(other_candidate)
