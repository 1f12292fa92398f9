"""Worked example (MFO rules, ch. 7 §2 p. 4): a partial payment to an MFO loan with overdue
principal, overdue interest and a penalty is allocated in the rules' order — overdue
principal, overdue interest, penalty, then current principal — to the tiyn, per payment and
per creditor, by the job that runs after booking (resolution/services/allocation.py). The job
is idempotent, catches up on everything booked while it did not run, and unwinds a reversal.
"""

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from resolution.models import CaseLoan
from resolution.services.allocation import allocate_pending_parts
from schedules.models import CreditorShare, PartAllocation
from schedules.services.payments import reverse_payment
from tests.factories import CaseLoanFactory
from tests.support.allocation import allocation_world, book

pytestmark = pytest.mark.django_db


def _allocation(tx_id, creditor):
    rows = PartAllocation.objects.filter(transaction_id=tx_id, share__creditor=creditor)
    return {r.component: r.amount_tiyn for r in rows}


def test_partial_payment_to_an_mfo_loan_is_allocated_in_the_rules_order():
    plan, mfo, bank, mfo_loan, bank_loan = allocation_world()
    first = book("p1", 4_000_000, date(2026, 1, 20), plan)
    second = book("p2", 4_000_000, date(2026, 2, 20), plan)
    assert PartAllocation.objects.count() == 0  # booking itself allocates nothing

    assert allocate_pending_parts() == 4  # two payments × two creditors, caught up at once
    # 40 000 ₸ split 115 : 85 — the MFO's part is 23 000 ₸
    assert _allocation(first.transaction_id, mfo) == {
        "overdue_principal": 1_200_000,
        "overdue_interest": 500_000,
        "penalty": 300_000,
        "current_principal": 300_000,
    }
    assert _allocation(second.transaction_id, mfo) == {"current_principal": 2_300_000}
    # the bank gave totals only, its loan overdue at the bureau: all overdue
    assert _allocation(first.transaction_id, bank) == {"overdue_principal": 1_700_000}
    assert set(PartAllocation.objects.values_list("case_loan_id", flat=True)) == {
        mfo_loan.pk, bank_loan.pk,
    }  # fmt: skip

    assert allocate_pending_parts() == 0  # idempotent
    assert PartAllocation.objects.count() == 7

    reverse_payment(payment_id=first.pk, reason="bank recalled it")
    assert allocate_pending_parts() == 2
    reversal = first.transaction.reversed_by
    # the reversal takes back what was filled last: the current principal
    assert _allocation(reversal.pk, mfo) == {"current_principal": -2_300_000}
    for share in CreditorShare.objects.filter(plan=plan):
        allocated = share.allocations.aggregate(s=Sum("amount_tiyn"))["s"]
        assert allocated == share.received_tiyn  # every part allocated, to the tiyn


def test_allocation_rows_are_append_only():
    plan, *_ = allocation_world()
    book("p1", 1_000_000, date(2026, 1, 20), plan)
    allocate_pending_parts()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE schedules_partallocation SET amount_tiyn = 1")


def test_a_disputed_loan_held_then_included_lower_ends_with_every_loan_paid_exactly():
    """A held share allocates to its disputed loan; the release gives that back (negative
    rows) and the creditor's regular share allocates it anew over the decided figure; the
    others' shares allocate what is redistributed to them. Paid in full, each loan's rows sum
    to its confirmed total and nothing is left unallocated."""
    from schedules.services.holds import decide_held_share
    from tests.schedules.test_disputed_hold import pay_on, plan_with_held

    plan, creditors, holder, held = plan_with_held([600_000_00, 150_000_00], 250_000_00)
    loans = [
        CaseLoanFactory(case=plan.case, loan__creditor=c, loan__principal_tiyn=debt,
                        loan__interest_tiyn=0, loan__penalty_tiyn=0,
                        confirmation_status="confirmed", confirmed_total_tiyn=debt)
        for c, debt in zip(creditors, (600_000_00, 150_000_00), strict=True)
    ]  # fmt: skip
    for k in range(3):
        pay_on(plan, f"p{k}", 70_000_00, date(2027, 1 + k, 28))
    allocate_pending_parts()
    assert held.allocations.aggregate(s=Sum("amount_tiyn"))["s"] > 0
    CaseLoan.objects.filter(pk=held.case_loan_id).update(confirmed_total_tiyn=200_000_00)
    decide_held_share(share_id=held.pk, decided_tiyn=200_000_00)
    pay_on(plan, "rest", 740_000_00, date(2027, 5, 28))
    allocate_pending_parts()
    assert held.allocations.aggregate(s=Sum("amount_tiyn"))["s"] == 0  # all given back
    assert not PartAllocation.objects.filter(component="unallocated").exists()
    per_loan = dict(
        PartAllocation.objects.filter(share__plan=plan).values_list("case_loan_id")
        .annotate(s=Sum("amount_tiyn")).values_list("case_loan_id", "s")
    )  # fmt: skip
    assert per_loan == {loans[0].pk: 600_000_00, loans[1].pk: 150_000_00,
                        held.case_loan_id: 200_000_00}  # fmt: skip
