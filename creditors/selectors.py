"""Reads for creditor staff. Every query here is scoped to one organisation: an id from
another organisation simply is not found (404), so existence never leaks."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from creditors.models import Creditor, Loan, PayoutDetails, PayoutDetailsStatus


def creditor_for_user(user) -> Creditor | None:
    staff = getattr(user, "creditor_staff", None) if user.is_authenticated else None
    return staff.creditor if staff is not None else None


def loans_for_creditor(creditor: Creditor) -> QuerySet[Loan]:
    return Loan.objects.filter(creditor=creditor).order_by("-opened_on", "contract_number")


def loan_for_creditor(creditor: Creditor, loan_id) -> Loan:
    return get_object_or_404(loans_for_creditor(creditor), pk=loan_id)


def loans_for_borrower_iin(iin: str) -> QuerySet[Loan]:
    return Loan.objects.filter(borrower_iin=iin).select_related("creditor")


def active_payout_details(creditor: Creditor):
    return PayoutDetails.objects.filter(
        creditor=creditor, status=PayoutDetailsStatus.ACTIVE
    ).first()


def payout_details_history(creditor: Creditor):
    return PayoutDetails.objects.filter(creditor=creditor).select_related(
        "proposed_by", "decided_by"
    )
