from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from finplatform.clock import BUSINESS_TZ, business_deadline_text
from finplatform.errors import ApplicationError, ConflictError
from finplatform.workdays import add_working_days
from resolution.models import (
    CaseStatus,
    CaseTransition,
    ConfirmationStatus,
    CreditorRequest,
    DebtConfirmation,
    Notification,
)
from resolution.policy import confirmation_deadline
from resolution.services.confirmation import (
    answer_loan,
    send_loan_lists,
    sweep_confirmation_deadlines,
)
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


def test_business_days_skip_weekends_and_kz_holidays():
    # Fri 2026-12-11 + 5 business days: 14 Mon, 15 Tue, 16 Wed are Independence Day
    # (16 Dec is a public holiday), so 14, 15, 17, 18, 21.
    assert add_working_days(date(2026, 12, 11), 5) == date(2026, 12, 21)
    # an ordinary week
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)


def test_deadline_is_end_of_the_fifth_business_day():
    sent = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)  # Monday
    assert confirmation_deadline(sent) == datetime(2026, 12, 1, 0, 0, tzinfo=BUSINESS_TZ)


def test_loan_lists_go_out_once_per_creditor():
    world = awaiting_case()
    assert CreditorRequest.objects.filter(case=world.case).count() == 3
    assert send_loan_lists(case_id=world.case.pk) == []
    assert CreditorRequest.objects.filter(case=world.case).count() == 3
    notices = Notification.objects.filter(template_key="creditor_loans_requested",
                                          channel="dashboard")  # fmt: skip
    assert notices.count() == 3


def test_correction_is_recorded_beside_the_bureau_figures():
    world = awaiting_case()
    loan = world.loans[0]
    row, created = answer_loan(
        creditor=world.creditors[0], case_loan_id=loan.pk, action="correct",
        principal_tiyn=49_000_000, interest_tiyn=2_000_000, penalty_tiyn=0, comment="paid in Oct",
    )  # fmt: skip
    assert created
    loan.refresh_from_db()
    assert loan.bureau_total_tiyn == 53_045_000  # untouched
    assert (loan.confirmation_status, loan.confirmed_total_tiyn) == ("corrected", 51_000_000)
    assert row.total_tiyn == 51_000_000 and row.comment == "paid in Oct"


def test_last_answer_moves_the_case_to_review():
    world = awaiting_case()
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    answer_loan(creditor=world.creditors[1], case_loan_id=world.loans[1].pk, action="dispute",
                comment="the loan was sold")  # fmt: skip
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.AWAITING_CREDITORS
    answer_loan(creditor=world.creditors[2], case_loan_id=world.loans[2].pk, action="confirm")
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    assert CaseTransition.objects.filter(case=world.case, to_status="under_review").count() == 1
    with pytest.raises(ConflictError):
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")


def test_another_creditors_loan_is_not_found():
    world = awaiting_case()
    with pytest.raises(Http404):
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[1].pk, action="confirm")
    assert not DebtConfirmation.objects.exists()


def test_dispute_needs_a_reason_and_correction_needs_figures():
    world = awaiting_case()
    with pytest.raises(ApplicationError) as err:
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="dispute")
    assert err.value.code == "dispute_reason_required"
    with pytest.raises(ApplicationError):
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk,
                    action="correct", principal_tiyn=1)  # fmt: skip


def test_idempotency_key_books_once_and_refuses_reuse():
    world = awaiting_case()
    kwargs = {"creditor": world.creditors[0], "case_loan_id": world.loans[0].pk,
              "action": "confirm", "idempotency_key": "k-1"}  # fmt: skip
    first, created = answer_loan(**kwargs)
    again, created_again = answer_loan(**kwargs)
    assert created and not created_again and first.pk == again.pk
    assert DebtConfirmation.objects.count() == 1
    with pytest.raises(ConflictError) as err:
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk,
                    action="dispute", comment="x", idempotency_key="k-1")  # fmt: skip
    assert err.value.code == "idempotency_key_reused"


def test_database_refuses_an_inconsistent_correction():
    world = awaiting_case()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO resolution_debtconfirmation (id, case_loan_id, creditor_id, action,"
            " principal_tiyn, interest_tiyn, penalty_tiyn, total_tiyn, comment, via, at)"
            " VALUES (gen_random_uuid(), %s, %s, 'correct', 10, 10, 10, 99, '', 'sql', now())",
            [world.loans[0].pk, world.creditors[0].pk],
        )


def test_sweep_reminds_late_creditors_once_then_deems_them_confirmed():
    world = awaiting_case()
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    deadline = CreditorRequest.objects.get(case=world.case, creditor=world.creditors[1]).deadline
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert sweep_confirmation_deadlines()["reminded"] == 0
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert sweep_confirmation_deadlines() == {"asked": 0, "reminded": 2, "deemed": 0}
        assert sweep_confirmation_deadlines()["reminded"] == 0  # dedup
    late = CreditorRequest.objects.filter(case=world.case, late=True)
    assert set(late.values_list("creditor_id", flat=True)) == {c.pk for c in world.creditors[1:]}
    reminders = Notification.objects.filter(template_key="creditor_reminder", channel="dashboard")
    assert reminders.count() == 2
    # Almaty time, not the stored UTC, as the organisation reads it (ru by default)
    almaty = business_deadline_text(deadline, "ru")  # midnight reads as 23:59 the day before
    assert deadline.astimezone(BUSINESS_TZ).strftime("%H:%M") == "00:00" and "23:59" in almaty
    assert all(almaty in n.body for n in reminders), [n.body for n in reminders]
    asked = Notification.objects.filter(
        template_key="creditor_loans_requested", channel="dashboard"
    )
    assert all(almaty in n.body for n in asked.filter(creditor__in=world.creditors[1:]))
    with time_machine.travel(deadline + timedelta(hours=25), tick=False):
        assert sweep_confirmation_deadlines()["deemed"] == 2
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    world.loans[1].refresh_from_db()
    assert world.loans[1].confirmation_status == ConfirmationStatus.DEEMED_CONFIRMED
    assert world.loans[1].confirmed_total_tiyn == world.loans[1].bureau_total_tiyn


def test_deemed_confirmation_can_be_switched_off(settings):
    settings.RESOLUTION_POLICY = {**settings.RESOLUTION_POLICY, "DEEMED_CONFIRMATION": False}
    world = awaiting_case()
    deadline = CreditorRequest.objects.filter(case=world.case).first().deadline
    with time_machine.travel(deadline + timedelta(days=10), tick=False):
        result = sweep_confirmation_deadlines()
    assert result["deemed"] == 0 and result["reminded"] == 3
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.AWAITING_CREDITORS
