"""/healthz and /readyz in-process: JSON, unauthenticated, no personal data, answered before
host validation (an orchestrator probes by internal address), a pending migration makes the
instance not ready."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_is_alive_without_touching_the_database():
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")  # not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert len(queries) == 0


def test_readyz_reports_each_check_by_name_only():
    response = Client().get("/readyz", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }  # fmt: skip


def test_readyz_is_503_while_a_migration_is_pending(monkeypatch):
    real_plan = MigrationExecutor.migration_plan

    def one_pending(self, targets, clean_start=False):
        real_plan(self, targets, clean_start)
        graph = self.loader.graph
        node = graph.leaf_nodes()[0]
        return [(self.loader.get_migration(*node), False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", one_pending)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failing"


def test_readyz_is_503_when_redis_does_not_answer(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failing"


def test_other_methods_pass_through_to_the_urls():
    assert Client().post("/healthz").status_code == 404


def test_readiness_command_exits_1_when_not_ready(settings):
    out = io.StringIO()
    call_command("readiness", stdout=out)
    assert '"status": "ok"' in out.getvalue()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError) as raised:
        call_command("readiness", stdout=io.StringIO())
    assert raised.value.returncode == 1
