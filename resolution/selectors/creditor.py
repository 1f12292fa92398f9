"""Reads for the creditor dashboard and its CSV exports, each scoped to one organisation:
the cases that need its answer first, earliest deadline first."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from creditors.models import Creditor
from resolution.models import CaseLoan, CaseStatus, ConfirmationStatus, CreditorRequest
from resolution.workflow_selectors import cases_for_creditor

SOON = timedelta(hours=24)


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
