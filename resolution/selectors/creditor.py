"""Reads for a creditor (dashboard, CSV exports, REST API), each scoped to one organisation:
another organisation's case, loan or document is simply not found (Http404), so existence
never leaks. The dashboard lists the cases that need its answer first, earliest deadline
first."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from creditors.models import Creditor
from resolution.models import (
    Case,
    CaseDocument,
    CaseLoan,
    CaseStatus,
    ConfirmationStatus,
    CreditorRequest,
    DebtConfirmation,
    DocumentKind,
    EndingDocument,
    Notification,
)
from resolution.selectors.borrower import SIGNED_STATES
from schedules.models import PartAllocation

SOON = timedelta(hours=24)


def answers_with_who() -> Prefetch:
    """A loan's answers with who gave each (a staff member or the organisation's API key)."""
    return Prefetch(
        "confirmations", queryset=DebtConfirmation.objects.select_related("api_key", "by")
    )


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
    qs = CaseLoan.objects.filter(creditor=creditor).select_related("loan", "case", "fraud_flag")
    if case is not None:
        qs = qs.filter(case=case)
    return qs.order_by("loan__contract_number").prefetch_related(answers_with_who())


def case_loan_for_creditor(creditor: Creditor, case_loan_id) -> CaseLoan:
    return get_object_or_404(case_loans_for_creditor(creditor), pk=case_loan_id)


def allocations_for_creditor(creditor: Creditor, case: Case) -> QuerySet[PartAllocation]:
    """What each of this creditor's parts of the case's payments paid, by loan and component
    (held shares included: the loan's money is held, its split is the same)."""
    return (
        PartAllocation.objects.filter(share__creditor=creditor, share__plan__case=case)
        .select_related("transaction", "case_loan__loan")
        .order_by("booked_on", "transaction__created_at", "transaction_id", "pk")
    )


def request_for_creditor(creditor: Creditor, case: Case) -> CreditorRequest | None:
    return CreditorRequest.objects.filter(creditor=creditor, case=case).first()


def signed_documents_for_creditor(creditor: Creditor, case: Case) -> QuerySet[CaseDocument]:
    """After signing: the protocol, the schedule and this creditor's own agreement."""
    if case.status not in SIGNED_STATES:
        return CaseDocument.objects.none()
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


def dashboard_cases(creditor: Creditor, *, status: str | None = None, needs_action: bool = False):
    """The organisation's cases: those awaiting its answer first (earliest deadline first),
    then the rest, newest first. Each case carries `needs_action` and `my_deadline`."""
    pending = CaseLoan.objects.filter(
        case=OuterRef("pk"), creditor=creditor, included=True,
        confirmation_status=ConfirmationStatus.PENDING,
        case__status=CaseStatus.AWAITING_CREDITORS,
    )  # fmt: skip
    deadline = CreditorRequest.objects.filter(case=OuterRef("pk"), creditor=creditor).values(
        "deadline"
    )[:1]
    return (
        cases_for_creditor(creditor, status=status, needs_action=needs_action)
        .annotate(needs_action=Exists(pending), my_deadline=Subquery(deadline))
        .order_by(F("needs_action").desc(), F("my_deadline").asc(nulls_last=True), "-created_at")
    )


def deadline_urgency(deadline: datetime | None, *, now: datetime) -> str:
    """ "overdue" once the deadline passed, "soon" within 24 hours, else ""."""
    if deadline is None:
        return ""
    if deadline <= now:
        return "overdue"
    if deadline - now < SOON:
        return "soon"
    return ""


def pending_case_loans(creditor: Creditor) -> QuerySet[CaseLoan]:
    """The organisation's loans still waiting for its answer, earliest deadline first."""
    deadline = CreditorRequest.objects.filter(case=OuterRef("case_id"), creditor=creditor).values(
        "deadline"
    )[:1]
    return (
        CaseLoan.objects.filter(
            creditor=creditor,
            included=True,
            confirmation_status=ConfirmationStatus.PENDING,
            case__status=CaseStatus.AWAITING_CREDITORS,
        )  # fmt: skip
        .select_related("case", "loan")
        .annotate(deadline=Subquery(deadline))
        .order_by(F("deadline").asc(nulls_last=True), "case__reference", "loan__contract_number")
    )


def case_loans_for_export(creditor: Creditor) -> QuerySet[CaseLoan]:
    """Every loan of the organisation in any case, for the CSV export."""
    deadline = CreditorRequest.objects.filter(case=OuterRef("case_id"), creditor=creditor).values(
        "deadline"
    )[:1]
    return (
        CaseLoan.objects.filter(creditor=creditor)
        .select_related("case", "loan")
        .annotate(deadline=Subquery(deadline))
        .order_by("-case__created_at", "loan__contract_number")
    )


def ending_documents_for_creditor(creditor: Creditor, case: Case) -> QuerySet[EndingDocument]:
    """The creditor's own breach statement of `case` (its own lines only)."""
    return EndingDocument.objects.filter(ending__case=case, creditor=creditor).select_related(
        "ending").defer("content").order_by("ending__at", "language")  # fmt: skip


def ending_document_for_creditor(creditor: Creditor, document_id) -> EndingDocument:
    return get_object_or_404(EndingDocument.objects.filter(creditor=creditor), pk=document_id)
