"""Signal wiring of the resolution app (ResolutionConfig.ready).

- schedules' plan_completed / plan_breached move the case (idempotent: a signal sent twice,
  or for a case already moved, changes nothing);
- the eligibility check's case_ready_for_creditors sends the loan lists to the creditors (a
  worker job, after commit); the confirmation sweep does the same for any case it missed.
"""

from django.db import transaction

from outbox import services as outbox
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


def on_case_ready_for_creditors(sender=None, case_id=None, **kwargs) -> None:
    from resolution.tasks_workflow import send_loan_lists

    outbox.enqueue(send_loan_lists, str(case_id), dedup_key=f"loan-lists:{case_id}")


def connect() -> None:
    from resolution.signals import case_ready_for_creditors

    case_ready_for_creditors.connect(on_case_ready_for_creditors, dispatch_uid="workflow-lists")
