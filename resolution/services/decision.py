"""Step 6: the ombudsman's review. Decide disputed loans, approve (terms fixed, the document
package generated in a worker), reject with a reason, or hand the case to the other ombudsman.
Admin actions call these and nothing else; what the review page reads is in
`resolution.selectors.ombudsman`."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from creditors.models import Ombudsman
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.locks import lock_row
from finplatform.money import format_tenge
from outbox import services as outbox
from resolution import trail
from resolution.claims import OVER_CAP
from resolution.models import (
    Case,
    CaseDecision,
    CaseLoan,
    CaseStatus,
    ConfirmationAction,
    ConfirmationStatus,
    DebtConfirmation,
    DocumentPackage,
)
from resolution.policy import policy
from resolution.selectors.claims import claims_findings
from resolution.selectors.ombudsman import confirmed_total, provisional_total, undecided_disputes
from resolution.selectors.plans import held_share_for
from resolution.services import fraud
from resolution.services.documents import build_snapshot
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.workflow import lock_case, record_on_trail, transition
from schedules.models import Plan
from schedules.services.holds import decide_held_share
from schedules.table import terms_for

TASK_DOCUMENTS = "resolution.generate_documents"

MSG_NOT_UNDER_REVIEW = _("Only a case under review can be decided.")
MSG_NOT_DISPUTED = _("This loan is not disputed, or was already decided.")
MSG_REASON_REQUIRED = _("Give a reason.")
MSG_AMOUNT_REQUIRED = _("Give the amount to include (more than zero).")
MSG_AMOUNT_ABOVE_BUREAU = _(
    "A disputed loan is included at most at its credit-bureau figure (%(max)s): a dispute "
    "cannot raise the borrower's debt."
)
MSG_NOTHING_INCLUDED = _("No loan is left in the procedure.")
MSG_DECIDE_AFTER_SIGNING = _(
    "The case was approved with this dispute open: decide it once the borrower has signed."
)


@transaction.atomic
def decide_disputed_loan(
    *, case_loan_id, include: bool, amount_tiyn: int | None = None, reason: str = "", user=None
) -> DebtConfirmation:
    """Include a disputed loan with the amount decided (at most its bureau figure), or leave it
    out with a reason.

    Before approval this only records the decision. A loan approved with its dispute open is
    in the signed plan provisionally, its share held (`approve_case`); deciding it then
    releases the held money (`schedules.services.holds.decide_held_share`: include moves it to the
    creditor's payable; leave out, or include at less, lowers the plan and divides it among
    the other creditors) and tells the creditor and the borrower. Either way a
    `DebtConfirmation` row records who decided what."""
    case_id = CaseLoan.objects.values_list("case_id", flat=True).get(pk=case_loan_id)
    case = lock_case(case_id)
    case_loan = lock_row(CaseLoan, pk=case_loan_id)
    approved = hasattr(case, "decision")
    if case.status != CaseStatus.UNDER_REVIEW and not approved:
        raise ConflictError(MSG_NOT_UNDER_REVIEW, code="case_not_under_review")
    if not undecided_disputes(case).filter(pk=case_loan.pk).exists():
        raise ConflictError(MSG_NOT_DISPUTED, code="loan_not_disputed")
    if include and fraud.is_open_flag(case_loan.pk):
        raise ConflictError(fraud.MSG_INCLUDE_FLAGGED, code="loan_flagged_as_fraud")
    if include and (amount_tiyn is None or amount_tiyn <= 0):
        raise ApplicationError(MSG_AMOUNT_REQUIRED, code="amount_required")
    if include and amount_tiyn > case_loan.bureau_total_tiyn:
        raise ApplicationError(
            MSG_AMOUNT_ABOVE_BUREAU % {"max": format_tenge(case_loan.bureau_total_tiyn)},
            code="amount_above_bureau", extra={"max_tiyn": case_loan.bureau_total_tiyn},
        )  # fmt: skip
    if not include and not reason.strip():
        raise ApplicationError(MSG_REASON_REQUIRED, code="reason_required")
    share = held_share_for(case_loan.pk) if approved else None
    if approved and share is None:
        if case.status in (CaseStatus.REJECTED, CaseStatus.REFUSED):
            raise ConflictError(MSG_NOT_UNDER_REVIEW, code="case_not_under_review")
        raise ConflictError(MSG_DECIDE_AFTER_SIGNING, code="decide_after_signing")
    outcome = None
    if share is not None:
        outcome = decide_held_share(share_id=share.pk, decided_tiyn=amount_tiyn if include else 0)
    row = DebtConfirmation.objects.create(
        case_loan=case_loan, creditor_id=case_loan.creditor_id,
        action=ConfirmationAction.INCLUDE if include else ConfirmationAction.EXCLUDE,
        total_tiyn=amount_tiyn if include else None, comment=reason,
        by=user, via="ombudsman", at=business_now(),
    )  # fmt: skip
    # the decision replaces the creditor's answer as the loan's status: "disputed" means
    # undecided everywhere (the creditor API, the CSV export, the review queue)
    if include:
        case_loan.confirmation_status = ConfirmationStatus.INCLUDED
        case_loan.confirmed_total_tiyn = amount_tiyn
    else:
        case_loan.confirmation_status = ConfirmationStatus.EXCLUDED
        case_loan.included = False
        case_loan.exclusion_reason = reason
        fraud.note_ombudsman_exclusion(case_loan=case_loan, reason=reason, user=user)
    case_loan.save(update_fields=["confirmation_status", "confirmed_total_tiyn", "included",
                                  "exclusion_reason"])  # fmt: skip
    if outcome is not None:
        _after_held_decision(case=case, case_loan=case_loan, include=include,
                             amount_tiyn=amount_tiyn, reason=reason, outcome=outcome)  # fmt: skip
    return row


def _after_held_decision(*, case, case_loan, include, amount_tiyn, reason, outcome) -> None:
    total = Plan.objects.values_list("total_tiyn", flat=True).get(case=case)
    case.total_debt_tiyn = total
    case.save(update_fields=["total_debt_tiyn", "updated_at"])
    contract = case_loan.loan.contract_number
    kind = "included" if include else "excluded"
    notify_borrower(
        case=case, template_key=f"dispute_{kind}_borrower", dedup=str(case_loan.pk),
        context={"contract": contract, "amount": format_tenge(amount_tiyn),
                 "total": format_tenge(total)},
    )  # fmt: skip
    notify_creditor(
        creditor=case_loan.creditor, case=case, template_key=f"dispute_{kind}_creditor",
        event="loan.dispute_decided", dedup=str(case_loan.pk),
        context={"contract": contract, "amount": format_tenge(amount_tiyn),
                 "held": format_tenge(outcome.released_tiyn), "reason": reason},
        payload={"contract": contract, "included": include, "amount_tiyn": amount_tiyn,
                 "released_tiyn": outcome.released_tiyn, "plan_total_tiyn": total},
    )  # fmt: skip


@transaction.atomic
def approve_case(*, case_id, user=None, note: str = "") -> CaseDecision:
    """Fix the terms the case is decided under and start generating the document package.

    The case stays UNDER_REVIEW until the worker has rendered every document, then moves to
    DOCUMENTS_ISSUED with the 72-hour signing deadline (`documents.generate_package`).
    A loan still disputed goes into the plan at its bureau figure, its share held (paid into
    a held account, never out) until `decide_disputed_loan` decides it after signing."""
    case = lock_case(case_id)
    if case.status != CaseStatus.UNDER_REVIEW:
        raise ConflictError(MSG_NOT_UNDER_REVIEW, code="case_not_under_review")
    if hasattr(case, "decision"):
        # approved before: if the package is still not issued (a worker failed), render again
        package = DocumentPackage.objects.filter(case=case, issued_at__isnull=True).first()
        if package is not None:
            outbox.enqueue(TASK_DOCUMENTS, str(package.pk))
        return case.decision
    # Loans still disputed go in at their bureau figure, their shares held until decided.
    total = confirmed_total(case) + provisional_total(case)
    if total <= 0:
        raise ConflictError(MSG_NOTHING_INCLUDED, code="nothing_included")
    findings = claims_findings(case)
    blocking = [f for f in findings if f.blocking]
    if blocking:  # the eligibility policy re-read on the confirmed figures (cap, creditors)
        first = blocking[0]
        raise ApplicationError(
            first.text(), code="over_debt_cap" if first.code == OVER_CAP else "too_few_creditors",
            extra={"findings": [f.as_json() for f in blocking]},
        )  # fmt: skip
    terms = terms_for(total_tiyn=total, category=case.category)
    now = business_now()
    decision = CaseDecision.objects.create(
        findings=[f.as_json() for f in findings],
        case=case, decided_by=user if getattr(user, "pk", None) else None, decided_at=now,
        total_tiyn=total, term_months=terms.term_months, monthly_tiyn=terms.monthly_tiyn,
        table_version_id=terms.table_version_id,
        first_due=(now + timedelta(days=policy("FIRST_DUE_DAYS"))).date(), note=note,
    )  # fmt: skip
    case.total_debt_tiyn = total
    case.save(update_fields=["total_debt_tiyn", "updated_at"])
    package = DocumentPackage.objects.create(
        case=case,
        snapshot=build_snapshot(case=case, decision=decision),
        language=_document_language(case),
    )
    outbox.enqueue(TASK_DOCUMENTS, str(package.pk), dedup_key=f"documents:{package.pk}")
    return decision


def _document_language(case: Case) -> str:
    return "kk" if case.borrower.preferred_language == "kk" else "ru"


@transaction.atomic
def reject_case(*, case_id, reason: str, user=None) -> Case:
    if not reason.strip():
        raise ApplicationError(MSG_REASON_REQUIRED, code="reason_required")
    case = transition(case_id=case_id, to=CaseStatus.REJECTED, actor=user, reason=reason)
    notify_borrower(case=case, template_key="case_rejected", context={"reason": reason})
    return case


@transaction.atomic
def reassign_case(*, case_id, ombudsman: str, user=None) -> Case:
    """Hand a case to the other ombudsman (banking ↔ microfinance), with a row on the case's
    audit trail naming who did it and from which queue; a no-op for the same ombudsman."""
    if ombudsman not in Ombudsman.values:
        raise ApplicationError(_("Unknown ombudsman."), code="unknown_ombudsman")
    case = lock_case(case_id)
    if case.status in (CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.COMPLETED):
        raise ConflictError(_("A closed case cannot be reassigned."), code="case_closed")
    if case.ombudsman == ombudsman:
        return case
    previous = case.ombudsman
    case.ombudsman = ombudsman
    case.save(update_fields=["ombudsman", "updated_at"])
    record_on_trail(
        case=case, actor=user,
        reason=f"reassigned: {previous or '-'} -> {ombudsman}",  # data, not interface text
        reason_code=trail.REASSIGNED,
        reason_args={"from": str(previous or "—"), "to": str(ombudsman)},
    )  # fmt: skip
    return case
