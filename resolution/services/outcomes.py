"""What the end of a plan means for its case: paid in full → COMPLETED, more than 40 days
late → BREACHED.

The schedules app does not import the workflow: it writes the tasks `resolution.plan_completed`
and `resolution.plan_breached` (one arg, the case id) to the outbox, and the stuck-case sweep
(`resolution.services.recovery`) writes them again for an ACTIVE case whose plan is over.
Both moves are idempotent: a case already moved, or not allowed to move, is left as it is.
The move records the ending and sets off what it means (notices, webhooks, bureau reports,
the breach statement or completion certificate: `resolution.services.endings`), once, and
closes the plan's open variations (`resolution.services.variations`).
"""

from __future__ import annotations

from django.db import transaction

from resolution import trail
from resolution.models import CaseStatus
from resolution.services.endings import record_ending
from resolution.services.variations import close_variations_at_plan_end
from resolution.workflow import ALLOWED, lock_case, transition
from schedules.models import Plan

ACTOR = "schedules"


def plan_completed(*, case_id) -> bool:
    """The unified schedule is paid in full: ACTIVE or BREACHED → COMPLETED."""
    return _move(case_id, CaseStatus.COMPLETED, "The unified schedule is paid in full.",
                 trail.COMPLETED)  # fmt: skip


def plan_breached(*, case_id) -> bool:
    """A payment is more than 40 days late: ACTIVE → BREACHED."""
    return _move(case_id, CaseStatus.BREACHED, "A payment is more than 40 days late.",
                 trail.BREACHED)  # fmt: skip


@transaction.atomic
def _move(case_id, to: str, reason: str, reason_code: str) -> bool:
    """Move the case to `to` when its state allows it now; True when it moved."""
    case = lock_case(case_id)
    if to not in ALLOWED[case.status]:
        if case.status == to:  # moved before: its ending is recorded (a no-op when it is)
            _ended(case, to)
        return False
    case = transition(case_id=case.pk, to=to, actor_label=ACTOR, reason=reason,
                      reason_code=reason_code)  # fmt: skip
    _ended(case, to)
    return True


def _ended(case, kind: str) -> None:
    """What the end sets off, each part idempotent: the ending and its follow-ups, and the
    variations still open on the plan closed (they can no longer change anything)."""
    record_ending(case=case, kind=kind, plan=Plan.objects.filter(case=case).first())
    close_variations_at_plan_end(case=case, ending=kind)
