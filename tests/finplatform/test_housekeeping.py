"""Rows that only limit or wait for something are not kept for ever: attempt counters that can
no longer block anyone, and registrations or resets finished or expired a day ago (each holds
an IIN, a phone and a password hash). The sweeps run hourly from beat."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password

from borrowers.models import Enrolment, EnrolmentPurpose
from borrowers.tasks import forget_finished_enrolments
from finplatform.celery import app
from finplatform.clock import business_now
from finplatform.models import AttemptCounter
from finplatform.signin import LOGIN_PER_ACCOUNT
from finplatform.tasks import forget_stale_counters

pytestmark = pytest.mark.django_db


def _enrolment(**times) -> Enrolment:
    now = business_now()
    return Enrolment.objects.create(
        purpose=EnrolmentPurpose.REGISTER, iin="900101300017", phone="+77011234567",
        password_hash=make_password("x"), created_at=now, expires_at=now + timedelta(minutes=30),
        **times,
    )  # fmt: skip


def test_counters_are_forgotten_only_when_they_can_no_longer_block():
    for _ in range(8):
        LOGIN_PER_ACCOUNT.hit("someone")  # blocked for a while now
    LOGIN_PER_ACCOUNT.hit("recent")
    assert forget_stale_counters() == 0  # both still count
    with time_machine.travel(business_now() + timedelta(days=3)):
        LOGIN_PER_ACCOUNT.hit("recent")
        still_blocking = AttemptCounter.objects.create(
            scope="login-account", digest="f" * 64, count=40,
            started_at=business_now() - timedelta(days=3),
            last_at=business_now() - timedelta(days=3),
            blocked_until=business_now() + timedelta(minutes=5),
        )  # fmt: skip
        assert forget_stale_counters() == 1  # "someone": three days quiet, no longer blocked
        assert set(AttemptCounter.objects.values_list("pk", flat=True)) == {
            LOGIN_PER_ACCOUNT._row("recent").pk, still_blocking.pk,
        }  # fmt: skip
        assert LOGIN_PER_ACCOUNT.blocked_until("someone") is None  # forgotten == never seen


def test_finished_and_expired_enrolments_are_deleted_a_day_later():
    waiting = _enrolment()
    expired = _enrolment()
    done = _enrolment(completed_at=business_now())
    assert forget_finished_enrolments() == 0
    with time_machine.travel(business_now() + timedelta(hours=25)):
        waiting.expires_at = business_now() + timedelta(minutes=30)  # started just now
        waiting.save()
        assert forget_finished_enrolments() == 2
    assert list(Enrolment.objects.all()) == [waiting]
    assert not Enrolment.objects.filter(pk__in=[expired.pk, done.pk]).exists()


def test_beat_runs_both_sweeps_hourly():
    tasks = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert tasks["finplatform.tasks.forget_stale_counters"] == 60 * 60
    assert tasks["borrowers.forget_finished_enrolments"] == 60 * 60
