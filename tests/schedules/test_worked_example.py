"""A full case written out by hand and checked to the tiyn.

Three creditors, confirmed debts (tiyn):   A 50 000 000   B 33 333 333   C 16 666 667
Total 100 000 000 tiyn = 1 000 000.00 KZT → general bracket "up to 1 000 000": 12 months.
Monthly = ceil(100 000 000 / 12) = 8 333 334; the 12th line absorbs the rounding:
100 000 000 − 11 × 8 333 334 = 8 333 326. Due dates from 2026-01-31: Jan 31, Feb 28, Mar 31...

Each payment: target_i = largest-remainder split of the CUMULATIVE amount paid, part_i =
target_i − already received.

1. 2026-01-30, 8 333 334 (on time). Quotas of 8 333 334: A 4 166 667, B 2 777 777.972,
   C 1 388 889.028 → floors sum 8 333 333, the spare tiyn goes to B (.972) →
   A 4 166 667, B 2 777 778, C 1 388 889.
2. 2026-03-02, 5 000 000 (partial). Cumulative 13 333 334: quotas A 6 666 667,
   B 4 444 444.622, C 2 222 222.378 → spare tiyn to B → targets 6 666 667 / 4 444 445 /
   2 222 222 → parts A 2 500 000, B 1 666 667, C 833 333.
3. 2026-03-10, 20 000 001 (overpayment). Cumulative 33 333 335: quotas A 16 666 667.5,
   B 11 111 111.556, C 5 555 555.944 → floors sum 33 333 333, the 2 spare tiyn go to C (.944)
   and B (.556) → targets 16 666 667 / 11 111 112 / 5 555 556 → parts A 10 000 000,
   B 6 666 667, C 3 333 334.

Instalments: payment 2 pays 5 000 000 of line 2 (due Feb 28, a Saturday, so not late on
Monday Mar 2). Payment 3 finishes line 2 (3 333 334), pays the current line 3 (8 333 334),
and the remaining 8 333 333 reduces the schedule from the end: line 12 (8 333 326) in full and
7 tiyn of line 11.
"""

from datetime import date

import pytest

from schedules import selectors
from schedules.models import LedgerEntry, Side
from schedules.services.payments import book_payment
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DEBTS = [50_000_000, 33_333_333, 16_666_667]


def _parts(payment, creditors):
    credited = dict(
        LedgerEntry.objects.filter(
            transaction=payment.transaction, side=Side.CREDIT, account__creditor__isnull=False
        ).values_list("account__creditor_id", "amount_tiyn")
    )
    return [credited.get(c.pk, 0) for c in creditors]


def test_worked_example_three_creditors_three_payments():
    plan, creditors = make_plan(DEBTS, first_due=date(2026, 1, 31))
    assert (plan.term_months, plan.monthly_tiyn) == (12, 8_333_334)
    view = selectors.plan_for_case(plan.case)
    assert [ln.amount_tiyn for ln in view.lines] == [8_333_334] * 11 + [8_333_326]
    assert view.lines[1].due_date == date(2026, 2, 28)

    expected = [
        ("p1", 8_333_334, date(2026, 1, 30), [4_166_667, 2_777_778, 1_388_889]),
        ("p2", 5_000_000, date(2026, 3, 2), [2_500_000, 1_666_667, 833_333]),
        ("p3", 20_000_001, date(2026, 3, 10), [10_000_000, 6_666_667, 3_333_334]),
    ]
    for key, amount, on, parts in expected:
        result = book_payment(source="bank", item=pay(key, amount, on, plan=plan))
        assert result.created
        assert _parts(result.payment, creditors) == parts

    plan.refresh_from_db()
    assert plan.paid_tiyn == 33_333_335
    received = list(plan.shares.values_list("received_tiyn", flat=True))
    assert received == [16_666_667, 11_111_112, 5_555_556]

    state = selectors.plan_state(plan, on=date(2026, 3, 10))
    by_number = {i.number: i for i in state.instalments}
    assert [by_number[n].status for n in (1, 2, 3, 12)] == ["paid"] * 4
    assert by_number[11].paid_tiyn == 7 and by_number[11].status == "partial"
    assert all(by_number[n].paid_tiyn == 0 for n in range(4, 11))
    assert state.outstanding_tiyn == 100_000_000 - 33_333_335
    assert state.oldest_unpaid_due is None

    # On 2026-03-02 itself (before payment 3) line 2 is partly paid and not yet late.
    early = selectors.plan_state(plan, on=date(2026, 3, 2))
    assert early.instalments[1].paid_tiyn == 5_000_000
    assert early.instalments[1].status == "partial"
    assert early.days_late == 0
