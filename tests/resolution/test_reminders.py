"""Due-date reminders (7/3/1 days before) and missed-payment notices, with the clock moved by
time-machine: a due date on 16 December (Independence Day) shifts lateness to the 17th."""

from datetime import date, datetime

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from finplatform.models import CalendarOverride
from finplatform.money import format_tenge
from resolution.models import Notification
from resolution.services.reminders import reminder_stage, sweep_payment_notices
from schedules.selectors import plan_state
from schedules.services.payments import book_payment
from schedules.services.sweeps import sweep_plans
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 16)  # a Wednesday and a public holiday


def at(day: date, hour=9):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_TZ), tick=False
    )


def sweep_on(day: date):
    with at(day):
        return sweep_payment_notices()


def new_plan(language="en", debts=(60_000_000, 40_000_000)):
    with at(date(2026, 11, 16)):
        plan, creditors = make_plan(list(debts), first_due=DUE)
    borrower = plan.case.borrower
    borrower.preferred_language = language
    borrower.save(update_fields=["preferred_language"])
    return plan, creditors


def reminders(plan, number=1):
    return Notification.objects.filter(
        case=plan.case, template_key="due_reminder", context__number=number
    ).order_by("created_at")


def missed(plan):
    return Notification.objects.filter(case=plan.case, template_key="payment_missed")


def test_reminder_stage_is_the_smallest_stage_at_or_above_the_days_left():
    stages = (1, 3, 7)
    assert [reminder_stage(d, stages) for d in (9, 8, 7, 5, 4, 3, 2, 1, 0, -1)] == [
        None, None, 7, 7, 7, 3, 3, 1, 1, None,
    ]  # fmt: skip


def test_reminders_at_7_3_and_1_days_each_once_even_when_the_sweep_runs_twice(settings):
    assert settings.DUE_REMINDER_DAYS == (1, 3, 7)
    plan, _ = new_plan()
    assert sweep_on(date(2026, 12, 8)).reminders == 0  # 8 days before: too early
    assert sweep_on(date(2026, 12, 9)).reminders == 1  # 7 days before
    assert sweep_on(date(2026, 12, 9)).reminders == 0  # the same day again: nothing new
    assert sweep_on(date(2026, 12, 10)).reminders == 0  # still stage 7: already sent
    assert sweep_on(date(2026, 12, 13)).reminders == 1  # 3 days
    assert sweep_on(date(2026, 12, 15)).reminders == 1  # 1 day
    assert sweep_on(date(2026, 12, 15)).reminders == 0
    stages = [n.context["stage"] for n in reminders(plan)]
    assert stages == [7, 3, 1]
    assert {n.channel for n in reminders(plan)} == {"sms"}  # no email address on file
    first = reminders(plan).first()
    amount = plan.instalments.get(number=1).amount_tiyn
    assert format_tenge(amount) in first.body and "16 December 2026" in first.body
    assert first.status == "pending" and first.recipient == plan.case.borrower.phone


def test_a_worker_that_was_down_sends_the_current_stage_never_a_stale_one():
    plan, _ = new_plan()
    assert sweep_on(date(2026, 12, 14)).reminders == 1  # 2 days left: stage 3, not 7
    assert sweep_on(date(2026, 12, 16)).reminders == 1  # the due date itself: stage 1
    assert [n.context["stage"] for n in reminders(plan)] == [3, 1]


def test_an_instalment_paid_in_full_gets_no_reminder_and_a_partial_one_shows_what_is_left():
    plan, _ = new_plan()
    amount = plan.instalments.get(number=1).amount_tiyn
    book_payment(source="t", item=pay("full", amount, date(2026, 12, 1), plan=plan))
    assert sweep_on(date(2026, 12, 9)).reminders == 0
    assert not reminders(plan).exists()
    other, _ = new_plan()
    book_payment(source="t", item=pay("part", 1_000_000, date(2026, 12, 1), plan=other))
    sweep_on(date(2026, 12, 9))
    left = other.instalments.get(number=1).amount_tiyn - 1_000_000
    assert format_tenge(left) in reminders(other).get().body


def test_reminder_text_is_in_the_borrowers_language_with_the_local_date():
    plan, _ = new_plan(language="ru")
    sweep_on(date(2026, 12, 13))
    body = reminders(plan).get().body
    assert "16 декабря 2026" in body
    assert format_tenge(plan.instalments.get(number=1).amount_tiyn) in body
    assert "\u00a0₸" in body
    kk_plan, _ = new_plan(language="kk")
    sweep_on(date(2026, 12, 13))
    assert "2026 жылғы 16 желтоқсан" in reminders(kk_plan).get().body  # year first


