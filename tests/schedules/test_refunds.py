"""Refunds to borrowers (issue 14 point 3): an overpayment is paid back to the borrower's
IBAN, set after a fresh identification (tests/portal/test_refund_iban_identification.py),
through maker-checker and the daily payout run: one ledger transaction,
paid once, on the statement, with a notice."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from finplatform.errors import ApplicationError, ConflictError
from finplatform.iban import make_kz_iban
from resolution.models import Notification
from schedules import ledger, statements
from schedules.models import (
    LedgerTransaction,
    RefundDetails,
    RefundPayout,
    RefundStatus,
    Side,
    TransactionKind,
)
from schedules.reconciliation import reconcile
from schedules.services import refund_iban, refunds
from schedules.services.payouts import run_payouts
from tests.conftest import run_outbox
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon, pay_in_full
from tests.support.identity import set_refund_iban

pytestmark = pytest.mark.django_db
IBAN = make_kz_iban("125", "0000001234567")
PAID_ON = date(2026, 2, 1)
RUN_ON = date(2026, 2, 3)


def _overpaid_plan(extra=50_000, *, key="full"):
    world = active_plan((30_000_000, 20_000_000), language="en")
    pay_in_full(world, extra_tiyn=extra, on=PAID_ON, key=key)
    return world


@pytest.fixture
def verified(sim):
    def _set(borrower):
        return set_refund_iban(sim, borrower, IBAN)

    return _set


def _approved(world, verified):
    borrower = world.case.borrower
    verified(borrower)
    refund = refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)
    maker, checker = UserFactory(), UserFactory()
    refunds.prepare_refund(refund_id=refund.pk, user=maker)
    with pytest.raises(ConflictError):
        refunds.approve_refund(refund_id=refund.pk, user=maker)  # four eyes
    return refunds.approve_refund(refund_id=refund.pk, user=checker)


def test_an_overpayment_is_paid_once_by_the_payout_run_after_maker_and_checker(verified):
    world = _overpaid_plan(extra=50_000)
    assert refunds.refund_due(world.plan) == 50_000
    refund = _approved(world, verified)
    assert refunds.refund_due(world.plan) == 0
    with time_machine.travel(almaty_noon(RUN_ON), tick=False):
        run_payouts(on=RUN_ON)
        run_payouts(on=RUN_ON)  # a retried run
        refunds.pay_approved_refunds(on=RUN_ON)  # and the refund step alone again
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PAID and refund.paid_on == RUN_ON
    txs = LedgerTransaction.objects.filter(kind=TransactionKind.REFUND_PAYOUT)
    assert txs.count() == 1 and txs.get().pk == refund.transaction_id
    system = ledger.system_account_ids()
    legs = {(e.account_id, e.side, e.amount_tiyn) for e in txs.get().entries.all()}
    assert legs == {(system[ledger.REFUND], Side.DEBIT, 50_000),
                    (system[ledger.BANK], Side.CREDIT, 50_000)}  # fmt: skip
    report = reconcile()
    assert report.ok, [c for c in report.checks if not c.ok]
    assert report.figures["refund_liability"] == 0
    assert report.figures["refunded_to_borrowers"] == 50_000
    statement = statements.borrower_statement(world.plan, date_from=RUN_ON, date_to=RUN_ON)
    [line] = statement.lines
    assert line.amount_tiyn == -50_000 and line.overpaid_tiyn == -50_000
    assert line.kind_label == "Refund paid to a borrower"
    run_outbox(task_prefix="resolution.")
    notices = Notification.objects.filter(template_key="refund_paid", case=world.case)
    assert notices.exists() and "500,00" in notices.first().body
    run_outbox(task_prefix="resolution.")
    assert Notification.objects.filter(template_key="refund_paid").count() == notices.count()


def test_nothing_owed_nothing_requested_and_one_refund_at_a_time(verified):
    world = _overpaid_plan(extra=0)
    verified(world.case.borrower)
    with pytest.raises(ConflictError):
        refunds.request_refund(plan_id=world.plan.pk, borrower=world.case.borrower)
    other = _overpaid_plan(extra=10_000, key="full-2")
    verified(other.case.borrower)
    refunds.request_refund(plan_id=other.plan.pk, borrower=other.case.borrower)
    with pytest.raises(ConflictError):
        refunds.request_refund(plan_id=other.plan.pk, borrower=other.case.borrower)
    with pytest.raises(ApplicationError):  # another borrower's plan
        refunds.request_refund(plan_id=other.plan.pk, borrower=world.case.borrower)
    assert RefundPayout.objects.count() == 1


def test_the_database_refuses_a_checker_who_is_the_maker(verified):
    world = _overpaid_plan()
    verified(world.case.borrower)
    refund = refunds.request_refund(plan_id=world.plan.pk, borrower=world.case.borrower)
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundPayout.objects.filter(pk=refund.pk).update(prepared_by=user, approved_by=user)


@pytest.mark.django_db(transaction=True)
def test_a_refund_payout_may_draw_only_from_the_refund_account(schedule_table):
    system = ledger.system_account_ids()
    posting = ledger.Posting(
        kind=TransactionKind.REFUND_PAYOUT, booked_on=RUN_ON,
        legs=[(system[ledger.SUSPENSE], Side.DEBIT, 100), (system[ledger.BANK], Side.CREDIT, 100)],
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="only draw from the refund account"):
        with transaction.atomic():
            ledger.post_many([posting], now=almaty_noon(RUN_ON))
    too_much = ledger.Posting(
        kind=TransactionKind.REFUND_PAYOUT, booked_on=RUN_ON,
        legs=[(system[ledger.REFUND], Side.DEBIT, 100), (system[ledger.BANK], Side.CREDIT, 100)],
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="refund account would go negative"):
        with transaction.atomic():
            ledger.post_many([too_much], now=almaty_noon(RUN_ON))


NEW_IBAN = make_kz_iban("601", "0000007777777")


def test_a_changed_iban_never_silently_redirects_a_refund(sim, verified):
    """Requested or prepared: moves to the new IBAN and back to REQUESTED (two people check it
    again). Approved: paid to the IBAN the two of them approved."""
    world = _overpaid_plan(extra=50_000)
    borrower = world.case.borrower
    verified(borrower)
    refund = refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)
    maker, checker = UserFactory(), UserFactory()
    refunds.prepare_refund(refund_id=refund.pk, user=maker)
    set_refund_iban(sim, borrower, NEW_IBAN, method="eds")
    refund.refresh_from_db()
    assert (refund.status, refund.iban, refund.prepared_by) == (
        RefundStatus.REQUESTED, NEW_IBAN, None
    )  # fmt: skip
    assert refund.details == refund_iban.verified_refund_iban(borrower)
    with pytest.raises(ConflictError):  # the old preparation does not carry over
        refunds.approve_refund(refund_id=refund.pk, user=checker)
    refunds.prepare_refund(refund_id=refund.pk, user=maker)
    refunds.approve_refund(refund_id=refund.pk, user=checker)
    set_refund_iban(sim, borrower, IBAN)  # changed again after the approval
    refund.refresh_from_db()
    assert (refund.status, refund.iban) == (RefundStatus.APPROVED, NEW_IBAN)
    with time_machine.travel(almaty_noon(RUN_ON), tick=False):
        refunds.pay_approved_refunds(on=RUN_ON)
    refund.refresh_from_db()
    assert (refund.status, refund.iban) == (RefundStatus.PAID, NEW_IBAN)
    assert refund_iban.verified_refund_iban(borrower).iban == IBAN


def test_the_database_refuses_a_verified_iban_without_an_identification():
    world = _overpaid_plan()
    with pytest.raises(IntegrityError, match="verified_refund_iban_identified"):
        with transaction.atomic():
            RefundDetails.objects.create(borrower=world.case.borrower, iban=IBAN,
                                         created_at=almaty_noon(RUN_ON))  # fmt: skip
