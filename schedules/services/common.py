"""What several services share: the plan lock, the amount message, and the two messages a
plan sends up to the case workflow through the outbox (by task name: schedules never
imports the workflow)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from finplatform import locks
from outbox import services as outbox
from schedules.models import Plan

MSG_AMOUNT = _("The amount must be a positive number of tiyn.")

PLAN_COMPLETED_TASK = "resolution.plan_completed"
PLAN_BREACHED_TASK = "resolution.plan_breached"


def lock_plans(plan_ids) -> dict:
    """plan id -> plan, locked FOR UPDATE in primary-key order (no deadlocks)."""
    plans = locks.lock_rows(
        Plan.objects.filter(pk__in=plan_ids).only(
            "pk", "case_id", "total_tiyn", "paid_tiyn", "status", "completed_on"
        )
    )
    return {plan.pk: plan for plan in plans}


def plan_completed(plan) -> None:
    """Tell the workflow, in the current transaction, that `plan` is paid in full (once)."""
    outbox.enqueue(PLAN_COMPLETED_TASK, str(plan.case_id), dedup_key=f"plan-completed:{plan.pk}")


def plan_breached(plan) -> None:
    """Tell the workflow, in the current transaction, that `plan` is breached (once)."""
    outbox.enqueue(PLAN_BREACHED_TASK, str(plan.case_id), dedup_key=f"plan-breached:{plan.pk}")
