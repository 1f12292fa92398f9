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

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` subprocess consuming from the real Redis broker and writing to
    the test database. Tests using it must use `transactional_db` so the worker sees data."""
    from finplatform.celery import app

    env = dict(os.environ)
    env["DATABASE_URL"] = _test_database_url()
    log = open(Path(os.environ.get("FINPLATFORM_TEST_TMP", "/tmp")) / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "finplatform", "worker", "--pool", "threads",
         "--concurrency", "4", "-l", "info", "-n", f"test-{os.getpid()}@%h"],
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
    """Use in a test to get a live worker and committed transactions."""
    return celery_worker_process


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
