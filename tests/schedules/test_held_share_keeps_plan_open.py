"""A plan signed with a dispute still open holds the disputed loan's share (provisionally at its
bureau figure) until the ombudsman decides. Paying the plan's total in that time must not
complete it: completion issues the certificate ("paid in full" to every creditor) and reports
the loans closed to the credit bureau, while the held money may still go back to the borrower.
Every booking path (the Python reference, one payment per call in SQL, the batch in SQL) keeps
the plan open; the decision completes it once nothing is held (migration 0026)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from outbox.models import OutboxMessage
from schedules.models import PlanStatus, ShareHold
from schedules.services.booking import book_many, book_one
from schedules.services.holds import decide_held_share
from schedules.services.payments import book_payment
from schedules.services.plans import create_plan
from tests.factories import CaseFactory, CaseLoanFactory, LoanFactory
from tests.schedules.test_disputed_hold import (
    almaty_noon,
    assert_books_clean,
    credited_to,
    plan_with_held,
)
from tests.support.ledger import ensure_default_table, new_creditor
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DAY = date(2027, 1, 28)
PATHS = {
    "python": lambda plan, key, amount: book_payment(source="p", item=pay(key, amount, DAY, plan=plan)),  # noqa: E501
    "sql-single": lambda plan, key, amount: book_one(source="s", item=pay(key, amount, DAY, plan=plan)),  # noqa: E501
    "sql-batch": lambda plan, key, amount: book_many(source="b", items=[pay(key, amount, DAY, plan=plan)])[0],  # noqa: E501
}  # fmt: skip


def completions(plan) -> list:
    return list(
        OutboxMessage.objects.filter(dedup_key=f"plan-completed:{plan.pk}").values_list(
            "args", flat=True
        )
    )


@pytest.mark.parametrize("path", PATHS)
def test_paying_the_total_while_a_share_is_held_keeps_the_plan_open(path):
    plan, _, holder, held = plan_with_held([100_000_00], 400_000_00)
    result = PATHS[path](plan, "all", 500_000_00)
    plan.refresh_from_db()
    assert (result.payment.applied_tiyn, plan.paid_tiyn, plan.total_tiyn) == (
        500_000_00, 500_000_00, 500_000_00
    )  # fmt: skip
    assert (plan.status, plan.completed_on) == (PlanStatus.ACTIVE, None)
    assert completions(plan) == []
    held.refresh_from_db()
    assert held.received_tiyn == 400_000_00  # in the held account, not with the creditor
    assert credited_to(holder) == 0
    # more money after the total: owed back, as on any plan paid in full; still open
    extra = PATHS[path](plan, "extra", 1_00)
    plan.refresh_from_db()
    assert (extra.payment.applied_tiyn, extra.payment.refund_tiyn) == (0, 1_00)
    assert plan.status == PlanStatus.ACTIVE
    assert_books_clean()


@pytest.mark.parametrize("path", PATHS)
def test_the_decision_completes_the_plan_paid_while_held(path):
    plan, _, holder, held = plan_with_held([100_000_00], 400_000_00)
    PATHS[path](plan, "all", 500_000_00)
    decide_held_share(share_id=held.pk, decided_tiyn=400_000_00, on=date(2027, 2, 3))
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (PlanStatus.COMPLETED, date(2027, 2, 3))
    assert completions(plan) == [[str(plan.case_id)]]
    assert credited_to(holder) == 400_000_00
    assert_books_clean()


def test_left_out_after_being_paid_while_held_completes_at_the_lower_total_once():
    plan, _, _, held = plan_with_held([100_000_00], 400_000_00)
    book_one(source="s", item=pay("all", 500_000_00, DAY, plan=plan))
    outcome = decide_held_share(share_id=held.pk, decided_tiyn=0)
    plan.refresh_from_db()
    assert outcome.refund_tiyn == 400_000_00  # the borrower paid it for a loan left out
    assert (plan.total_tiyn, plan.paid_tiyn, plan.status) == (
        100_000_00, 100_000_00, PlanStatus.COMPLETED
    )  # fmt: skip
    assert completions(plan) == [[str(plan.case_id)]]
    assert_books_clean()


def test_with_two_disputes_the_plan_completes_only_when_both_are_decided():
    ensure_default_table()
    case = CaseFactory()
    regular, holders = new_creditor(), [new_creditor(), new_creditor()]
    disputed = [
        CaseLoanFactory(
            case=case,
            loan=LoanFactory(
                creditor=holder,
                borrower_iin=case.borrower.iin,
                principal_tiyn=100_000_00,
                interest_tiyn=0,
                penalty_tiyn=0,
            ),
        )  # fmt: skip
        for holder in holders
    ]
    plan = create_plan(
        case=case, debts=[(regular, 100_000_00)], category="general", first_due=DAY,
        held=[(h, loan.pk, 100_000_00) for h, loan in zip(holders, disputed, strict=True)],
    )  # fmt: skip
    first, second = plan.shares.filter(hold=ShareHold.HELD).order_by("position")
    book_one(source="s", item=pay("all", 300_000_00, DAY, plan=plan))
    decide_held_share(share_id=first.pk, decided_tiyn=100_000_00)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and completions(plan) == []
    decide_held_share(share_id=second.pk, decided_tiyn=0)
    plan.refresh_from_db()
    assert (plan.total_tiyn, plan.paid_tiyn, plan.status) == (
        200_000_00, 200_000_00, PlanStatus.COMPLETED
    )  # fmt: skip
    assert completions(plan) == [[str(plan.case_id)]]
    assert_books_clean()


def test_the_borrower_sees_the_plan_paid_and_waiting_for_the_decision(client):
    plan, _, _, held = plan_with_held([100_000_00], 400_000_00)
    url = reverse("schedules:borrower_schedule")
    with time_machine.travel(almaty_noon(date(2027, 2, 1)), tick=False):
        client.force_login(plan.case.borrower.user)
        assert 'id="awaiting-dispute"' not in client.get(url).content.decode()
        book_one(source="s", item=pay("all", 500_000_00, DAY, plan=plan))
        page = client.get(url).content.decode()
        assert "next-due status-paid" in page and 'id="awaiting-dispute"' in page
        assert 'id="payoff-link"' not in page  # nothing left to quote
        decide_held_share(share_id=held.pk, decided_tiyn=400_000_00)
        page = client.get(url).content.decode()
    assert "next-due status-paid" in page and 'id="awaiting-dispute"' not in page
