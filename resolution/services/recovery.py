"""The stuck-case sweeper: no case stays in a transitional state because a worker died, a
broker was down or a process crashed between COMMIT and the follow-up.

Transitional states and who resumes them:

* SUBMITTED / CHECKING (eligibility): `services.eligibility.resume_stalled_checks` (its own
  beat entry);
* AWAITING_CREDITORS without loan lists sent: `services.confirmation.sweep_confirmation_deadlines`;
* UNDER_REVIEW, approved, package not issued (PDFs not generated): here;
* SIGNED without a plan (activation did not complete): here;
* ACTIVE whose plan is COMPLETED or BREACHED (the plan's outcome never reached the case):
  here, by writing `resolution.plan_completed` / `resolution.plan_breached` to the outbox
  again;
* DOCUMENTS_ISSUED past the signing deadline: `services.signing.expire_unsigned_packages`;
* notifications and webhooks: their send tasks go through the outbox (`outbox.services`).

Every action is idempotent: re-enqueued tasks check state under a lock; activation and the
plan-outcome tasks do nothing for a case that has moved on.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from finplatform.clock import business_now
from outbox import services as outbox
from resolution.models import Case, CaseStatus, DocumentPackage
from resolution.services.signing import activate_case
from resolution.workflow import lock_case
from schedules.models import Plan, PlanStatus

logger = logging.getLogger(__name__)

TASK_DOCUMENTS = "resolution.generate_documents"
TASK_PLAN_OUTCOME = {
    PlanStatus.COMPLETED: "resolution.plan_completed",
    PlanStatus.BREACHED: "resolution.plan_breached",
}

# A package unissued this long is re-enqueued (settings.DOCUMENTS_STUCK_AFTER_SECONDS). Safe
# while a live worker still renders it: the renderer's advisory lock makes the second run a
# no-op (services.documents.generate_package). At worker start-up nothing waits at all.
DOCUMENTS_STUCK_AFTER = timedelta(seconds=settings.DOCUMENTS_STUCK_AFTER_SECONDS)


def resume_document_generation(*, stuck_after: timedelta = DOCUMENTS_STUCK_AFTER) -> list[str]:
    """Re-enqueue document generation for approved cases whose package is not issued."""
    cutoff = business_now() - stuck_after
    ids = [
        str(pk)
        for pk in DocumentPackage.objects.filter(
            issued_at__isnull=True, created_at__lte=cutoff, case__status=CaseStatus.UNDER_REVIEW
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    ]
    for package_id in ids:
        with transaction.atomic():
            outbox.enqueue(TASK_DOCUMENTS, package_id)
    return ids


def resume_signed_cases() -> list[str]:
    """Finish activation (plan, ACTIVE, creditor notices, bureau reports) of SIGNED cases."""
    done = []
    for case_id in Case.objects.filter(status=CaseStatus.SIGNED).values_list("pk", flat=True):
        with transaction.atomic():
            case = lock_case(case_id)
            if case.status != CaseStatus.SIGNED:
                continue
            activate_case(case=case, package=case.package, now=business_now())
            done.append(str(case_id))
    return done


def resend_plan_outcomes() -> dict[str, list[str]]:
    """ACTIVE cases whose plan is completed or breached: write the plan-outcome task to the
    outbox again (`resolution.plan_completed` / `resolution.plan_breached`, which move the
    case once; a second run before the worker got to it is harmless)."""
    resent: dict[str, list[str]] = {"completed": [], "breached": []}
    stale = Plan.objects.filter(
        case__status=CaseStatus.ACTIVE, status__in=[PlanStatus.COMPLETED, PlanStatus.BREACHED]
    ).values_list("case_id", "status")
    for case_id, status in stale:
        with transaction.atomic():
            outbox.enqueue(TASK_PLAN_OUTCOME[status], str(case_id))
        resent["completed" if status == PlanStatus.COMPLETED else "breached"].append(str(case_id))
    return resent


def resume_stuck_cases(*, startup: bool = False) -> dict:
    """The periodic sweep (beat, every 2 minutes), and once when a worker starts
    (`startup`: a worker killed outright left its message unacknowledged until the broker's
    visibility timeout, hours away, so every unissued package is resumed now). Returns what
    it resumed, by kind."""
    result = {
        "documents": resume_document_generation(
            stuck_after=timedelta(0) if startup else DOCUMENTS_STUCK_AFTER
        ),
        "activated": resume_signed_cases(),
        **resend_plan_outcomes(),
    }
    if any(result.values()):
        logger.warning("stuck cases resumed: %s", {k: len(v) for k, v in result.items()})
    return result
