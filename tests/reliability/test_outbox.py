"""The transactional outbox, the stuck-case sweeper and the 503 on a lost database, on the
shared test stack (nothing is killed here; see test_faults.py for that)."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from finplatform.celery import app
from finplatform.middleware import DatabaseUnavailableMiddleware
from outbox import services as outbox
from outbox.models import OutboxMessage
from resolution.models import Case, CaseStatus
from resolution.services import recovery
from resolution.services.decision import approve_case
from resolution.workflow import transition
from schedules.models import Plan, PlanStatus
from schedules.services.payments import book_payment
from tests.conftest import run_outbox
from tests.factories import CaseFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay
from tests.support.workflow import answer_all, awaiting_case, issued_case

HEARTBEAT = "finplatform.tasks.heartbeat"


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(HEARTBEAT, dedup_key="rolled-back")
            raise RuntimeError("the payment failed")
    assert not OutboxMessage.objects.filter(dedup_key="rolled-back").exists()
    assert callbacks == []  # nothing is published for work that never committed


@pytest.mark.django_db
def test_a_dedup_key_records_an_event_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = outbox.enqueue(HEARTBEAT, "a", dedup_key="event-1")
        again = outbox.enqueue(HEARTBEAT, "b", dedup_key="event-1")
        other = outbox.enqueue(HEARTBEAT, "c")
        plain = outbox.enqueue(HEARTBEAT, "c")
    assert first is not None and again is None and other != plain
    assert OutboxMessage.objects.get(pk=first).args == ["a"]
    assert len(callbacks) == 3


@pytest.mark.django_db(transaction=True)
def test_fast_path_publishes_after_commit_and_marks_dispatched():
    with transaction.atomic():
        message_id = outbox.enqueue(HEARTBEAT)
        # inside the transaction nothing is published yet
        assert OutboxMessage.objects.get(pk=message_id).dispatched_at is None
    message = OutboxMessage.objects.get(pk=message_id)
    assert message.dispatched_at is not None and message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_relay_takes_only_old_unlocked_undispatched_messages(monkeypatch):
    published = []
    monkeypatch.setattr(outbox, "_publish", lambda name, args, *_: published.append((name, args)))
    with outbox.fast_path_suppressed():
        old, locked, fresh = (outbox.enqueue(HEARTBEAT, n) for n in ("old", "locked", "fresh"))
    OutboxMessage.objects.filter(pk__in=[old, locked]).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )
    holding, release = threading.Event(), threading.Event()

    def hold_row():  # another relay working on `locked` right now
        with transaction.atomic():
            OutboxMessage.objects.select_for_update().get(pk=locked)
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_row)
    holder.start()
    assert holding.wait(10)
    try:
        assert outbox.relay(older_than=timedelta(seconds=15)) == 1
    finally:
        release.set()
        holder.join()
    assert published == [(HEARTBEAT, ["old"])]
    assert OutboxMessage.objects.get(pk=old).dispatched_at is not None
    assert OutboxMessage.objects.get(pk=locked).dispatched_at is None  # skipped, not waited on
    assert OutboxMessage.objects.get(pk=fresh).dispatched_at is None  # the fast path's turn
    assert outbox.relay(older_than=timedelta(seconds=15)) == 1  # `locked`, now free
    assert outbox.relay(older_than=timedelta(seconds=15)) == 0  # nothing twice


@pytest.mark.django_db(transaction=True)
def test_relay_stops_at_a_broker_error_and_retries_later(monkeypatch):
    def broker_down(name, args, *_):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(outbox, "_publish", broker_down)
    with transaction.atomic():
        first = outbox.enqueue(HEARTBEAT, 1)
        outbox.enqueue(HEARTBEAT, 2)
    assert outbox.pending_count() == 2  # the fast path failed too: nothing lost
    assert outbox.relay(older_than=timedelta(0)) == 0
    message = OutboxMessage.objects.get(pk=first)
    assert message.attempts == 1 and "redis is down" in message.last_error
    monkeypatch.undo()
    monkeypatch.setattr(outbox, "_publish", lambda name, args, *_: None)
    assert outbox.relay(older_than=timedelta(0)) == 2 and outbox.pending_count() == 0


@pytest.mark.slow
def test_crash_between_commit_and_enqueue_the_relay_dispatches(worker, schedule_table):
    """Approve a case with the after-commit publish suppressed (the process "died" right
    after COMMIT): nothing reaches the worker until the relay runs; then the package is
    generated and issued."""
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    with outbox.fast_path_suppressed():
        approve_case(case_id=world.case.pk)
    message = OutboxMessage.objects.get(task_name="resolution.generate_documents")
    assert message.dispatched_at is None
    time.sleep(1.5)
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.UNDER_REVIEW  # lost, so far
    assert outbox.relay(older_than=timedelta(0)) >= 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Case.objects.get(pk=world.case.pk).status == CaseStatus.DOCUMENTS_ISSUED:
            break
        time.sleep(0.3)
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.DOCUMENTS_ISSUED
    assert OutboxMessage.objects.get(pk=message.pk).dispatched_at is not None


# --- the stuck-case sweeper -------------------------------------------------------------


@pytest.fixture
def table(db):
    from tests.support.ledger import ensure_default_table

    ensure_default_table()


def test_sweeper_re_enqueues_document_generation_only_when_stuck(table):
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    approve_case(case_id=world.case.pk)
    package = str(world.case.package.pk)
    assert recovery.resume_document_generation() == []  # just approved: being worked on
    later = timezone.now() + recovery.DOCUMENTS_STUCK_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert recovery.resume_document_generation() == [package]
    queued = OutboxMessage.objects.filter(task_name="resolution.generate_documents")
    assert [m.args for m in queued.order_by("pk")] == [[package], [package]]
    # once issued, nothing to resume
    from resolution.services.documents import generate_package

    generate_package(package_id=package)
    with time_machine.travel(later, tick=False):
        assert recovery.resume_document_generation() == []


def test_sweeper_activates_a_signed_case_without_a_plan(table):
    world = issued_case()
    transition(case_id=world.case.pk, to=CaseStatus.SIGNED, reason="signature recorded")
    assert not Plan.objects.filter(case=world.case).exists()
    assert recovery.resume_signed_cases() == [str(world.case.pk)]
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ACTIVE
    plan = Plan.objects.get(case=world.case)
    assert plan.total_tiyn == world.case.decision.total_tiyn
    assert recovery.resume_signed_cases() == []  # idempotent


def test_sweeper_enqueues_the_outcome_again_for_a_case_its_plan_did_not_move(table):
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, _ = make_plan([3_000, 7_000], case=case)
    # booked; the outcome task has not run (no worker here, as if it had died), so the case
    # has not moved
    book_payment(source="t", item=pay("all", 10_000, date(2026, 1, 5), plan=plan))
    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED and case.status == CaseStatus.ACTIVE
    sent = OutboxMessage.objects.filter(task_name="resolution.plan_completed", args=[str(case.pk)])
    assert [m.dedup_key for m in sent.all()] == [f"plan-completed:{plan.pk}"]  # with the booking
    assert recovery.resend_plan_outcomes() == {"completed": [str(case.pk)], "breached": []}
    assert sorted(m.dedup_key or "" for m in sent.all()) == ["", f"plan-completed:{plan.pk}"]
    assert not OutboxMessage.objects.filter(task_name="resolution.plan_breached").exists()
    # the worker runs both: the first moves the case, the re-send finds nothing to do
    assert run_outbox(task_prefix="resolution.plan_") == ["resolution.plan_completed"] * 2
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert case.transitions.get().actor_label == "schedules"
    assert recovery.resend_plan_outcomes() == {"completed": [], "breached": []}
    assert sent.all().count() == 2


def test_the_sweeps_are_on_the_beat_schedule_with_expiry():
    entries = {e["task"]: e for e in app.conf.beat_schedule.values()}
    assert entries["outbox.relay"]["schedule"] == 30
    assert entries["outbox.relay"]["options"]["expires"] <= 30
    assert entries["resolution.resume_stuck_cases"]["options"]["expires"] > 0
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert {"outbox.relay", "resolution.resume_stuck_cases"} <= set(app.tasks)


# --- the database is gone ----------------------------------------------------------------


def test_a_lost_database_answers_503_with_the_error_body_not_a_trace():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    api = middleware.process_exception(
        RequestFactory().post("/api/v1/payments/"), OperationalError("server closed")
    )
    assert api.status_code == 503 and api["Retry-After"] == "5"
    import json

    body = json.loads(api.content)
    assert body["error"]["code"] == "service_unavailable" and body["error"]["message"]
    page = middleware.process_exception(RequestFactory().get("/portal/"), OperationalError())
    assert page.status_code == 503 and b"Traceback" not in page.content
    assert middleware.process_exception(RequestFactory().get("/"), ValueError()) is None


@pytest.mark.django_db(transaction=True)
def test_outbox_relay_command_publishes_what_is_pending(monkeypatch):
    import io

    from django.core.management import call_command

    published = []
    monkeypatch.setattr(outbox, "_publish", lambda name, args, *_: published.append(args))
    with outbox.fast_path_suppressed():
        outbox.enqueue(HEARTBEAT, "left behind")
    out = io.StringIO()
    call_command("outbox_relay", "--older-than", "0", stdout=out)
    assert published == [["left behind"]]
    assert out.getvalue().strip() == "published 1, still pending 0"
