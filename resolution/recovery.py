"""The stuck-case sweeper: no case stays in a transitional state because a worker died, a
broker was down or a process crashed between COMMIT and the follow-up.

Transitional states and who resumes them:

* SUBMITTED / CHECKING (eligibility): `services.resume_stalled_checks` (its own beat entry);
* AWAITING_CREDITORS without loan lists sent: `confirmation.sweep_confirmation_deadlines`;
* UNDER_REVIEW, approved, package not issued (PDFs not generated): here;
* SIGNED without a plan (activation did not complete): here;
* ACTIVE whose plan is COMPLETED or BREACHED (the after-commit signal was lost): here
  (more often than the daily `sweep_plans`, which also re-sends `plan_completed`);
* DOCUMENTS_ISSUED past the signing deadline: `signing.expire_unsigned_packages`;
* notifications and webhooks: their send tasks go through the outbox (`outbox.services`).

Every action is idempotent: re-enqueued tasks check state under a lock; activation and the
signal receivers do nothing for a case that has moved on.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from finplatform.clock import business_now
from outbox import services as outbox
from resolution.models import Case, CaseStatus, DocumentPackage

logger = logging.getLogger(__name__)

# Well past generate_documents' time limit (300 s): a package still unissued is not being
# worked on any more.
DOCUMENTS_STUCK_AFTER = timedelta(minutes=10)


def resume_document_generation(*, stuck_after: timedelta = DOCUMENTS_STUCK_AFTER) -> list[str]:
    """Re-enqueue document generation for approved cases whose package is not issued."""
    from resolution.tasks_workflow import generate_documents

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
            outbox.enqueue(generate_documents, package_id)
    return ids


def resume_signed_cases() -> list[str]:
    """Finish activation (plan, ACTIVE, creditor notices, bureau reports) of SIGNED cases."""
    from resolution.signing import activate_case
    from resolution.workflow import lock_case

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
    """ACTIVE cases whose plan is completed or breached: enqueue the outcome task again
    (the task moves the case once)."""
    from schedules.models import Plan, PlanStatus

    resent: dict[str, list[str]] = {"completed": [], "breached": []}
    stale = Plan.objects.filter(
        case__status=CaseStatus.ACTIVE, status__in=[PlanStatus.COMPLETED, PlanStatus.BREACHED]
    ).values_list("pk", "case_id", "status")
    for _plan_id, case_id, status in stale:
        completed = status == PlanStatus.COMPLETED
        task = "resolution.plan_completed" if completed else "resolution.plan_breached"
        outbox.enqueue(task, str(case_id))  # no dedup key: a re-send
        resent["completed" if completed else "breached"].append(str(case_id))
    return resent


def resume_stuck_cases() -> dict:
    """The periodic sweep (beat, every 5 minutes). Returns what it resumed, by kind."""
    result = {
        "documents": resume_document_generation(),
        "activated": resume_signed_cases(),
        **resend_plan_outcomes(),
    }
    if any(result.values()):
        logger.warning("stuck cases resumed: %s", {k: len(v) for k, v in result.items()})
    return result
