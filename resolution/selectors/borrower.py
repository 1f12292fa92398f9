"""Reads for the borrower, each scoped to the caller's own borrower: another borrower's case
reference, case id or document is simply not found (404), so existence never leaks. Also the
application's own reads (the eligibility policy, repeat participation)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from resolution.models import (
    CLOSED_BEFORE_SIGNING,
    Case,
    CaseDocument,
    CaseLoan,
    CaseStatus,
    EligibilityPolicy,
    EndingDocument,
    FraudFlag,
    RuleOutcome,
)

# While a loan may be flagged as "not mine" (before the ombudsman approves the case).
FLAGGABLE_STATUSES = (CaseStatus.AWAITING_CREDITORS, CaseStatus.UNDER_REVIEW)
# While the case waits for its eligibility check.
CHECK_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.CHECKING)
SIGNED_STATES = (
    CaseStatus.SIGNED, CaseStatus.ACTIVE, CaseStatus.COMPLETED, CaseStatus.BREACHED,
    CaseStatus.TERMINATED,
)  # fmt: skip


def cases_for_borrower(borrower) -> QuerySet[Case]:
    return Case.objects.filter(borrower=borrower).order_by("-created_at")


def case_for_borrower_by_reference(borrower, reference: str) -> Case:
    """The case with its eligibility check, both from one statement (see `still_checking`)."""
    return get_object_or_404(
        cases_for_borrower(borrower).select_related("eligibility_check"), reference=reference
    )


def case_for_borrower(borrower, case_id) -> Case:
    return get_object_or_404(Case.objects.filter(borrower=borrower), pk=case_id)


def open_case_for_borrower(borrower) -> Case | None:
    return cases_for_borrower(borrower).exclude(status__in=CLOSED_BEFORE_SIGNING).first()


def borrower_has_signed_procedure(borrower, *, exclude_case_id=None) -> bool:
    """Our own record of repeat participation (the bureau's flag is the other source)."""
    qs = Case.objects.filter(borrower=borrower, status__in=SIGNED_STATES)
    if exclude_case_id is not None:
        qs = qs.exclude(pk=exclude_case_id)
    return qs.exists()


def current_policy() -> EligibilityPolicy:
    """The newest eligibility policy; the shipped defaults are saved as version 1 when none
    exists yet."""
    policy = EligibilityPolicy.objects.order_by("-version").first()
    return policy or EligibilityPolicy.objects.create(note="shipped defaults")


def case_loans(case: Case) -> QuerySet[CaseLoan]:
    return case.loans.select_related("creditor", "loan").order_by("-included", "creditor__name")


def still_checking(case: Case) -> bool:
    """Whether the borrower still waits for the eligibility check (the page polls): the case
    is at the check and its check has neither finished nor failed (a failed check waits for a
    retry or a person). Decided from `case` and its check as read together: the result
    commits the outcomes, the check's DONE and the case's next status in one transaction, so
    one read sees all of them or none. A later read (the outcomes) may be newer, so the page
    shows the outcomes only when this is false."""
    check = getattr(case, "eligibility_check", None)
    return case.status in CHECK_STATUSES and (check is None or check.in_progress)


def rule_outcomes(case: Case) -> QuerySet[RuleOutcome]:
    return RuleOutcome.objects.filter(eligibility_check__case=case).order_by("position")


def documents_for_borrower(borrower, case: Case) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(
        package__case=case, package__case__borrower=borrower, package__issued_at__isnull=False
    ).defer("content")


def document_for_borrower(borrower, document_id) -> CaseDocument:
    return get_object_or_404(
        CaseDocument.objects.filter(
            package__case__borrower=borrower, package__issued_at__isnull=False
        ),
        pk=document_id,
    )


def ending_documents_for_borrower(borrower, case: Case) -> QuerySet[EndingDocument]:
    """The borrower's own breach statement or completion certificate of `case` (the copy
    listing every creditor; creditors' copies are theirs)."""
    return (
        EndingDocument.objects.filter(
            ending__case=case, ending__case__borrower=borrower, creditor__isnull=True
        )
        .select_related("ending")
        .defer("content")
        .order_by("ending__at", "language")
    )


def ending_document_for_borrower(borrower, document_id) -> EndingDocument:
    return get_object_or_404(
        EndingDocument.objects.filter(ending__case__borrower=borrower, creditor__isnull=True),
        pk=document_id,
    )


def fraud_flags(case: Case) -> dict:
    """{case loan id: FraudFlag} of the case's loans flagged as "not mine"."""
    return {f.case_loan_id: f for f in FraudFlag.objects.filter(case_loan__case=case)}


def can_flag_fraud(case: Case) -> bool:
    """Whether the borrower may still flag a loan (as `services.fraud.flag_loan_as_fraud`)."""
    return case.status in FLAGGABLE_STATUSES and not hasattr(case, "decision")
