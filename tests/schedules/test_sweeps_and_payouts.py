"""Daily sweeps (breach after 40 days, completion), payouts, statements, reversal and
reconciliation."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from finplatform.celery import app
from finplatform.errors import ConflictError
from outbox.models import OutboxMessage
from resolution.models import CaseStatus
from schedules import selectors
from schedules.models import (
    CollectionResumption,
    IncomingPayment,
    LedgerTransaction,
    Payout,
    PlanStatus,
)
from schedules.reconciliation import reconcile
from schedules.services.payments import attribute_suspense_payment, book_payment, reverse_payment
from schedules.services.payouts import run_payouts
from schedules.services.sweeps import SweepResult, sweep_plans
from tests.factories import CaseFactory, CreditorStaffFactory, UserFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db


def almaty(y, m, d, h=12):
    return datetime(y, m, d, h - 5, tzinfo=UTC)


def test_beat_has_the_daily_sweeps_with_expiry():
    for name in ("schedules-sweep-plans", "schedules-run-payouts"):
        entry = app.conf.beat_schedule[name]
        assert entry["options"]["expires"] > 0
        assert entry["task"] in app.tasks or entry["task"].startswith("schedules.tasks.")


def test_breach_after_more_than_40_days_gives_each_creditor_the_right_to_resume():
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, creditors = make_plan([60_000_000, 40_000_000], case=case, first_due=date(2026, 2, 2))
    # 2026-02-02 is a Monday; 40 days later is 2026-03-14: late, not yet breached.
    with time_machine.travel(almaty(2026, 3, 14), tick=False):
        result = sweep_plans()
    assert result.overdue == 1 and result.breached == 0
    assert selectors.plan_state(plan, on=date(2026, 3, 14)).days_late == 40
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    with time_machine.travel(almaty(2026, 3, 15), tick=False):
        result = sweep_plans()
    assert result.breached == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BREACHED and plan.breached_on == date(2026, 3, 15)
    rights = CollectionResumption.objects.filter(plan=plan)
    assert {r.creditor_id for r in rights} == {c.pk for c in creditors}
    assert all(r.days_late == 41 for r in rights)
    assert list(selectors.resumptions_for_creditor(creditors[0])) == [
        rights.get(creditor=creditors[0])
    ]
    # a second run changes nothing
    with time_machine.travel(almaty(2026, 3, 16), tick=False):
        assert sweep_plans().breached == 0
    assert rights.count() == 2


def test_a_breach_writes_one_plan_breached_message_in_its_transaction(
    django_capture_on_commit_callbacks,
):
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, _ = make_plan([10_000_000], case=case, first_due=date(2026, 2, 2))
    breached = OutboxMessage.objects.filter(task_name="resolution.plan_breached")
    with time_machine.travel(almaty(2026, 4, 1), tick=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            assert sweep_plans().breached == 1
            assert breached.count() == 1
            raise RuntimeError("the sweep's transaction rolls back")
        assert not breached.exists()  # written in the breach's transaction, gone with it
        with django_capture_on_commit_callbacks() as callbacks:
            assert sweep_plans().breached == 1
        assert sweep_plans().breached == 0  # a second sweep writes nothing more
    assert [(m.args, m.dedup_key) for m in breached] == [
        ([str(case.pk)], f"plan-breached:{plan.pk}")
    ]
    assert len(callbacks) == 1  # only the breach is told (published after COMMIT)
    assert OutboxMessage.objects.count() == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BREACHED


def test_a_payment_on_time_keeps_the_plan_out_of_breach():
    plan, _ = make_plan([12_000_000], first_due=date(2026, 2, 2))
    book_payment(source="t", item=pay("a", 1_000_000, date(2026, 2, 2), plan=plan))
    with time_machine.travel(almaty(2026, 2, 20), tick=False):
        assert sweep_plans().overdue == 0
    with time_machine.travel(almaty(2026, 3, 10), tick=False):
        assert sweep_plans() == SweepResult(1, 1, 0, 0)
    # the second instalment (due 2026-03-02) is unpaid: 41 days later the plan is breached
    with time_machine.travel(almaty(2026, 4, 12), tick=False):
        assert sweep_plans().breached == 1


def test_weekend_due_date_moves_to_the_next_working_day_for_lateness():
    plan, _ = make_plan([12_000_000], first_due=date(2026, 2, 28))  # a Saturday
    state = selectors.plan_state(plan, on=date(2026, 3, 2))  # Monday
    assert state.instalments[0].status == "due" and state.days_late == 0
    state = selectors.plan_state(plan, on=date(2026, 3, 3))
    assert state.instalments[0].status == "overdue" and state.days_late == 1


def test_full_payment_completes_the_plan_and_writes_one_message_in_its_transaction(
    django_capture_on_commit_callbacks,
):
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, _ = make_plan([3_000, 7_000], case=case)
    other, _ = make_plan([5_000])
    completed = OutboxMessage.objects.filter(task_name="resolution.plan_completed")
    with pytest.raises(RuntimeError), transaction.atomic():
        book_payment(source="t", item=pay("all", 10_000, date(2026, 1, 5), plan=plan))
        assert completed.count() == 1
        raise RuntimeError("the booking transaction rolls back")
    assert not completed.exists()  # written in the booking transaction, gone with it
    with django_capture_on_commit_callbacks() as callbacks:
        book_payment(source="t", item=pay("all", 10_000, date(2026, 1, 5), plan=plan))
        book_payment(source="t", item=pay("part", 1_000, date(2026, 1, 5), plan=other))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED and plan.completed_on == date(2026, 1, 5)
    assert [(m.args, m.dedup_key) for m in completed] == [
        ([str(case.pk)], f"plan-completed:{plan.pk}")
    ]
    assert OutboxMessage.objects.count() == 1  # the plan not paid in full tells nobody
    assert len(callbacks) == 1  # published after COMMIT
    # a retry of the same payment books nothing and writes nothing
    book_payment(source="t", item=pay("all", 10_000, date(2026, 1, 5), plan=plan))
    assert OutboxMessage.objects.count() == 1


def test_sweep_sends_the_completion_again_while_the_case_has_not_completed():
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, _ = make_plan([3_000, 7_000], case=case)
    book_payment(source="t", item=pay("all", 10_000, date(2026, 1, 5), plan=plan))
    completed = OutboxMessage.objects.filter(task_name="resolution.plan_completed")
    assert sweep_plans().completion_resent == 1
    assert sorted((m.args, m.dedup_key or "") for m in completed.all()) == [
        ([str(case.pk)], ""), ([str(case.pk)], f"plan-completed:{plan.pk}")
    ]  # fmt: skip
    case.status = CaseStatus.COMPLETED  # what the workflow's task does
    case.save(update_fields=["status"])
    assert sweep_plans().completion_resent == 0
    assert completed.all().count() == 2


def test_payouts_go_only_to_approved_details_and_follow_a_second_approval():
    from creditors import services as creditor_services
    from creditors.models import PayoutDetails, PayoutDetailsStatus
    from finplatform.iban import make_kz_iban

    plan, (a, b) = make_plan([60_000, 40_000])
    PayoutDetails.objects.filter(creditor=b).delete()  # b has not set up its account yet
    book_payment(source="t", item=pay("p", 10_000, date(2026, 1, 5), plan=plan))
    (only,) = run_payouts(on=date(2026, 1, 5))
    assert only.creditor_id == a.pk
    assert only.payout_details == a.payout_details.get(status="active")
    assert only.iban == only.payout_details.iban
    assert reconcile().figures["awaiting_payout"] == 4_000  # b's money waits, nothing lost

    maker, checker = CreditorStaffFactory(creditor=b), CreditorStaffFactory(creditor=b)
    new_iban = make_kz_iban("601", "A000000123456")
    proposed = creditor_services.propose_payout_details(
        user=maker.user, iban=new_iban, bank_bic="HSBKKZKX", beneficiary_name=b.name,
    )  # fmt: skip
    assert run_payouts(on=date(2026, 1, 6)) == []  # a proposal alone moves nothing
    creditor_services.approve_payout_details(user=checker.user, details_id=proposed.pk)
    (paid,) = run_payouts(on=date(2026, 1, 7))
    assert (paid.creditor_id, paid.amount_tiyn, paid.iban) == (b.pk, 4_000, new_iban)
    assert paid.payout_details.status == PayoutDetailsStatus.ACTIVE
    report = reconcile()
    assert report.ok and report.figures["awaiting_payout"] == 0


def test_payouts_are_daily_per_creditor_and_idempotent():
    plan, (a, b) = make_plan([60_000, 40_000])
    book_payment(source="t", item=pay("p", 10_000, date(2026, 1, 5), plan=plan))
    payouts = run_payouts(on=date(2026, 1, 5))
    assert sorted((p.creditor_id, p.amount_tiyn) for p in payouts) == sorted(
        [(a.pk, 6_000), (b.pk, 4_000)]
    )
    assert run_payouts(on=date(2026, 1, 5)) == []
    book_payment(source="t", item=pay("q", 1_000, date(2026, 1, 5), plan=plan))
    assert run_payouts(on=date(2026, 1, 5)) == []  # one batch a day
    second = run_payouts(on=date(2026, 1, 6))
    assert sorted(p.amount_tiyn for p in second) == [400, 600]
    assert Payout.objects.count() == 4
    report = reconcile()
    assert report.ok, report.checks
    assert report.figures["paid_out"] == 11_000 and report.figures["awaiting_payout"] == 0


def test_reversal_is_a_new_transaction_and_restores_the_totals():
    plan, (a, b) = make_plan([60_000, 40_000])
    first = book_payment(source="t", item=pay("p", 10_001, date(2026, 1, 5), plan=plan))
    reverse_payment(payment_id=first.payment.pk, reason="bank recalled it")
    plan.refresh_from_db()
    assert plan.paid_tiyn == 0
    assert list(plan.shares.values_list("received_tiyn", flat=True)) == [0, 0]
    assert LedgerTransaction.objects.count() == 2
    assert (
        LedgerTransaction.objects.get(kind="reversal").reverses_id == first.payment.transaction_id
    )
    assert reconcile().ok
    with pytest.raises(ConflictError):
        reverse_payment(payment_id=first.payment.pk, reason="again")
    # replay ignores the reversed payment
    assert selectors.plan_state(plan, on=date(2026, 1, 6)).paid_tiyn == 0


def test_reconcile_command_passes_and_fails_with_a_nonzero_exit():
    plan, _ = make_plan([60_000, 40_000])
    book_payment(source="t", item=pay("p", 5_000, date(2026, 1, 5), plan=plan))
    book_payment(source="t", item=pay("s", 700, date(2026, 1, 5), ref="FK-UNKNOWN"))
    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert "reconciled" in out.getvalue()
    call_command("reconcile", "--date", "2026-01-04", stdout=io.StringIO())
    # Break a cache behind the service's back: reconciliation must notice.
    plan.shares.filter(position=0).update(received_tiyn=1)
    failed = {c.name for c in reconcile().checks if not c.ok}
    assert failed == {
        "each creditor's received total matches the ledger",
        "each plan's paid total matches",
        "each creditor's received total matches its share",
    }
    with pytest.raises(CommandError) as err:
        call_command("reconcile", stdout=io.StringIO())
    assert err.value.returncode == 1


def test_admin_reconcile_page_and_suspense_queue(client):
    book_payment(source="t", item=pay("s", 700, date(2026, 1, 5), ref="FK-UNKNOWN"))
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:schedules_reconcile"))
    assert page.status_code == 200 and page.context["report"].ok
    queue = client.get(reverse("admin:schedules_incomingpayment_changelist") + "?status=suspense")
    assert "FK-UNKNOWN" in queue.content.decode()


def test_creditor_statement_csv_and_pdf_are_scoped_to_the_organisation(client):
    plan, (a, b) = make_plan([60_000, 40_000])
    book_payment(source="t", item=pay("p", 10_000, date(2026, 1, 5), plan=plan))
    staff = CreditorStaffFactory(creditor=a)
    client.force_login(staff.user)
    params = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    response = client.get(reverse("creditors:statement_csv"), params)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["date", "kind", "case", "credit_kzt", "debit_kzt"]
    assert [r[:5] for r in rows[1:]] == [
        ["2026-01-05", "payment", plan.case.reference, "60.00", "0.00"]
    ]
    pdf = client.get(reverse("creditors:statement_pdf"), params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert a.name in text and b.name not in text
    bad = client.get(
        reverse("creditors:statement_csv"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert bad.status_code == 400
    page = client.get(reverse("creditors:payouts")).content.decode()
    assert a.name in page
    # another creditor's staff sees none of a's money
    other = CreditorStaffFactory()
    client.force_login(other.user)
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("creditors:statement_csv"), params).content.decode())
        )
    )
    assert rows[1:] == []
    borrower = plan.case.borrower
    client.force_login(borrower.user)
    assert client.get(reverse("creditors:statement_csv"), params).status_code == 403


def test_payment_count_is_unchanged_by_a_sweep():
    plan, _ = make_plan([60_000])
    book_payment(source="t", item=pay("p", 5_000, date(2026, 1, 5), plan=plan))
    with time_machine.travel(almaty(2026, 6, 1), tick=False):
        sweep_plans()
    assert IncomingPayment.objects.count() == 1


def test_a_suspense_payment_attributed_later_is_distributed_once():
    plan, (a, b) = make_plan([60_000, 40_000])
    held = book_payment(source="t", item=pay("s", 1_000, date(2026, 1, 5), ref="FK-TYPO"))
    assert held.payment.status == "suspense"
    result = attribute_suspense_payment(
        payment_id=held.payment.pk, case_reference=plan.case.reference
    )
    assert result.created and result.payment.status == "applied"
    assert result.payment.paid_on == date(2026, 1, 5)
    plan.refresh_from_db()
    assert plan.paid_tiyn == 1_000
    assert list(plan.shares.values_list("received_tiyn", flat=True)) == [600, 400]
    report = reconcile()
    assert report.ok and report.figures["suspense"] == 0 and report.figures["incoming"] == 1_000
    with pytest.raises(ConflictError):
        attribute_suspense_payment(payment_id=held.payment.pk, case_reference=plan.case.reference)


@pytest.mark.worker
def test_the_daily_tasks_run_on_a_real_worker(worker):
    from schedules import tasks

    plan, _ = make_plan([60_000, 40_000])
    book_payment(source="t", item=pay("p", 10_000, date(2026, 1, 5), plan=plan))
    assert tasks.run_payouts.delay().get(timeout=60) == 2
    assert tasks.run_payouts.delay().get(timeout=60) == 0  # once a day
    assert tasks.sweep_plans.delay().get(timeout=60)["checked"] == 1
    assert Payout.objects.count() == 2


def test_creditor_statement_pdf_tells_two_providers_same_payment_number_apart(client):
    """Each provider numbers its own payments: the statement names the provider beside the
    number, so two providers' "p-1" are two lines a back office can tell apart."""
    from pypdf import PdfReader

    plan, (a,) = make_plan([60_000])
    book_payment(source="provider:kaspi", item=pay("p-1", 1_000, date(2026, 1, 5), plan=plan))
    book_payment(source="provider:halyk", item=pay("p-1", 2_000, date(2026, 1, 6), plan=plan))
    client.force_login(CreditorStaffFactory(creditor=a).user)
    pdf = client.get(reverse("creditors:statement_pdf"), {"month": "2026-01"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "provider:kaspi" in text and "provider:halyk" in text
