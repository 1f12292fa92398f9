"""The ombudsman ends a plan before it completes: the borrower died, went bankrupt, or the
ombudsman found fraud (SPEC §2, a plan's other ends).

One member of the ombudsman's staff records the termination (ground, reason, document: death
certificate, court ruling or finding); another approves it (maker-checker). Approval, in one
transaction under the case's lock: the plan becomes TERMINATED (no more distribution; money
received afterwards goes to suspense: `schedules.services.termination`), the case moves to
TERMINATED on the audit trail, and the ending is recorded as a breach or a completion is
(`resolution.services.endings.record_ending`): a snapshot of each creditor's figures, a
notice and a `plan.terminated` webhook to every creditor, a notice to the borrower, and one
report per included loan to the credit bureau through the outbox (exactly once each). The
plan's open variations close (`variations.close_variations_at_plan_end`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.locks import lock_row
from resolution import trail
from resolution.models import CaseStatus, EndingKind
from resolution.services.endings import record_ending
from resolution.services.transfers import read_document
from resolution.services.variations import close_variations_at_plan_end
from resolution.workflow import lock_case, transition
from schedules.models import ChangeStatus, Plan, PlanTermination, TerminationReason
from schedules.services.termination import check_terminable, terminate_plan

MSG_NO_PLAN = _("This case has no repayment plan to terminate.")
MSG_REASON = _("Give the ground (death, bankruptcy or fraud) and the reason.")
MSG_PENDING = _("A termination of this plan is already recorded.")
MSG_SAME_PERSON = _("The termination must be approved by someone other than who recorded it.")
MSG_DECIDED = _("This termination was already decided.")


@transaction.atomic
def request_termination(*, case_id, reason: str, details: str, document, user) -> PlanTermination:
    """Record a termination, pending a second person's approval."""
    plan = Plan.objects.filter(case_id=case_id).first()
    if plan is None:
        raise ApplicationError(MSG_NO_PLAN, code="no_plan")
    if reason not in TerminationReason.values or not (details or "").strip():
        raise ApplicationError(MSG_REASON, code="invalid_reason")
    check_terminable(plan)
    doc = read_document(document)
    try:
        with transaction.atomic():
            return PlanTermination.objects.create(
                plan=plan, reason=reason, details=details.strip(), requested_by=user,
                requested_at=business_now(), document=doc.content, document_name=doc.name,
                document_sha256=doc.sha256,
            )  # fmt: skip
    except IntegrityError:
        raise ConflictError(MSG_PENDING, code="termination_pending") from None


def _pending(termination_id, user) -> PlanTermination:
    termination = lock_row(PlanTermination, pk=termination_id)
    if termination.status != ChangeStatus.PENDING:
        raise ConflictError(MSG_DECIDED, code="already_decided")
    if termination.requested_by_id == user.pk:
        raise ConflictError(MSG_SAME_PERSON, code="maker_checker")
    return termination


@transaction.atomic
def approve_termination(*, termination_id, user, note: str = "") -> PlanTermination:
    """Approve a recorded termination; see the module docstring for what follows."""
    case_id = PlanTermination.objects.values_list("plan__case_id", flat=True).get(pk=termination_id)
    case = lock_case(case_id)
    termination = _pending(termination_id, user)
    # before the plan's lock: a variation being signed locks itself, then the plan
    close_variations_at_plan_end(case=case, ending=EndingKind.TERMINATED)
    plan = terminate_plan(plan_id=termination.plan_id)
    termination.status = ChangeStatus.APPROVED
    termination.decided_by, termination.decided_at = user, business_now()
    termination.decision_note, termination.terminated_on = note, business_date()
    termination.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "terminated_on"]
    )
    ground = TerminationReason(termination.reason)
    transition(
        case_id=case.pk, to=CaseStatus.TERMINATED, actor=user,
        reason=f"{ground.label}: {termination.details}", reason_code=trail.TERMINATED,
        reason_args={"ground": ground.value, "details": termination.details},
    )  # fmt: skip
    record_ending(case=case, kind=EndingKind.TERMINATED, plan=plan, ground=ground.value)
    return termination


@transaction.atomic
def reject_termination(*, termination_id, user, note: str) -> PlanTermination:
    termination = _pending(termination_id, user)
    termination.status = ChangeStatus.REJECTED
    termination.decided_by, termination.decided_at = user, business_now()
    termination.decision_note = note
    termination.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return termination
