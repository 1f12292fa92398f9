"""Hooks the workflow onto the eligibility check's signal: when a case becomes
AWAITING_CREDITORS its loan lists go out to the creditors (a worker job, after commit). The
confirmation sweep does the same for any case the signal missed."""

from __future__ import annotations

from functools import partial

from django.db import transaction


def on_case_ready_for_creditors(sender=None, case_id=None, **kwargs) -> None:
    from resolution.tasks_workflow import send_loan_lists

    transaction.on_commit(partial(send_loan_lists.delay, str(case_id)))


def connect() -> None:
    try:
        from resolution.signals import case_ready_for_creditors
    except ImportError:  # the eligibility branch is not merged yet: the sweep covers it
        return
    case_ready_for_creditors.connect(on_case_ready_for_creditors, dispatch_uid="workflow-lists")
