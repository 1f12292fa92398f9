"""Worked example of issue 14 point 1: a loan sold in month 7 of a 60-month plan. The seller
is paid months 1-6, the buyer 7-60, both reconcile to the tiyn, each gets its
`claim.transferred` webhook once, the borrower is told whom they now owe."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from creditors.models import WebhookDelivery
from creditors.webhooks import register_endpoint
from finplatform.errors import ApplicationError, ConflictError
from resolution.models import CaseLoan, CaseTransition, Notification
from resolution.services.transfers import approve_transfer, record_transfer, reject_transfer
from schedules.models import (
    ChangeStatus,
    CreditorShare,
    InstalmentPart,
    Payout,
    PlanStatus,
)
from schedules.reconciliation import reconcile
from schedules.services.payments import book_payment
from schedules.services.payouts import run_payouts
from tests.conftest import run_outbox
from tests.creditors.test_webhooks import Receiver
from tests.factories import CreditorStaffFactory, UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.payments import pay

pytestmark = pytest.mark.django_db
SIGNED = date(2026, 1, 20)
PDF = b"%PDF-1.4 assignment agreement"


def document():
    return SimpleUploadedFile("assignment.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def receivers():
    made = [Receiver(), Receiver()]
    yield made
    for r in made:
        r.close()


def _world(debts=(400_000_000, 200_000_000)):
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        return active_plan(debts)


def _pay(world, number):
    instalment = world.plan.instalments.get(number=number)
    with time_machine.travel(almaty_noon(instalment.due_date), tick=False):
        book_payment(source="bank", item=pay(f"m{number}", instalment.amount_tiyn,
                                             instalment.due_date, plan=world.plan))  # fmt: skip
        run_payouts()
    return instalment


def _parts(creditor, numbers):
    return InstalmentPart.objects.filter(
        creditor=creditor, instalment__number__in=numbers
    ).aggregate(s=Sum("amount_tiyn"))["s"]


def test_a_loan_sold_in_month_7_of_60_pays_the_seller_1_to_6_and_the_buyer_7_to_60(receivers):
    world = _world()
    assert world.plan.term_months == 60
    seller, other = world.creditors
    buyer = new_creditor()
    endpoints = [register_endpoint(creditor=c, url=r.url)
                 for c, r in zip((seller, buyer), receivers, strict=True)]  # fmt: skip
    for number in range(1, 7):
        _pay(world, number)
    seventh = world.plan.instalments.get(number=7)
    with time_machine.travel(almaty_noon(seventh.due_date), tick=False):
        transfer = record_transfer(
            case_loan_id=world.loans[0].pk, buyer_bin=buyer.bin, effective_on=seventh.due_date,
            document=document(), via="dashboard", seller=seller,
            user=CreditorStaffFactory(creditor=seller).user,
        )  # fmt: skip
    _pay(world, 7)  # before approval: the seller's part is credited to the seller, paid out
    with time_machine.travel(almaty_noon(seventh.due_date + timedelta(days=1)), tick=False):
        approve_transfer(transfer_id=transfer.pk, user=UserFactory(), note="assignment checked")
    transfer.refresh_from_db()
    seventh_part = _parts(seller, [7])
    assert transfer.status == ChangeStatus.APPROVED
    assert (transfer.moved_tiyn, transfer.paid_to_seller_tiyn) == (0, seventh_part)
    for number in range(8, 61):
        _pay(world, number)
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.COMPLETED

    paid = dict(Payout.objects.values("creditor_id").annotate(s=Sum("amount_tiyn"))
                .values_list("creditor_id", "s"))  # fmt: skip
    # the seller was paid months 1-7 (7 before the approval: for it to settle with the buyer)
    assert paid[seller.pk] == _parts(seller, range(1, 7)) + seventh_part
    assert paid[buyer.pk] == _parts(seller, range(8, 61))
    assert paid[seller.pk] - transfer.paid_to_seller_tiyn == _parts(seller, range(1, 7))
    assert paid[seller.pk] + paid[buyer.pk] == 400_000_000
    assert paid[other.pk] == 200_000_000
    share = CreditorShare.objects.get(plan=world.plan, position=0)
    assert (share.creditor_id, share.received_tiyn) == (buyer.pk, 400_000_000)
    report = reconcile()
    assert report.ok, [c for c in report.checks if not c.ok]

    run_outbox(task_prefix="creditors.")
    for endpoint, receiver, role in zip(endpoints, receivers, ("seller", "buyer"), strict=True):
        deliveries = WebhookDelivery.objects.filter(endpoint=endpoint, event="claim.transferred")
        assert deliveries.count() == 1 and deliveries.get().status == "delivered"
        events = [json.loads(body) for _, body in receiver.requests]
        transferred = [e for e in events if e["event"] == "claim.transferred"]
        assert len(transferred) == 1
        assert transferred[0]["data"]["role"] == role
        assert transferred[0]["data"]["transfer"]["buyer"]["bin"] == buyer.bin
    cabinet = Notification.objects.get(template_key="claim_transferred_borrower",
                                       channel="dashboard")  # fmt: skip
    assert buyer.name in cabinet.body and world.case.reference in cabinet.body
    assert CaseLoan.objects.get(pk=world.loans[0].pk).creditor_id == buyer.pk
    assert CaseTransition.objects.filter(case=world.case, reason__contains=buyer.bin).exists()


def test_approval_is_once_and_by_another_person():
    world = _world((60_000_000, 40_000_000))
    buyer = new_creditor()
    recorder, approver = UserFactory(), UserFactory()
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        transfer = record_transfer(
            case_loan_id=world.loans[0].pk, buyer_bin=buyer.bin, effective_on=date(2026, 2, 5),
            document=document(), via="admin", user=recorder,
        )  # fmt: skip
        with pytest.raises(ConflictError) as same:
            approve_transfer(transfer_id=transfer.pk, user=recorder)
        assert same.value.code == "maker_checker"
        with pytest.raises(ConflictError) as pending:
            record_transfer(
                case_loan_id=world.loans[0].pk, buyer_bin=buyer.bin,
                effective_on=date(2026, 2, 5), document=document(), via="admin", user=recorder,
            )  # fmt: skip
        assert pending.value.code == "transfer_pending"
        approve_transfer(transfer_id=transfer.pk, user=approver)
        with pytest.raises(ConflictError):
            approve_transfer(transfer_id=transfer.pk, user=approver)
        with pytest.raises(ConflictError):
            reject_transfer(transfer_id=transfer.pk, user=approver, note="late")
    assert Notification.objects.filter(template_key="claim_transferred_buyer",
                                       channel="dashboard").count() == 1  # fmt: skip


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("not_mine", "not_found"),
        ("unknown_bin", "unknown_creditor"),
        ("to_self", "same_creditor"),
        ("future", "invalid_date"),
        ("not_pdf", "invalid_document"),
    ],
)
def test_bad_records_get_a_clear_error_and_record_nothing(case, code):
    world = _world((60_000_000, 40_000_000))
    seller, other = world.creditors
    buyer = new_creditor()
    kwargs = dict(
        case_loan_id=world.loans[0].pk,
        buyer_bin=buyer.bin,
        effective_on=date(2026, 2, 5),
        document=document(),
        via="api",
        seller=seller,
    )
    if case == "not_mine":
        kwargs["seller"] = other
    elif case == "unknown_bin":
        kwargs["buyer_bin"] = "000000000000"
    elif case == "to_self":
        kwargs["buyer_bin"] = seller.bin
    elif case == "future":
        kwargs["effective_on"] = date(2026, 3, 1)
    else:
        kwargs["document"] = SimpleUploadedFile("a.pdf", b"GIF89a", content_type="image/gif")
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        with pytest.raises(ApplicationError) as error:
            record_transfer(**kwargs)
    assert error.value.code == code
    assert not world.plan.claim_transfers.exists()
