"""Queues by kind (finplatform/queues.py): a slow document rendering on its queue does not
delay a deadline sweep on another, with two real worker processes, one per queue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis
from celery import Celery
from django.conf import settings

from finplatform.queues import ALL_QUEUES, TASK_ROUTES
from tests.conftest import ROOT, _test_database_url


def test_every_periodic_and_outbox_task_has_a_queue():
    from finplatform.celery import app

    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith(("celery.", "tests."))}
    assert ours - set(TASK_ROUTES) == set()
    assert {route["queue"] for route in TASK_ROUTES.values()} | {"celery"} == set(ALL_QUEUES)
    for entry in app.conf.beat_schedule.values():
        assert TASK_ROUTES[entry["task"]]["queue"] in ("deadlines", "notifications")


@pytest.fixture
def private_broker():
    """A Redis database of its own, so the suite's shared worker takes none of these tasks."""
    url = urlparse(settings.CELERY_BROKER_URL)._replace(path="/7").geturl()
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


def _start_worker(name: str, queue: str, broker: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": broker}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "finplatform", "worker", "--pool", "threads",
         "--concurrency", "1", "-l", "info", "-n", f"{name}-{os.getpid()}@%h", "-Q", queue,
         "--include", "tests.support.slow_tasks", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_slow_documents_do_not_delay_a_deadline_sweep(private_broker):
    tmp = Path(os.environ.get("FINPLATFORM_TEST_TMP", "/tmp"))
    client = Celery("queues-test", broker=private_broker, backend=private_broker,
                    set_as_current=False)  # fmt: skip
    client.conf.task_routes = TASK_ROUTES
    workers = [
        _start_worker("documents", "documents", private_broker, tmp / "worker-documents.log"),
        _start_worker("deadlines", "deadlines", private_broker, tmp / "worker-deadlines.log"),
    ]
    try:
        deadline = time.monotonic() + 60
        while len(client.control.ping(timeout=0.5)) < 2:
            assert time.monotonic() < deadline, "the two workers did not answer ping"
        # the documents worker (one slot) is busy for 20 s with a backlog behind it
        renders = [
            client.send_task("tests.slow_document", args=[10], queue="documents") for _ in range(2)
        ]
        time.sleep(1)
        started = time.monotonic()
        sweep = client.send_task("resolution.expire_unsigned_packages")  # routed by name
        assert sweep.get(timeout=15) is not None
        assert time.monotonic() - started < 8
        assert not renders[1].ready()  # the renders were still queued behind the first
        assert redis.Redis.from_url(private_broker).llen("documents") == 1
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_compose_runs_a_worker_service_for_every_queue():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = set()
    for service in services.values():
        command = service.get("command") or []
        if "worker" in command:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == set(ALL_QUEUES)
