"""Refunds to borrowers (issue 14 point 3): an overpayment is paid back to the borrower's
OTP-verified IBAN through maker-checker and the daily payout run: one ledger transaction,
paid once, on the statement, with a notice."""

import re
from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from bureau_gateway.devinbox import sent_sms
from finplatform.errors import ApplicationError, ConflictError
from finplatform.iban import make_kz_iban
from resolution.models import Notification
from schedules import ledger, statements
from schedules.models import LedgerTransaction, RefundPayout, RefundStatus, Side, TransactionKind
from schedules.reconciliation import reconcile
from schedules.services import refund_iban, refunds
from schedules.services.payouts import run_payouts
from tests.conftest import run_outbox
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon, pay_in_full

pytestmark = pytest.mark.django_db
IBAN = make_kz_iban("125", "0000001234567")
PAID_ON = date(2026, 2, 1)
RUN_ON = date(2026, 2, 3)


def _overpaid_plan(extra=50_000, *, key="full"):
    world = active_plan((30_000_000, 20_000_000), language="en")
    pay_in_full(world, extra_tiyn=extra, on=PAID_ON, key=key)
    return world


def _verified(borrower):
    _details, code = refund_iban.propose_refund_iban(borrower=borrower, iban=IBAN)
    return refund_iban.verify_refund_iban(borrower=borrower, code=code)


def _approved(world):
    borrower = world.case.borrower
    _verified(borrower)
    refund = refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)
    maker, checker = UserFactory(), UserFactory()
    refunds.prepare_refund(refund_id=refund.pk, user=maker)
    with pytest.raises(ConflictError):
        refunds.approve_refund(refund_id=refund.pk, user=maker)  # four eyes
    return refunds.approve_refund(refund_id=refund.pk, user=checker)


def test_the_iban_is_verified_only_with_the_code_sent_to_the_borrower():
    world = _overpaid_plan()
    borrower = world.case.borrower
    with pytest.raises(ApplicationError):
        refund_iban.propose_refund_iban(borrower=borrower, iban="KZ00 1234")
    _details, code = refund_iban.propose_refund_iban(borrower=borrower, iban=IBAN)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ApplicationError):
        refund_iban.verify_refund_iban(borrower=borrower, code=wrong)
    assert refund_iban.verified_refund_iban(borrower) is None
    with pytest.raises(ConflictError):  # no verified IBAN: no request
        refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)
    refund_iban.verify_refund_iban(borrower=borrower, code=code)
    assert refund_iban.verified_refund_iban(borrower).iban == IBAN


def test_an_overpayment_is_paid_once_by_the_payout_run_after_maker_and_checker():
    world = _overpaid_plan(extra=50_000)
    assert refunds.refund_due(world.plan) == 50_000
    refund = _approved(world)
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


def test_nothing_owed_nothing_requested_and_one_refund_at_a_time():
    world = _overpaid_plan(extra=0)
    _verified(world.case.borrower)
    with pytest.raises(ConflictError):
        refunds.request_refund(plan_id=world.plan.pk, borrower=world.case.borrower)
    other = _overpaid_plan(extra=10_000, key="full-2")
    _verified(other.case.borrower)
    refunds.request_refund(plan_id=other.plan.pk, borrower=other.case.borrower)
    with pytest.raises(ConflictError):
        refunds.request_refund(plan_id=other.plan.pk, borrower=other.case.borrower)
    with pytest.raises(ApplicationError):  # another borrower's plan
        refunds.request_refund(plan_id=other.plan.pk, borrower=world.case.borrower)
    assert RefundPayout.objects.count() == 1


def test_the_database_refuses_a_checker_who_is_the_maker():
    world = _overpaid_plan()
    _verified(world.case.borrower)
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


def test_the_cabinet_confirms_the_iban_by_sms_and_asks_for_the_refund(client):
    world = _overpaid_plan(extra=50_000)
    client.force_login(world.case.borrower.user, backend="borrowers.auth.IINBackend")
    url = reverse("borrowers:refund")
    page = client.get(url).content.decode()
    assert "500,00" in page and 'id="request-refund"' not in page
    bad = client.post(url, {"step": "iban", "iban": "KZ12"})
    assert bad.status_code == 200 and "IBAN" in bad.content.decode()
    client.post(url, {"step": "iban", "iban": IBAN})
    text = next(m["text"] for m in sent_sms() if m["phone"] == world.case.borrower.phone)
    code = re.search(r"(\d{6})$", text).group(1)
    client.post(url, {"step": "code", "code": code})
    page = client.get(url).content.decode()
    assert 'id="verified-iban"' in page and 'id="request-refund"' in page
    client.post(url, {"step": "request"})
    refund = RefundPayout.objects.get(plan=world.plan)
    assert refund.status == RefundStatus.REQUESTED and refund.amount_tiyn == 50_000
    assert "Requested by the borrower" in client.get(url).content.decode()
