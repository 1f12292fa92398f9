"""Reads of the workflow, each scoped to one party: another party's id is simply not found
(Http404), so existence never leaks."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from creditors.models import Creditor
from resolution.models import (
    Case,
    CaseDocument,
    CaseLoan,
    CaseStatus,
    ConfirmationStatus,
    CreditorRequest,
    DocumentKind,
    Notification,
)

SIGNED_STATES = (CaseStatus.SIGNED, CaseStatus.ACTIVE, CaseStatus.COMPLETED, CaseStatus.BREACHED)


# --- creditors ---


def cases_for_creditor(
    creditor: Creditor, *, status: str | None = None, needs_action: bool = False
) -> QuerySet[Case]:
    """Cases with at least one loan of `creditor`, newest first. `needs_action`: awaiting
    creditors with at least one of its loans unanswered."""
    mine = CaseLoan.objects.filter(case=OuterRef("pk"), creditor=creditor)
    qs = Case.objects.filter(Exists(mine)).select_related("borrower")
    if status:
        qs = qs.filter(status=status)
    if needs_action:
        pending = mine.filter(included=True, confirmation_status=ConfirmationStatus.PENDING)
        qs = qs.filter(Exists(pending), status=CaseStatus.AWAITING_CREDITORS)
    return qs.order_by("-created_at").prefetch_related(
        Prefetch(
            "creditor_requests",
            queryset=CreditorRequest.objects.filter(creditor=creditor),
            to_attr="my_requests",
        )
    )


def case_for_creditor(creditor: Creditor, case_id) -> Case:
    return get_object_or_404(cases_for_creditor(creditor), pk=case_id)


def case_loans_for_creditor(creditor: Creditor, case: Case | None = None) -> QuerySet[CaseLoan]:
    qs = CaseLoan.objects.filter(creditor=creditor).select_related("loan", "case")
    if case is not None:
        qs = qs.filter(case=case)
    return qs.order_by("loan__contract_number").prefetch_related("confirmations")


def case_loan_for_creditor(creditor: Creditor, case_loan_id) -> CaseLoan:
    return get_object_or_404(case_loans_for_creditor(creditor), pk=case_loan_id)


def request_for_creditor(creditor: Creditor, case: Case) -> CreditorRequest | None:
    return CreditorRequest.objects.filter(creditor=creditor, case=case).first()


def signed_documents_for_creditor(creditor: Creditor, case: Case) -> QuerySet[CaseDocument]:
    """After signing: the protocol, the schedule and this creditor's own agreement."""
    if case.status not in SIGNED_STATES:
        return CaseDocument.objects.none()
    from django.db.models import Q

    return (
        CaseDocument.objects.filter(package__case=case)
        .filter(
            Q(kind__in=[DocumentKind.PROTOCOL, DocumentKind.SCHEDULE])
            | Q(kind=DocumentKind.CREDITOR, creditor=creditor)
        )
        .defer("content")
    )


def signed_document_for_creditor(creditor: Creditor, case_id, document_id) -> CaseDocument:
    case = case_for_creditor(creditor, case_id)
    return get_object_or_404(signed_documents_for_creditor(creditor, case), pk=document_id)


def notices_for_creditor(creditor: Creditor) -> QuerySet[Notification]:
    return Notification.objects.filter(creditor=creditor, channel="dashboard").select_related(
        "case"
    )


# --- borrowers ---


def case_for_borrower(borrower, case_id) -> Case:
    return get_object_or_404(Case.objects.filter(borrower=borrower), pk=case_id)


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
