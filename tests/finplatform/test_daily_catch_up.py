"""Issue 16, Medium 9: beat's state is in the database and the daily runs catch up every
missed business date. The static schedule of finplatform/celery.py is written into
django-celery-beat's tables at beat start; a daily run missed while beat was down is due at
start; and that one run covers each missed date, oldest first."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from finplatform.celery import app as celery_app
from finplatform.clock import BUSINESS_TZ
from finplatform.models import DailyRun
from schedules import tasks as schedule_tasks
from schedules.models import PlanStatus
from schedules.selectors import plan_state
from schedules.services import payouts
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db


def almaty(day: date, hour: int, minute: int = 0):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUSINESS_TZ), tick=False
    )


# The scheduler closes stale connections as beat does: it needs real transactions.
@pytest.mark.django_db(transaction=True)
def test_beat_writes_the_static_schedule_into_the_database_at_start(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    DatabaseScheduler(app=celery_app)
    stored = {task.name: task for task in PeriodicTask.objects.all()}
    assert set(celery_app.conf.beat_schedule) <= set(stored)
    payouts_entry = stored["schedules-run-payouts"]
    assert payouts_entry.task == "schedules.tasks.run_payouts"
    assert (payouts_entry.crontab.hour, payouts_entry.crontab.minute) == ("17", "0")
    assert str(payouts_entry.crontab.timezone) == "Asia/Almaty"


@pytest.mark.django_db(transaction=True)
def test_a_daily_run_missed_while_beat_was_down_is_due_at_start():
    DatabaseScheduler(app=celery_app)
    PeriodicTask.objects.filter(name="schedules-run-payouts").update(
        last_run_at=datetime.now(BUSINESS_TZ) - timedelta(days=3)
    )
    PeriodicTask.objects.filter(name="schedules-sweep-plans").update(
        last_run_at=datetime.now(BUSINESS_TZ)
    )
    restarted = DatabaseScheduler(app=celery_app)
    assert restarted.schedule["schedules-run-payouts"].is_due().is_due
    assert not restarted.schedule["schedules-sweep-plans"].is_due().is_due


def test_one_payout_run_covers_every_missed_business_date(monkeypatch):
    covered = []
    monkeypatch.setattr(payouts, "run_payouts", lambda *, on: covered.append(on) or [])
    DailyRun.objects.create(name="schedules-run-payouts", covered_through=date(2026, 3, 2))
    with almaty(date(2026, 3, 5), 17, 1):
        schedule_tasks.run_payouts()
    assert covered == [date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
    assert DailyRun.objects.get(name="schedules-run-payouts").covered_through == date(2026, 3, 5)
    covered.clear()
    with almaty(date(2026, 3, 6), 9):  # before 17:00: today is not due yet
        schedule_tasks.run_payouts()
    assert covered == [date(2026, 3, 5)]  # the latest due date again (idempotent)


def test_the_plan_sweep_after_an_outage_breaches_on_the_day_it_happened():
    plan, _ = make_plan([30_000_000], first_due=date(2026, 1, 31))
    breach_day = next(  # the first date the unpaid plan is more than 40 days late
        date(2026, 2, 1) + timedelta(days=n)
        for n in range(90)
        if plan_state(plan, on=date(2026, 2, 1) + timedelta(days=n)).is_breached
    )
    DailyRun.objects.create(
        name="schedules-sweep-plans", covered_through=breach_day - timedelta(days=4)
    )
    with almaty(breach_day + timedelta(days=2), 1):  # beat was down for six days
        schedule_tasks.sweep_plans()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BREACHED
    assert plan.breached_on == breach_day  # not the day the sweep ran again


def test_a_job_never_run_before_covers_only_the_latest_date(monkeypatch):
    covered = []
    monkeypatch.setattr(payouts, "run_payouts", lambda *, on: covered.append(on) or [])
    with almaty(date(2026, 3, 5), 18):
        schedule_tasks.run_payouts()
    assert covered == [date(2026, 3, 5)]
