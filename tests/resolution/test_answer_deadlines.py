"""The creditor's answer deadline follows the one working-day calendar (public holidays and the
admin's calendar overrides), and a silent creditor is deemed to confirm only DEEMED_AFTER_HOURS
after the reminder was actually sent: a scheduler that was down reminds first and deems in a
later sweep (issue 13, point 5)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from finplatform.models import CalendarOverride
from resolution.models import CaseStatus, ConfirmationStatus, CreditorRequest, Notification
from resolution.policy import confirmation_deadline
from resolution.services.confirmation import (
    answer_loan,
    deem_confirmed,
    sweep_confirmation_deadlines,
)
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


def test_a_day_off_declared_in_the_admin_moves_the_deadline():
    # Mon 23 Nov + 5 working days = Mon 30 Nov: the answer is due by midnight that follows
    assert confirmation_deadline(MONDAY) == datetime(2026, 12, 1, tzinfo=BUSINESS_TZ)
    CalendarOverride.objects.create(date=date(2026, 11, 25), is_working_day=False,
                                    reason="decree: day off moved")  # fmt: skip
    assert confirmation_deadline(MONDAY) == datetime(2026, 12, 2, tzinfo=BUSINESS_TZ)
    # a working Saturday declared in the admin counts as a working day
    CalendarOverride.objects.create(date=date(2026, 11, 28), is_working_day=True,
                                    reason="working Saturday")  # fmt: skip
    assert confirmation_deadline(MONDAY) == datetime(2026, 12, 1, tzinfo=BUSINESS_TZ)


def test_the_request_sent_to_creditors_carries_the_moved_deadline():
    CalendarOverride.objects.create(date=date(2026, 11, 25), is_working_day=False, reason="x")
    with time_machine.travel(MONDAY, tick=False):
        world = awaiting_case()
    requests = CreditorRequest.objects.filter(case=world.case)
    deadlines = set(requests.values_list("deadline", flat=True))
    assert deadlines == {datetime(2026, 12, 2, tzinfo=BUSINESS_TZ)}


def test_after_a_long_outage_the_sweep_reminds_first_and_deems_only_later():
    with time_machine.travel(MONDAY, tick=False):
        world = awaiting_case()
        answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    deadline = CreditorRequest.objects.filter(case=world.case).first().deadline
    outage_end = deadline + timedelta(days=6)  # the scheduler was down for days
    with time_machine.travel(outage_end, tick=False):
        assert sweep_confirmation_deadlines() == {"asked": 0, "reminded": 2, "deemed": 0}
    reminded = CreditorRequest.objects.filter(case=world.case, reminded_at__isnull=False)
    assert set(reminded.values_list("reminded_at", flat=True)) == {outage_end}
    assert Notification.objects.filter(template_key="creditor_reminder",
                                       channel="dashboard").count() == 2  # fmt: skip
    with time_machine.travel(outage_end + timedelta(hours=23, minutes=59), tick=False):
        assert sweep_confirmation_deadlines()["deemed"] == 0  # not 24 h since the reminder
        late = CreditorRequest.objects.get(case=world.case, creditor=world.creditors[1])
        assert deem_confirmed(request_id=late.pk) == 0  # the service refuses it too
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.AWAITING_CREDITORS
    with time_machine.travel(outage_end + timedelta(hours=24), tick=False):
        assert sweep_confirmation_deadlines()["deemed"] == 2
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    world.loans[2].refresh_from_db()
    assert world.loans[2].confirmation_status == ConfirmationStatus.DEEMED_CONFIRMED


def test_a_creditor_never_reminded_is_never_deemed():
    with time_machine.travel(MONDAY, tick=False):
        world = awaiting_case()
    request = CreditorRequest.objects.filter(case=world.case).first()
    with time_machine.travel(request.deadline + timedelta(days=30), tick=False):
        assert deem_confirmed(request_id=request.pk) == 0
    request.refresh_from_db()
    assert request.deemed_at is None
