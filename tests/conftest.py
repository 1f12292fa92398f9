"""Test fixtures. `bin/test` has already started a throwaway PostgreSQL, Redis and the
simulators and put their addresses in the environment; here we add a real Celery worker
process for the tests that need one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from finplatform.queues import ALL_QUEUES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` subprocess consuming from the real Redis broker and writing to
    the test database. Tests using it must use `transactional_db` so the worker sees data."""
    from finplatform.celery import app

    env = dict(os.environ)
    env["DATABASE_URL"] = _test_database_url()
    env["DEV_CLOCK"] = "1"  # follows a test's development clock (zero unless a test moves it)
    log = open(Path(os.environ.get("FINPLATFORM_TEST_TMP", "/tmp")) / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "finplatform", "worker", "--pool", "threads",
         "--concurrency", "4", "-l", "info", "-n", f"test-{os.getpid()}@%h",
         "-Q", ",".join(ALL_QUEUES)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited with {proc.returncode}; see {log.name}")
        replies = app.control.ping(timeout=0.5)
        if replies:
            break
    else:
        proc.kill()
        raise RuntimeError("celery worker did not answer ping within 60s")
    yield proc
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _test_database_url() -> str:
    from urllib.parse import urlparse, urlunparse

    parts = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


@pytest.fixture
def worker(celery_worker_process, transactional_db):
    """Use in a test to get a live worker and committed transactions. On teardown it waits
    (up to 20 s) until the worker is idle, so follow-up jobs a test set off (notifications,
    loan lists...) do not race the flush of the test database (a deadlock otherwise)."""
    yield celery_worker_process
    _wait_until_worker_idle()


def _wait_until_worker_idle(timeout: float = 20.0) -> None:
    import redis

    from finplatform.celery import app

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        queued = sum(broker.llen(queue) for queue in ALL_QUEUES)
        active = app.control.inspect(timeout=0.5).active() or {}
        busy = queued or any(active.values())
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:  # idle twice in a row: nothing was about to start
            return
        time.sleep(0.1)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_by_default():
    """Messages evaluated in the test process read in English unless a test overrides it."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The Django test client, reading pages in English unless a test asks for another
    language (the platform's default language is Russian)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def identified_borrower(db):
    """A borrower who passed identification (biometrics) and may apply."""
    from django.utils import timezone

    from tests.factories import BorrowerFactory

    return BorrowerFactory(identified_at=timezone.now(), identification_method="biometric")


@pytest.fixture
def sim():
    """The simulator service of outside systems (bureau, identity, SMS...), faults cleared."""
    from django.conf import settings

    from tests.support.bureau import Simulator

    simulator = Simulator(settings.SIMULATOR_URL)
    simulator.clear_faults()
    yield simulator
    simulator.clear_faults()


@pytest.fixture
def schedule_table(transactional_db):
    """The default schedule table. A data migration ships it, but transactional tests that
    ran earlier flushed every table, so put it back when it is missing."""
    import importlib

    from django.apps import apps

    from schedules.models import ScheduleTableVersion

    if not ScheduleTableVersion.objects.filter(is_active=True).exists():
        migration = importlib.import_module("schedules.migrations.0002_default_schedule_table")
        migration.create(apps, None)
    return ScheduleTableVersion.objects.filter(is_active=True).first()


def run_outbox(*, task_prefix: str = "") -> list[str]:
    """Run the outbox messages not yet dispatched, in this process and in order, as the
    worker would (`task.apply`); each is marked dispatched first, so a message a task writes
    is run in the same call. For tests that check a follow-up's effect without a worker;
    the worker path itself is covered by the `worker` tests. Returns the task names run."""
    from finplatform.celery import app
    from finplatform.clock import business_now
    from outbox.models import OutboxMessage

    app.loader.import_default_modules()  # register every app's tasks, as a worker does
    ran: list[str] = []
    while True:
        message = (
            OutboxMessage.objects.filter(
                dispatched_at__isnull=True, task_name__startswith=task_prefix
            )
            .order_by("pk")
            .first()
        )
        if message is None:
            return ran
        OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=business_now())
        app.tasks[message.task_name].apply(args=message.args, throw=True)
        ran.append(message.task_name)
