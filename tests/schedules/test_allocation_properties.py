"""Hypothesis: the allocation inside a creditor's part (schedules/allocation.py). Each part's
allocation sums to the part to the tiyn, reversals included; what was recorded always equals
the allocation of the cumulative amount; a share paid in full has paid exactly its confirmed
components; no component is ever over-filled or negative."""

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import allocation as a

AMOUNT = st.integers(0, 50_000_000)


@st.composite
def share(draw):
    """1–3 loans, each with a confirmed total and components that may or may not add up."""
    comps = []
    for index in range(draw(st.integers(1, 3))):
        principal, interest, penalty = draw(AMOUNT), draw(AMOUNT), draw(AMOUNT)
        given_split = draw(st.booleans())
        comps += a.loan_components(
            loan=f"loan-{index}",
            total_tiyn=draw(st.integers(1, 150_000_000)),
            principal_tiyn=principal, interest_tiyn=interest, penalty_tiyn=penalty,
            overdue_principal_tiyn=draw(st.integers(0, principal)) if given_split else None,
            overdue_interest_tiyn=draw(st.integers(0, interest)) if given_split else None,
            overdue_by_default=draw(st.booleans()),
        )  # fmt: skip
    return comps


@given(
    total=st.integers(0, 10**12), p=st.one_of(st.none(), AMOUNT), i=st.one_of(st.none(), AMOUNT),
    f=st.one_of(st.none(), AMOUNT), op=st.one_of(st.none(), AMOUNT),
    oi=st.one_of(st.none(), AMOUNT), overdue=st.booleans(),
)  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_loan_components_sum_to_the_confirmed_total(total, p, i, f, op, oi, overdue):
    comps = a.loan_components(loan="x", total_tiyn=total, principal_tiyn=p, interest_tiyn=i,
                              penalty_tiyn=f, overdue_principal_tiyn=op,
                              overdue_interest_tiyn=oi, overdue_by_default=overdue)  # fmt: skip
    assert sum(c.amount_tiyn for c in comps) == total
    assert all(c.amount_tiyn > 0 for c in comps)


@given(comps=share(), data=st.data())
@settings(max_examples=300, deadline=None)
def test_parts_and_reversals_allocate_exactly(comps, data):
    total = sum(c.amount_tiyn for c in comps)
    recorded: dict = {}
    booked: list[int] = []
    cumulative = 0
    for _ in range(data.draw(st.integers(1, 12))):
        if booked and data.draw(st.booleans()):  # reverse an earlier part
            part = -booked.pop(data.draw(st.integers(0, len(booked) - 1)))
        else:
            part = data.draw(st.integers(1, max(1, total - cumulative) + 10))
            booked.append(part)
        split = a.allocate_part(comps, recorded, part)
        assert sum(split.values()) == part
        for key, amount in split.items():
            recorded[key] = recorded.get(key, 0) + amount
        cumulative += part
        # the incremental rows are the allocation of the cumulative amount
        assert {k: v for k, v in recorded.items() if v} == a.allocate(comps, cumulative)
        for c in comps:
            assert 0 <= recorded.get(c.key, 0) <= c.amount_tiyn


@given(comps=share(), cuts=st.lists(st.floats(0, 1), max_size=8))
@settings(max_examples=200, deadline=None)
def test_a_share_paid_in_full_has_paid_exactly_its_components(comps, cuts):
    total = sum(c.amount_tiyn for c in comps)
    points = sorted({0, total, *(int(total * x) for x in cuts)})
    recorded: dict = {}
    for before, after in zip(points, points[1:], strict=False):
        for key, amount in a.allocate_part(comps, recorded, after - before).items():
            recorded[key] = recorded.get(key, 0) + amount
    expected: dict = {}
    for c in comps:
        expected[c.key] = expected.get(c.key, 0) + c.amount_tiyn
    assert recorded == expected


def test_order_is_the_mfo_rules_order():
    assert a.ORDER == ("overdue_principal", "overdue_interest", "penalty",
                       "current_principal", "current_interest", "costs")  # fmt: skip
