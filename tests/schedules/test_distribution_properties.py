"""Hypothesis: random debts and random payment streams (partial, over, duplicate keys, out of
order). Parts always sum to each payment, no creditor ever receives more than its confirmed
debt, and a fully paid schedule pays every creditor exactly its debt."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finplatform.money import split_towards_targets
from schedules import engine, selectors
from schedules.models import LedgerEntry, Side
from schedules.services.payments import book_payment
from tests.support.ledger import make_plan
from tests.support.payments import pay

MAX_TOTAL = 7_000_000 * 100


@st.composite
def debts(draw):
    count = draw(st.integers(1, 10))
    return [draw(st.integers(1, MAX_TOTAL // count)) for _ in range(count)]


@given(weights=debts(), data=st.data())
@settings(max_examples=400, deadline=None)
def test_cumulative_split_never_overpays_and_ends_exact(weights, data):
    total = sum(weights)
    already = [0] * len(weights)
    paid = 0
    while paid < total:
        amount = data.draw(st.integers(1, total - paid) | st.just(total - paid))
        parts = split_towards_targets(amount, weights, already)
        assert sum(parts) == amount
        assert all(p >= 0 for p in parts)
        already = [a + p for a, p in zip(already, parts, strict=True)]
        assert all(a <= w for a, w in zip(already, weights, strict=True))
        paid += amount
        # and everyone stays within a few tiyn of its exact proportional share
        for got, weight in zip(already, weights, strict=True):
            assert abs(got * total - paid * weight) <= len(weights) * total
    assert already == weights


@given(
    total=st.integers(1, MAX_TOTAL),
    term=st.integers(1, 84),
    payments=st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 3000)), max_size=15),
)
@settings(max_examples=200, deadline=None)
def test_replay_conserves_money_whatever_the_order(total, term, payments):
    lines = engine.build_instalments(
        total_tiyn=total, term_months=term, first_due=date(2026, 1, 31)
    )
    events = [
        engine.PaymentEvent(a, date(2026, 1, 1) + timedelta(days=d), i)
        for i, (a, d) in enumerate(payments)
    ]
    state = engine.replay(instalments=lines, events=events, business_date=date(2040, 1, 1))
    received = sum(a for a, _ in payments)
    assert state.paid_tiyn + state.overpaid_tiyn == received
    assert state.paid_tiyn == min(received, total)
    assert all(0 <= s.paid_tiyn <= s.amount_tiyn for s in state.instalments)
    # a later payment can only pay instalments that an earlier prefix left unpaid
    shuffled = engine.replay(
        instalments=lines, events=list(reversed(events)), business_date=date(2040, 1, 1)
    )
    assert shuffled == state  # events are sorted by (date, order), not list position


@pytest.mark.django_db
@given(
    weights=debts(),
    stream=st.lists(
        st.tuples(st.integers(0, 5), st.floats(0.001, 1.3), st.integers(0, 400)),
        min_size=1, max_size=8,
    ),
)  # fmt: skip
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_booked_payment_streams_keep_the_ledger_exact(weights, stream):
    plan, creditors = make_plan(weights)
    total = sum(weights)
    source = f"prop-{plan.pk}"  # the database is not reset between examples
    sent: dict[str, object] = {}
    for key_no, fraction, day in stream:
        key = f"k{key_no}"  # small key space: duplicates happen
        if key in sent:
            result = book_payment(source=source, item=sent[key])  # a retry
            assert not result.created
            continue
        amount = max(1, int(total * fraction))
        sent[key] = pay(key, amount, date(2026, 1, 1) + timedelta(days=day), plan=plan)
        result = book_payment(source=source, item=sent[key])
        credited = LedgerEntry.objects.filter(
            transaction=result.payment.transaction,
            side=Side.CREDIT,
            account__creditor__isnull=False,
        ).values_list("amount_tiyn", flat=True)
        assert sum(credited) == result.payment.applied_tiyn
        assert result.payment.applied_tiyn + result.payment.refund_tiyn == amount
        received = list(plan.shares.values_list("received_tiyn", "debt_tiyn"))
        assert all(r <= d for r, d in received)
    plan.refresh_from_db()
    assert plan.paid_tiyn == min(total, sum(i.amount_tiyn for i in sent.values()))
    if plan.outstanding_tiyn:
        book_payment(
            source=source, item=pay("final", plan.outstanding_tiyn, date(2027, 1, 1), plan=plan)
        )
    plan.refresh_from_db()
    assert plan.status == "completed"
    by_creditor = dict(plan.shares.values_list("creditor_id", "received_tiyn"))
    assert [by_creditor[c.pk] for c in creditors] == weights
    assert selectors.plan_state(plan, on=date(2030, 1, 1)).is_fully_paid
