"""The plan's outcome moves the case: `resolution.plan_completed` / `resolution.plan_breached`,
written to the outbox by task name (by schedules, and again by the stuck-case sweep), each
taking the case id. Idempotent: a case already moved, or not allowed to move, stays as it is."""

import time

import pytest
from django.db import transaction

from outbox import services as outbox
from outbox.models import OutboxMessage
from resolution.models import Case, CaseStatus, CaseTransition
from tests.conftest import run_outbox
from tests.factories import CaseFactory

COMPLETED, BREACHED = "resolution.plan_completed", "resolution.plan_breached"


def _outcome(task_name: str, case) -> list[str]:
    outbox.enqueue(task_name, str(case.pk))
    return run_outbox(task_prefix="resolution.plan_")


@pytest.mark.django_db
def test_completed_moves_an_active_case_once():
    case = CaseFactory(status=CaseStatus.ACTIVE)
    assert _outcome(COMPLETED, case) == [COMPLETED]
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    transition = case.transitions.get()
    assert (transition.from_status, transition.actor_label) == (CaseStatus.ACTIVE, "schedules")
    assert transition.reason == "The unified schedule is paid in full."
    # the same message again (the sweep re-sent it, the relay published it twice): no change
    assert _outcome(COMPLETED, case) == [COMPLETED]
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.transitions.count() == 1


@pytest.mark.django_db
def test_breached_moves_an_active_case_and_a_later_completion_closes_it():
    case = CaseFactory(status=CaseStatus.ACTIVE)
    _outcome(BREACHED, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.BREACHED
    assert case.transitions.get().reason == "A payment is more than 40 days late."
    _outcome(BREACHED, case)  # again: nothing
    _outcome(COMPLETED, case)  # the borrower paid everything after all: BREACHED -> COMPLETED
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert list(case.transitions.values_list("to_status", flat=True)) == [
        CaseStatus.BREACHED,
        CaseStatus.COMPLETED,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "task_name"),
    [
        (CaseStatus.COMPLETED, BREACHED),
        (CaseStatus.UNDER_REVIEW, COMPLETED),
        (CaseStatus.SIGNED, BREACHED),
    ],
)
def test_a_case_not_allowed_to_move_is_left_as_it_is(status, task_name):
    case = CaseFactory(status=status)
    assert _outcome(task_name, case) == [task_name]
    case.refresh_from_db()
    assert case.status == status and not case.transitions.exists()


@pytest.mark.django_db
def test_the_tasks_are_registered_under_their_names_with_one_argument():
    from finplatform.celery import app

    case = CaseFactory(status=CaseStatus.ACTIVE)
    assert app.tasks[COMPLETED].apply(args=[str(case.pk)], throw=True).result is True
    assert app.tasks[COMPLETED].apply(args=[str(case.pk)], throw=True).result is False
    assert app.tasks[BREACHED].apply(args=[str(case.pk)], throw=True).result is False


@pytest.mark.slow
@pytest.mark.worker
def test_the_worker_moves_the_case_from_the_outbox(worker):
    case = CaseFactory(status=CaseStatus.ACTIVE)
    with transaction.atomic():  # as schedules writes it: in the booking transaction
        outbox.enqueue(BREACHED, str(case.pk))
    _wait_for(case, CaseStatus.BREACHED)
    with transaction.atomic():
        outbox.enqueue(COMPLETED, str(case.pk))
    _wait_for(case, CaseStatus.COMPLETED)
    assert CaseTransition.objects.filter(case=case, actor_label="schedules").count() == 2
    # the transitions' own follow-ups (notices, the bureau report, ending documents) are
    # published right after their commit, a moment after the status is visible
    deadline = time.monotonic() + 30
    while OutboxMessage.objects.filter(dispatched_at__isnull=True).exists():
        assert time.monotonic() < deadline, "follow-ups left in the outbox"
        time.sleep(0.2)


def _wait_for(case, status, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Case.objects.values_list("status", flat=True).get(pk=case.pk) == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker did not move {case} to {status} within {timeout}s")
