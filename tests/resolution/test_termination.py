"""Issue 14 point 5: the ombudsman ends a plan (death, bankruptcy or fraud). Recorded by one
staff member, approved by another; creditors and the bureau are told once each; nothing
further is distributed; money received afterwards goes to suspense."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from creditors.models import WebhookDelivery, WebhookEndpoint
from finplatform.errors import ApplicationError, ConflictError
from outbox.models import OutboxMessage
from resolution.models import BureauReport, CaseEnding, CaseStatus, Notification
from resolution.services.reminders import sweep_payment_notices
from resolution.services.termination import approve_termination, request_termination
from schedules.models import IncomingPayment, PaymentStatus, Payout, PlanStatus
from schedules.reconciliation import reconcile
from schedules.services.payments import book_payment
from schedules.services.payouts import run_payouts
from schedules.services.sweeps import sweep_plans
from tests.conftest import run_outbox
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.payments import pay

pytestmark = pytest.mark.django_db
SIGNED = date(2026, 1, 20)


def certificate():
    return SimpleUploadedFile("death-certificate.pdf", b"%PDF-1.4 certificate")


def _terminated(world, on=date(2026, 2, 10)):
    recorder, approver = UserFactory(), UserFactory()
    with time_machine.travel(almaty_noon(on), tick=False):
        termination = request_termination(
            case_id=world.case.pk, reason="death", details="Death certificate No 123",
            document=certificate(), user=recorder,
        )  # fmt: skip
        with pytest.raises(ConflictError) as same:
            approve_termination(termination_id=termination.pk, user=recorder)
        assert same.value.code == "maker_checker"
        approve_termination(termination_id=termination.pk, user=approver)
    termination.refresh_from_db()
    return termination


def test_a_termination_stops_payouts_and_sends_later_money_to_suspense():
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        world = active_plan()
    first = world.plan.instalments.get(number=1)
    with time_machine.travel(almaty_noon(first.due_date), tick=False):
        book_payment(source="bank", item=pay("m1", first.amount_tiyn, first.due_date,
                                             plan=world.plan))  # fmt: skip
        assert len(run_payouts()) == 2
    termination = _terminated(world)
    assert termination.terminated_on == date(2026, 2, 10)
    world.plan.refresh_from_db()
    world.case.refresh_from_db()
    assert (world.plan.status, world.case.status) == (PlanStatus.TERMINATED, CaseStatus.TERMINATED)
    second = world.plan.instalments.get(number=2)
    with time_machine.travel(almaty_noon(second.due_date), tick=False):
        result = book_payment(source="bank", item=pay("m2", second.amount_tiyn, second.due_date,
                                                      plan=world.plan))  # fmt: skip
        assert run_payouts() == []
        assert sweep_plans().checked == 0
    assert result.payment.status == PaymentStatus.SUSPENSE
    assert IncomingPayment.objects.get(pk=result.payment.pk).plan_id is None
    assert Payout.objects.count() == 2
    world.plan.refresh_from_db()
    assert world.plan.paid_tiyn == first.amount_tiyn
    assert reconcile().ok


def test_creditors_and_the_bureau_are_told_once_each(sim):
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        world = active_plan()
    endpoints = [
        WebhookEndpoint.objects.create(
            creditor=c, url="https://example.com/hook", secret="s"
        )  # fmt: skip
        for c in world.creditors
    ]
    _terminated(world)
    ending = CaseEnding.objects.get(case=world.case)
    assert (ending.kind, ending.snapshot["ground"]) == ("terminated", "death")
    for creditor, endpoint in zip(world.creditors, endpoints, strict=True):
        notice = Notification.objects.get(creditor=creditor, channel="dashboard",
                                           template_key="plan_terminated_creditor")  # fmt: skip
        assert "Смерть заёмщика" in notice.body  # the creditor's notification language (ru)
        assert (
            WebhookDelivery.objects.filter(endpoint=endpoint, event="plan.terminated").count() == 1
        )
    assert (
        Notification.objects.filter(
            borrower=world.case.borrower,
            channel="dashboard",
            template_key="plan_terminated_borrower",
        ).count()
        == 1
    )
    reports = BureauReport.objects.filter(case_loan__case=world.case, event="terminated")
    assert reports.count() == len(world.loans)
    messages = OutboxMessage.objects.filter(task_name="resolution.report_procedure_ended")
    assert messages.count() == len(world.loans)
    run_outbox(task_prefix="resolution.report_procedure_ended")
    ended = [p for p in sim.procedures(world.case.borrower.iin) if p["event"] == "ended"]
    assert len(ended) == len(world.loans)
    assert {p["reason"] for p in ended} == {"terminated"}
    assert all(r.sent_at is not None for r in reports.all())
    run_outbox(task_prefix="resolution.report_procedure_ended")  # nothing left to send
    assert len([p for p in sim.procedures(world.case.borrower.iin) if p["event"] == "ended"]) == 2


def test_no_reminders_after_termination():
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        world, control = active_plan(), active_plan()
    _terminated(world, on=date(2026, 1, 25))
    with time_machine.travel(almaty_noon(date(2026, 1, 26)), tick=False):
        sweep_payment_notices()
    reminded = Notification.objects.filter(template_key="due_reminder")
    assert reminded.filter(case=control.case).exists()  # the same sweep reminds a live plan
    assert not reminded.filter(case=world.case).exists()


def test_termination_needs_a_ground_a_reason_and_a_pdf():
    with time_machine.travel(almaty_noon(SIGNED), tick=False):
        world = active_plan()
    user = UserFactory()
    with pytest.raises(ApplicationError) as bad_reason:
        request_termination(case_id=world.case.pk, reason="boredom", details="x",
                            document=certificate(), user=user)  # fmt: skip
    assert bad_reason.value.code == "invalid_reason"
    with pytest.raises(ApplicationError) as bad_doc:
        request_termination(case_id=world.case.pk, reason="fraud", details="forged documents",
                            document=SimpleUploadedFile("a.txt", b"hello"), user=user)  # fmt: skip
    assert bad_doc.value.code == "invalid_document"
    assert not world.plan.terminations.exists()
