"""The development clock (finplatform/devclock.py): business time moved forward for every
process, in development only; the sweeps follow it."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from finplatform import devclock
from finplatform.clock import business_date, business_now
from tests.conftest import ROOT


@pytest.fixture
def dev_clock():
    with override_settings(DEV_CLOCK=True):
        devclock.reset()
        yield
        devclock.reset()
    devclock.forget_cached()


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DEV_CLOCK"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_production_settings_never_turn_the_clock_on():
    env = {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "DEV_CLOCK": "1", "DEBUG": "1"}
    probe = (
        "import django; django.setup(); from django.conf import settings; print(settings.DEV_CLOCK)"
    )
    env_all = {**{k: v for k, v in os.environ.items() if k != "DEBUG"}, **env,
               "DJANGO_SETTINGS_MODULE": "finplatform.settings"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env_all,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.stdout.strip() == "False", result.stderr
    refused = _manage("clock", "+41d", "--skip-checks", **env)
    assert refused.returncode != 0
    assert "development clock is off" in refused.stderr


def test_forced_on_in_production_the_offset_is_ignored_and_cannot_be_set():
    cache.set(devclock.CACHE_KEY, 41 * 86400, timeout=None)
    devclock.forget_cached()
    with override_settings(DEV_CLOCK=True, LOCAL=False):
        assert devclock.offset() == timedelta(0)
        assert abs(business_now() - timezone.now()) < timedelta(seconds=5)
        with pytest.raises(devclock.DevClockDisabled):
            devclock.set_offset(timedelta(days=1))
        with pytest.raises(CommandError, match="development clock is off"):
            call_command("clock", "+1d")
    with override_settings(DEV_CLOCK=False):  # the test settings' default: off
        assert devclock.offset() == timedelta(0)


def test_steps_parse_and_bad_ones_are_refused():
    assert devclock.parse_step("+41d") == timedelta(days=41)
    assert devclock.parse_step("+3h") == timedelta(hours=3)
    assert devclock.parse_step("90m") == timedelta(minutes=90)
    for bad in ("", "41", "+1y", "tomorrow", "+1.5d"):
        with pytest.raises(ValueError):
            devclock.parse_step(bad)


def test_moving_the_clock_moves_business_time_for_every_process(dev_clock):
    today = business_date()
    devclock.advance(timedelta(days=41))
    assert business_date() == today + timedelta(days=41)
    devclock.forget_cached()  # another process: it reads the shared Redis key
    assert devclock.offset() == timedelta(days=41)
    other = _manage("clock", "status", DJANGO_ENV="test", DEV_CLOCK="1")
    assert other.returncode == 0, other.stderr
    assert "real time +41d" in other.stdout
    devclock.set_offset(timedelta(days=-5))  # never behind real time
    assert devclock.offset() == timedelta(0)


@pytest.mark.django_db
def test_the_clock_command_runs_the_sweeps_so_an_unsigned_package_expires(dev_clock):
    from resolution.models import CaseStatus
    from tests.support.workflow import issued_case

    world = issued_case()
    assert world.case.status == CaseStatus.DOCUMENTS_ISSUED
    call_command("clock", "+3h")
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.DOCUMENTS_ISSUED  # 72 hours not over yet
    call_command("clock", "+3d")
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.REFUSED


@pytest.mark.django_db
def test_the_dev_page_moves_the_clock_and_shows_the_toolbar(client, dev_clock):
    page = client.get("/dev/clock/")
    assert page.status_code == 200
    assert b"devclock-bar" not in page.content  # no offset: no toolbar
    moved = client.post("/dev/clock/", {"step": "+2d"}, follow=True)
    assert devclock.offset() == timedelta(days=2)
    assert b"devclock-bar" in moved.content
    client.post("/dev/clock/", {"step": "next week"})
    assert devclock.offset() == timedelta(days=2)
    with override_settings(DEV_CLOCK=False):
        assert client.get("/dev/clock/").status_code == 404
