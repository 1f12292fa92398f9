"""Issue 16, Medium 10: a worker killed outright. A starting worker asks for the stuck-case
recovery at once, which hands out every unissued package with no grace period; a package
another live worker is rendering is left to it (the renderer's session advisory lock), and a
killed renderer's lock is gone with its connection. The full kill on a real stack is in
tests/reliability/test_faults.py."""

import time

import psycopg2
import pytest
from django.db import connection

from finplatform import celery as celery_module
from outbox.models import OutboxMessage
from resolution.models import CaseStatus
from resolution.services import recovery
from resolution.services.decision import approve_case
from resolution.services.documents import generate_package
from tests.support.ledger import ensure_default_table
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    ensure_default_table()
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    approve_case(case_id=world.case.pk)
    return world.case


def other_session():
    params = connection.get_connection_params()
    return psycopg2.connect(
        dbname=params.get("dbname") or params.get("database"), user=params.get("user"),
        password=params.get("password"), host=params.get("host"), port=params.get("port"),
    )  # fmt: skip


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0


def test_at_start_up_every_unissued_package_is_handed_out_at_once(approved):
    package = str(approved.package.pk)
    assert recovery.resume_stuck_cases()["documents"] == []  # a live worker has time
    assert recovery.resume_stuck_cases(startup=True)["documents"] == [package]
    queued = OutboxMessage.objects.filter(task_name="resolution.generate_documents")
    assert [m.args for m in queued.order_by("pk")][-1] == [package]


def test_a_second_renderer_steps_aside_and_a_dead_renderers_lock_is_gone(approved):
    package = approved.package
    holder = other_session()  # a worker rendering this package right now
    with holder.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"documents\x1f{package.pk}"]
        )
        cursor.execute("SELECT pg_backend_pid()")
        holder_pid = cursor.fetchone()[0]
    generate_package(package_id=package.pk)
    package.refresh_from_db()
    assert package.issued_at is None and not package.documents.exists()
    holder.close()  # the worker is killed: PostgreSQL drops its session lock
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and backend_alive(holder_pid):
        time.sleep(0.05)  # the server ends the backend a moment after the client hangs up
    generate_package(package_id=package.pk)
    package.refresh_from_db()
    assert package.issued_at is not None
    approved.refresh_from_db()
    assert approved.status == CaseStatus.DOCUMENTS_ISSUED


def test_a_starting_worker_asks_for_the_recovery(settings, monkeypatch):
    sent = []
    monkeypatch.setattr(celery_module.app, "send_task", lambda *a, **kw: sent.append((a, kw)))
    settings.RECOVER_STUCK_ON_WORKER_START = True
    celery_module.resume_stuck_work_on_start()
    assert sent == [(("resolution.resume_stuck_cases",),
                     {"kwargs": {"startup": True}, "expires": 300})]  # fmt: skip
    settings.RECOVER_STUCK_ON_WORKER_START = False
    celery_module.resume_stuck_work_on_start()
    assert len(sent) == 1
