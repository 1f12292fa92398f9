"""Connects the schedules app's signals to the case state machine (ResolutionConfig.ready).
Receivers are idempotent: a signal sent twice, or for a case already moved, changes nothing."""

from django.db import transaction

from resolution.models import Case, CaseStatus
from resolution.workflow import ALLOWED, transition


def _move(case_id, to: str, reason: str) -> None:
    with transaction.atomic():
        status = (
            Case.objects.select_for_update(of=("self",))
            .values_list("status", flat=True)
            .get(pk=case_id)
        )
        if to in ALLOWED[status]:
            transition(case_id=case_id, to=to, actor_label="schedules", reason=reason)


def on_plan_completed(sender, *, case_id, **kwargs):
    _move(case_id, CaseStatus.COMPLETED, "The unified schedule is paid in full.")


def on_plan_breached(sender, *, case_id, **kwargs):
    _move(case_id, CaseStatus.BREACHED, "A payment is more than 40 days late.")


def connect() -> None:
    from schedules import signals

    signals.plan_completed.connect(on_plan_completed, dispatch_uid="resolution.plan_completed")
    signals.plan_breached.connect(on_plan_breached, dispatch_uid="resolution.plan_breached")
