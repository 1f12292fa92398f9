"""A claim sold during the plan, on the ledger: the share changes hands, the seller's money
since the sale date not yet paid out moves in one TRANSFER transaction, and reconciliation
holds for both creditors."""

from datetime import date

import pytest
import time_machine

from finplatform.errors import ConflictError
from schedules import selectors, statements
from schedules.models import (
    ChangeStatus,
    ClaimTransfer,
    CreditorShare,
    IncomingPayment,
    LedgerEntry,
    LedgerTransaction,
    PaymentStatus,
    Payout,
    PlanStatus,
    TransactionKind,
)
from schedules.reconciliation import reconcile
from schedules.services.payments import book_payment, reverse_payment
from schedules.services.payouts import run_payouts
from schedules.services.termination import terminate_plan
from schedules.services.transfers import apply_transfer
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.payments import pay

pytestmark = pytest.mark.django_db
SIGNED = date(2026, 1, 20)


def _world():
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        return active_plan()


def _pay_month(world, number, *, payout=True):
    instalment = world.plan.instalments.get(number=number)
    with time_machine.travel(almaty_noon(instalment.due_date), tick=False):
        book_payment(source="t", item=pay(f"m{number}", instalment.amount_tiyn,
                                          instalment.due_date, plan=world.plan))  # fmt: skip
        if payout:
            run_payouts()
    return instalment


def _transfer(world, buyer, effective_on):
    share = CreditorShare.objects.get(plan=world.plan, creditor=world.creditors[0])
    return ClaimTransfer.objects.create(
        plan=world.plan, share=share, case_loan=world.loans[0], from_creditor=world.creditors[0],
        to_creditor=buyer, effective_on=effective_on, recorded_via="admin",
        recorded_at=almaty_noon(effective_on), document=b"%PDF-1.4", document_name="a.pdf",
        document_sha256="0" * 64,
    )  # fmt: skip


def _payable(creditor):
    rows = LedgerEntry.objects.filter(account__creditor=creditor).values_list("side", "amount_tiyn")
    return sum(a if s == "C" else -a for s, a in rows)


