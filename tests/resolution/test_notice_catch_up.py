"""The payment notices after the worker was down (the README's clock drill, as beat runs it):
the catch-up sends the reminder stage current now, never the stages passed meanwhile, and a
missed-payment notice for every instalment that fell late meanwhile, before the breach notice
when the plan breached in the gap; running it all again sends nothing."""

from datetime import date, datetime

import pytest
import time_machine

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from finplatform.clock import BUSINESS_TZ
from finplatform.models import DailyRun
from outbox.models import OutboxMessage
from resolution import tasks as notice_tasks
from resolution.models import CaseStatus, Notification
from resolution.services.reminders import sweep_payment_notices
from schedules import tasks as plan_tasks
from tests.conftest import run_outbox
from tests.factories import CaseFactory, CaseLoanFactory
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 29)  # a Tuesday, a working day; the second instalment 29 January
BREACH_DAY = date(2027, 2, 8)  # 41 days after 29 December


def at(day: date, hour=9, minute=5, tick=False):
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUSINESS_TZ)
    return time_machine.travel(moment, tick=tick)


def new_plan(debts=(60_000_000, 40_000_000)):
    """An ACTIVE case (so that a breach can end it) with its plan, signed in November."""
    with at(date(2026, 11, 25)):
        case = CaseFactory(status=CaseStatus.ACTIVE, borrower__preferred_language="en")
        plan, creditors = make_plan(list(debts), case=case, first_due=DUE)
        for creditor, debt in zip(creditors, debts, strict=True):
            CaseLoanFactory(case=case, loan__creditor=creditor, confirmation_status="confirmed",
                            confirmed_total_tiyn=debt)  # fmt: skip
    return plan


def down_since(day: date, *jobs: str) -> None:
    """The daily jobs last covered `day`: the worker and beat were down from then on."""
    for name in jobs or ("resolution-payment-notices", "schedules-sweep-plans"):
        DailyRun.objects.update_or_create(name=name, defaults={"covered_through": day})


def notices(plan, template_key):
    return Notification.objects.filter(case=plan.case, template_key=template_key, channel="sms")


def sweeps_then_worker():
    """What `bin/manage clock` runs (finplatform/devsweeps.py), then the worker's follow-ups."""
    plan_tasks.sweep_plans()
    result = notice_tasks.sweep_payment_notices()
    run_outbox(task_prefix="resolution.")
    return result


def test_a_gap_of_12_days_before_the_due_date_sends_the_current_stage_only():
    plan = new_plan()
    down_since(date(2026, 12, 16), "resolution-payment-notices")  # 13 days before: no stage
    with at(date(2026, 12, 28)):  # 12 days later, 1 day before the due date
        result = notice_tasks.sweep_payment_notices()
        assert (result["reminders"], result["missed"]) == (1, 0)
        assert result["dates"][0] == "2026-12-17" and result["dates"][-1] == "2026-12-28"
        assert notice_tasks.sweep_payment_notices()["reminders"] == 0  # run again: nothing
    reminder = notices(plan, "due_reminder").get()
    assert reminder.context["stage"] == 1 and reminder.dedup_key.endswith(":1:1")
    assert "29 December 2026" in reminder.body
    # The 7- and 3-day stages were overtaken for good: business time moved back (the dev
    # clock reset) to 7 and 3 days before the due date sends neither.
    assert sweep_payment_notices(on=date(2026, 12, 22)).reminders == 0
    assert sweep_payment_notices(on=date(2026, 12, 26)).reminders == 0
    assert notices(plan, "due_reminder").count() == 1


def test_a_gap_over_a_due_date_sends_its_missed_notice_and_the_next_current_stage():
    plan = new_plan()
    down_since(date(2026, 12, 20), "resolution-payment-notices")
    with at(date(2027, 1, 27)):  # instalment 1 late; instalment 2 due in 2 days
        result = notice_tasks.sweep_payment_notices()
    assert (result["reminders"], result["missed"]) == (1, 1)
    assert [n.context["number"] for n in notices(plan, "payment_missed")] == [1]
    (reminder,) = notices(plan, "due_reminder")  # none for instalment 1, now late
    assert (reminder.context["number"], reminder.context["stage"]) == (2, 3)


def test_a_gap_past_the_breach_sends_each_missed_notice_once_then_the_breach_notice():
    plan = new_plan()
    down_since(date(2026, 12, 28))
    with at(date(2027, 2, 11), tick=True):  # 45 days without paying: breached on 8 February
        sweeps_then_worker()
        plan.refresh_from_db()
        assert (plan.status, plan.breached_on) == ("breached", BREACH_DAY)
        sent = list(
            Notification.objects.filter(case=plan.case, channel="sms").order_by("created_at")
        )
        assert [(n.template_key, n.context.get("number")) for n in sent] == [
            ("payment_missed_at_breach", 1), ("payment_missed_at_breach", 2),
            ("plan_breached_borrower", None),
        ]  # fmt: skip
        # ... and the SMS go out in that order (the outbox runs in insertion order)
        queued = OutboxMessage.objects.filter(task_name="resolution.send_notification")
        order = [args[0] for args in queued.order_by("pk").values_list("args", flat=True)]
        assert [o for o in order if o in {str(n.pk) for n in sent}] == [str(n.pk) for n in sent]
        # the plan has ended: the notices say so, and ask nobody to pay by a date now past
        assert all("over 40 days late" in n.body for n in sent[:2])
        assert not any("Please pay it" in n.body for n in sent[:2])
        before = Notification.objects.filter(case=plan.case).count()
        sweeps_then_worker()  # the beat's own run after the clock move: nothing new
        assert Notification.objects.filter(case=plan.case).count() == before


def test_a_plan_over_40_days_late_that_the_breach_sweep_has_not_ended_gets_nothing_yet():
    plan = new_plan()
    third = plan.instalments.get(number=3).due_date
    assert BREACH_DAY < third < date(2027, 3, 3)  # late by 3 March, not by the breach
    # beat fires the missed runs in any order: here the notice sweep runs first
    result = sweep_payment_notices(on=date(2027, 3, 3))
    assert (result.plans, result.reminders, result.missed) == (1, 0, 0)
    down_since(date(2027, 2, 6), "schedules-sweep-plans")
    with at(date(2027, 3, 3)):
        plan_tasks.sweep_plans()  # breaches on the day it happened
        run_outbox(task_prefix="resolution.")
    plan.refresh_from_db()
    assert (plan.status, plan.breached_on) == ("breached", BREACH_DAY)
    # the breach's missed-payment notices: the instalments late on the breach date only
    assert sorted(n.context["number"] for n in notices(plan, "payment_missed_at_breach")) == [
        1, 2
    ]  # fmt: skip


def test_the_breach_owes_no_notice_for_an_instalment_already_told():
    plan = new_plan()
    down_since(date(2026, 12, 20))
    with at(date(2027, 1, 27)):  # instalment 1 late: its ordinary notice, asking to pay
        sweeps_then_worker()
    assert [n.context["number"] for n in notices(plan, "payment_missed")] == [1]
    down_since(date(2027, 1, 27))
    with at(date(2027, 2, 11)):  # then down until past the breach
        sweeps_then_worker()
    plan.refresh_from_db()
    assert plan.status == "breached"
    assert [n.context["number"] for n in notices(plan, "payment_missed")] == [1]
    assert [n.context["number"] for n in notices(plan, "payment_missed_at_breach")] == [2]
