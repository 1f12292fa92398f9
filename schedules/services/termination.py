"""A plan ended by the ombudsman (death, bankruptcy or fraud): the plan's side.

A TERMINATED plan takes no more money: booking treats a payment naming it like a payment
naming nothing (suspense, for staff to return or attribute), the daily sweep (reminders,
breach) looks only at ACTIVE plans, and since no part is credited to its creditors after
the end, no payout carries anything of it. What was credited before the end stays with the
creditors and is paid out as usual: it was theirs when it came in.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ConflictError
from schedules.models import Plan, PlanStatus
from schedules.services.common import lock_plans

ENDABLE = (PlanStatus.ACTIVE, PlanStatus.BREACHED)
MSG_NOT_ENDABLE = _("Only a plan under way or breached can be terminated.")


def check_terminable(plan: Plan) -> None:
    if plan.status not in ENDABLE:
        raise ConflictError(MSG_NOT_ENDABLE, code="plan_not_open")


@transaction.atomic
def terminate_plan(*, plan_id) -> Plan:
    """Mark the plan TERMINATED under its row lock (the lock booking takes, so no payment is
    split into it after this commits)."""
    plan = lock_plans([plan_id])[plan_id]
    check_terminable(plan)
    plan.status = PlanStatus.TERMINATED
    plan.save(update_fields=["status"])
    return plan