def test_unpaid_money_since_the_date_moves_to_the_buyer_in_its_own_transaction():
    world = _world()
    seller, other = world.creditors
    buyer = new_creditor()
    for n in (1, 2, 3):
        _pay_month(world, n)
    fourth = _pay_month(world, 4, payout=False)  # credited to the seller, not yet paid out
    seller_part = fourth.parts.get(creditor=seller).amount_tiyn
    transfer = _transfer(world, buyer, fourth.due_date)
    with time_machine.travel(almaty_noon(date(2026, 5, 4)), tick=False):
        apply_transfer(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.status == ChangeStatus.APPROVED
    assert transfer.moved_tiyn == seller_part and transfer.paid_to_seller_tiyn == 0
    tx = LedgerTransaction.objects.get(kind=TransactionKind.TRANSFER)
    assert tx.pk == transfer.transaction_id and tx.plan_id == world.plan.pk
    legs = set(tx.entries.values_list("account__creditor_id", "side", "amount_tiyn"))
    assert legs == {(seller.pk, "D", seller_part), (buyer.pk, "C", seller_part)}
    share = CreditorShare.objects.get(pk=transfer.share_id)
    assert share.creditor_id == buyer.pk
    assert transfer.kept_tiyn == share.received_tiyn - seller_part
    assert _payable(seller) == 0 and _payable(buyer) == seller_part
    fifth = _pay_month(world, 5)
    assert Payout.objects.get(creditor=buyer).amount_tiyn == (
        seller_part + fifth.parts.get(creditor=seller).amount_tiyn
    )
    report = reconcile()
    assert report.ok, [c for c in report.checks if not c.ok]
    _statements_follow_the_claim(world, seller, buyer, other)


def _statements_follow_the_claim(world, seller, buyer, other):
    view = selectors.schedule_view(world.plan)
    assert [s.creditor.pk for s in view.shares] == [buyer.pk, other.pk]
    assert all(sum(a for _, a in line.parts) == line.amount_tiyn for line in view.lines)
    world.plan.refresh_from_db()
    period = {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
    borrower = statements.borrower_statement(world.plan, **period)
    closing = dict(zip([c.pk for c in borrower.creditors], borrower.closing, strict=True))
    assert set(closing) == {seller.pk, buyer.pk, other.pk}
    assert closing[seller.pk] == 0  # the seller is owed nothing more
    assert sum(closing.values()) == world.plan.total_tiyn - world.plan.paid_tiyn
    assert TransactionKind.TRANSFER in {line.kind for line in borrower.lines}
    share = CreditorShare.objects.get(plan=world.plan, creditor=buyer)
    assert statements.creditor_statement(seller, **period).closing_owed_tiyn == 0
    assert statements.creditor_statement(buyer, **period).closing_owed_tiyn == (
        share.debt_tiyn - share.received_tiyn
    )


def test_money_already_paid_out_to_the_seller_is_recorded_not_moved():
    world = _world()
    seller = world.creditors[0]
    buyer = new_creditor()
    for n in (1, 2):
        _pay_month(world, n)
    third = world.plan.instalments.get(number=3)
    transfer = _transfer(world, buyer, world.plan.instalments.get(number=2).due_date)
    with time_machine.travel(almaty_noon(third.due_date), tick=False):
        apply_transfer(transfer_id=transfer.pk)
    transfer.refresh_from_db()
    second = world.plan.instalments.get(number=2).parts.get(creditor=seller).amount_tiyn
    assert (transfer.moved_tiyn, transfer.paid_to_seller_tiyn) == (0, second)
    assert transfer.transaction_id is None
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.TRANSFER).exists()
    assert reconcile().ok


def test_a_payment_for_a_terminated_plan_goes_to_suspense_and_nothing_is_paid_out():
    world = _world()
    _pay_month(world, 1)
    paid_out = Payout.objects.count()
    terminate_plan(plan_id=world.plan.pk)
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.TERMINATED
    second = world.plan.instalments.get(number=2)
    with time_machine.travel(almaty_noon(second.due_date), tick=False):
        result = book_payment(source="t", item=pay("after-end", second.amount_tiyn,
                                                   second.due_date, plan=world.plan))  # fmt: skip
        assert run_payouts() == []
    payment = IncomingPayment.objects.get(pk=result.payment.pk)
    assert payment.status == PaymentStatus.SUSPENSE and payment.plan_id is None
    world.plan.refresh_from_db()
    assert world.plan.paid_tiyn == world.plan.instalments.get(number=1).amount_tiyn
    assert Payout.objects.count() == paid_out
    report = reconcile()
    assert report.ok and report.figures["suspense"] == second.amount_tiyn


def test_a_payment_booked_before_a_sale_is_not_reversed_against_the_buyer():
    """Its legs credit the seller, but the share now belongs to the buyer: reversing it would
    leave the share's received total wrong (the buyer's account has no such credit), so it is
    refused with a clear reason and nothing is booked."""
    world = _world()
    buyer = new_creditor()
    first = _pay_month(world, 1, payout=False)
    payment = IncomingPayment.objects.get(idempotency_key="m1")
    transfer = _transfer(world, buyer, first.due_date)
    with time_machine.travel(almaty_noon(date(2026, 2, 25)), tick=False):
        apply_transfer(transfer_id=transfer.pk)
        before = LedgerTransaction.objects.count()
        with pytest.raises(ConflictError) as refused:
            reverse_payment(payment_id=payment.pk, reason="bank recall")
    assert refused.value.code == "claim_sold_since"
    assert LedgerTransaction.objects.count() == before
    payment.refresh_from_db()
    assert payment.status != PaymentStatus.REVERSED
    assert reconcile().ok
