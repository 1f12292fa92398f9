"""Reads of a plan's later life: claim transfers (seen by the seller, the buyer, the
borrower and the ombudsman) and terminations. Scoped: a creditor sees only the transfers it
sold or bought (another's is not found, Http404)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from creditors.models import Creditor
from resolution.models import Case, CaseLoan, CaseStatus
from schedules.models import ChangeStatus, ClaimTransfer, CreditorShare, PlanTermination, ShareHold

OPEN_CASE = (CaseStatus.ACTIVE, CaseStatus.BREACHED)


def transfers_for_creditor(creditor: Creditor) -> QuerySet[ClaimTransfer]:
    """The claims `creditor` sold or bought, newest first; the document is left out."""
    return (
        ClaimTransfer.objects.filter(Q(from_creditor=creditor) | Q(to_creditor=creditor))
        .select_related("plan__case", "case_loan__loan", "from_creditor", "to_creditor")
        .defer("document")
        .order_by("-recorded_at")
    )


def transfer_for_creditor(creditor: Creditor, transfer_id) -> ClaimTransfer:
    return get_object_or_404(transfers_for_creditor(creditor), pk=transfer_id)


def sellable_case_loans(creditor: Creditor) -> QuerySet[CaseLoan]:
    """The creditor's loans in a plan under way (or breached) that it may record as sold."""
    return (
        CaseLoan.objects.filter(
            creditor=creditor,
            included=True,
            case__status__in=OPEN_CASE,
            case__plan__shares__creditor=creditor,
            case__plan__shares__hold=ShareHold.NONE,
        )  # fmt: skip
        .select_related("case", "loan")
        .distinct()
        .order_by("case__reference", "loan__contract_number")
    )


def approved_transfers_for_case(case: Case) -> QuerySet[ClaimTransfer]:
    """What the borrower is shown: each approved sale of a loan of theirs."""
    return (
        ClaimTransfer.objects.filter(plan__case=case, status=ChangeStatus.APPROVED)
        .select_related("case_loan__loan", "from_creditor", "to_creditor")
        .defer("document")
        .order_by("effective_on", "decided_at")
    )


def termination_of(case: Case) -> PlanTermination | None:
    """The approved termination of the case's plan, if any."""
    return (
        PlanTermination.objects.filter(plan__case=case, status=ChangeStatus.APPROVED)
        .defer("document")
        .first()
    )


def termination_document_for_creditor(creditor: Creditor, case_id) -> PlanTermination:
    """The approved termination of the case's plan, with its document (death certificate,
    court ruling, fraud finding), for a creditor with a share in that plan; a case where
    `creditor` has no share, or no approved termination, is not found (Http404)."""
    share = CreditorShare.objects.filter(plan_id=OuterRef("plan_id"), creditor=creditor)
    terminations = PlanTermination.objects.filter(
        Exists(share), plan__case_id=case_id, status=ChangeStatus.APPROVED
    )
    return get_object_or_404(terminations)