def test_missed_payment_notice_after_the_shifted_grace_day_once_within_10_days():
    plan, _ = new_plan()
    amount = plan.instalments.get(number=1).amount_tiyn
    # 16 Dec is a holiday: the instalment is not late before the 17th is over.
    assert sweep_on(date(2026, 12, 16)).missed == 0
    assert sweep_on(date(2026, 12, 17)).missed == 0
    assert plan_state(plan, on=date(2026, 12, 17)).days_late == 0
    result = sweep_on(date(2026, 12, 18))
    assert result.missed == 1
    assert sweep_on(date(2026, 12, 18)).missed == 0  # a second run sends nothing
    assert sweep_on(date(2026, 12, 22)).missed == 0  # nor a later one
    notice = missed(plan).get()
    sent_on = notice.created_at.astimezone(BUSINESS_TZ).date()
    assert sent_on == date(2026, 12, 18) and (sent_on - DUE).days <= 10
    # the overdue amount and the 40-day breach date (from the 17th, the shifted due date)
    assert format_tenge(amount) in notice.body
    assert "by 23:59, 26 January 2027" in notice.body and "27 January 2027" in notice.body
    # ... which is when the breach sweep really breaches the plan
    assert not plan_state(plan, on=date(2027, 1, 26)).is_breached
    assert plan_state(plan, on=date(2027, 1, 27)).is_breached


def test_overdue_amount_adds_up_every_late_instalment_and_each_gets_one_notice():
    plan, _ = new_plan()
    first, second = (plan.instalments.get(number=n) for n in (1, 2))
    book_payment(source="t", item=pay("p", 500_000, date(2026, 12, 10), plan=plan))
    # the worker was down from December to 20 January: both instalments are late
    result = sweep_on(date(2027, 1, 20))
    assert result.missed == 2
    overdue = first.amount_tiyn + second.amount_tiyn - 500_000
    assert all(format_tenge(overdue) in n.body for n in missed(plan))
    assert sweep_on(date(2027, 1, 21)).missed == 0


def test_paid_instalment_gets_no_missed_notice():
    plan, _ = new_plan()
    amount = plan.instalments.get(number=1).amount_tiyn
    book_payment(source="t", item=pay("p", amount, date(2026, 12, 17), plan=plan))
    assert sweep_on(date(2026, 12, 18)).missed == 0
    assert not missed(plan).exists()


def test_an_admin_day_off_moves_the_grace_day_too():
    plan, _ = new_plan()
    CalendarOverride.objects.create(date=date(2026, 12, 17), is_working_day=False, reason="moved")
    assert sweep_on(date(2026, 12, 18)).missed == 0  # lateness now counts from the 18th
    assert sweep_on(date(2026, 12, 19)).missed == 1
    assert "27 January 2027" in missed(plan).get().body  # pay by 18 Dec + 40 days
    # the plan's state and the breach sweep count from the same shifted day
    assert plan_state(plan, on=date(2026, 12, 18)).days_late == 0
    assert plan_state(plan, on=date(2026, 12, 19)).days_late == 1
    sweep_plans(on=date(2027, 1, 27))
    plan.refresh_from_db()
    assert plan.status == "active"
    sweep_plans(on=date(2027, 1, 28))
    plan.refresh_from_db()
    assert plan.status == "breached"


def test_breached_or_completed_plans_get_no_notices():
    plan, _ = new_plan()
    sweep_plans(on=date(2027, 1, 27))
    plan.refresh_from_db()
    assert plan.status == "breached"
    result = sweep_on(date(2027, 1, 28))
    assert (result.plans, result.reminders, result.missed) == (0, 0, 0)


def test_no_reminders_without_the_notifications_consent_but_the_missed_notice_still_goes():
    from borrowers.consents import withdraw_consent
    from resolution.services.notifications import render

    context = {"reference": "FK-1", "due_date": "1", "overdue": "2", "pay_by": "3",
               "breach_date": "4"}  # fmt: skip
    text = render("payment_missed", "en", context)[1]
    assert "change of terms" in text and "30 calendar days" in text
    plan, _creditors = new_plan()
    withdraw_consent(borrower=plan.case.borrower, purpose="notifications")
    sweep_on(date(2026, 12, 9))  # 7 days before
    assert not reminders(plan).exists()
    sweep_on(date(2026, 12, 28))
    assert missed(plan).exists()
