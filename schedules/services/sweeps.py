"""The daily sweep: which plans are late by now, and which are breached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F

from finplatform.clock import business_date
from outbox import services as outbox
from schedules.models import CollectionResumption, Plan, PlanStatus
from schedules.selectors import plan_state
from schedules.services.common import PLAN_COMPLETED_TASK, lock_plans, plan_breached


@dataclass(frozen=True)
class SweepResult:
    checked: int
    overdue: int
    breached: int
    completion_resent: int


def sweep_plans(*, on: date | None = None) -> SweepResult:
    """The daily sweep ("what is late by now?"), idempotent and safe to run twice.

    Replays each open plan's payments as of `on`. A plan whose oldest unpaid instalment is
    more than 40 calendar days late is breached: each creditor not yet paid in full gains the
    right to resume collection (one `CollectionResumption` each) and
    `resolution.plan_breached` is written to the outbox in the same transaction (once per
    plan). A completed plan whose case has not completed yet gets `resolution.plan_completed`
    again (the task is idempotent).
    """
    on = on or business_date()
    overdue = breached = resent = checked = 0
    for plan_id in Plan.objects.filter(status=PlanStatus.ACTIVE).values_list("pk", flat=True):
        checked += 1
        state_overdue, state_breached = _sweep_one(plan_id=plan_id, on=on)
        overdue += state_overdue
        breached += state_breached
    stale = Plan.objects.filter(status=PlanStatus.COMPLETED).exclude(case__status="completed")
    for plan in stale.only("pk", "case_id"):
        resent += 1
        outbox.enqueue(PLAN_COMPLETED_TASK, str(plan.case_id))  # no dedup key: a re-send
    return SweepResult(checked, overdue, breached, resent)


@transaction.atomic
def _sweep_one(*, plan_id, on: date) -> tuple[int, int]:
    plan = lock_plans([plan_id]).get(plan_id)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        return 0, 0
    state = plan_state(plan, on=on)
    late = int(state.oldest_unpaid_due is not None)
    if not state.is_breached:
        return late, 0
    plan.status = PlanStatus.BREACHED
    plan.breached_on = on
    plan.save(update_fields=["status", "breached_on"])
    for share in plan.shares.filter(received_tiyn__lt=F("debt_tiyn")):
        CollectionResumption.objects.get_or_create(
            plan=plan, creditor_id=share.creditor_id,
            defaults={"oldest_unpaid_due": state.oldest_unpaid_due,
                      "days_late": state.days_late, "granted_on": on},
        )  # fmt: skip
    plan_breached(plan)
    return late, 1
