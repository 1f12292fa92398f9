"""/readyz on the real stack (tests/reliability/stack.py: its own PostgreSQL, Redis and
gunicorn): it answers 503 naming the failing check while PostgreSQL or Redis is down, /healthz
keeps answering 200, and both recover without restarting the web process."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.reliability.stack import PrivateStack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack():
    parent = os.environ.get("FINPLATFORM_TEST_TMP") or None
    root = Path(tempfile.mkdtemp(prefix="private-stack-", dir=parent))
    private = PrivateStack(root, simulator_url=settings.SIMULATOR_URL)
    try:
        yield private.start()
    finally:
        private.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def web(stack):
    return stack.start_web()


def _get(base: str, path: str) -> requests.Response:
    return requests.get(f"{base}{path}", timeout=15)


def _ready(base: str) -> bool:
    return _get(base, "/readyz").status_code == 200


def test_readyz_fails_while_postgres_is_down_and_recovers(stack, web):
    response = _get(web, "/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ok", "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }  # fmt: skip

    stack.stop_postgres()
    try:
        for _ in range(3):  # every gunicorn worker, each with its own (now broken) connection
            down = _get(web, "/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"] == "failing"
            assert down.json()["status"] == "unavailable"
        assert _get(web, "/healthz").status_code == 200  # alive, only not ready
    finally:
        stack.start_postgres()

    stack.wait_for(lambda: _ready(web), 30, "/readyz back after PostgreSQL restarted")
    assert _get(web, "/readyz").json()["checks"]["database"] == "ok"


def test_readyz_fails_while_redis_is_down_and_recovers(stack, web):
    assert _ready(web)
    stack.stop_redis()
    try:
        down = _get(web, "/readyz")
        assert down.status_code == 503
        assert down.json()["checks"] == {
            "database": "ok", "redis": "failing", "migrations": "ok",
        }  # fmt: skip
    finally:
        stack.start_redis()
    stack.wait_for(lambda: _ready(web), 30, "/readyz back after Redis restarted")
