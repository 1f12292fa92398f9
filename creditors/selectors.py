"""Reads for creditor staff. Every query here is scoped to one organisation: an id from
another organisation simply is not found (404), so existence never leaks."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from creditors.models import Creditor, Loan, PayoutDetails, PayoutDetailsStatus
from creditors.payout_rules import PayoutDetailsRefused, check_details
from finplatform.iban import format_iban


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


@dataclass(frozen=True, slots=True)
class ReviewRow:
    label: str
    current: str
    proposed: str
    changed: bool
    is_code: bool = False


@dataclass(frozen=True, slots=True)
class PayoutReview:
    """What the approving colleague sees: the proposal beside the details in force, field by
    field, the warnings to read first, and the rule it breaks today if it breaks one (then it
    can only be rejected)."""

    details: PayoutDetails
    active: PayoutDetails | None
    rows: list[ReviewRow]
    warnings: tuple[str, ...]
    refusal: str | None


def pending_payout_review(creditor: Creditor) -> PayoutReview | None:
    details = (
        PayoutDetails.objects.filter(creditor=creditor, status=PayoutDetailsStatus.PROPOSED)
        .select_related("proposed_by")
        .first()
    )
    if details is None:
        return None
    active = active_payout_details(creditor)
    fields = [
        (_("IBAN"), lambda d: format_iban(d.iban), True),
        (_("BIC"), lambda d: d.bank_bic, True),
        (_("Bank"), lambda d: d.bank_name, False),
        (_("Beneficiary"), lambda d: d.beneficiary_name, False),
        (_("Beneficiary's BIN"), lambda d: d.beneficiary_bin, True),
    ]
    rows = []
    for label, read, is_code in fields:
        current, proposed = (read(active) if active else ""), read(details)
        rows.append(ReviewRow(label, current, proposed, current != proposed, is_code))
    try:
        checked = check_details(
            creditor_name=creditor.name, creditor_bin=creditor.bin, iban=details.iban,
            bank_bic=details.bank_bic, bank_name=details.bank_name,
            beneficiary_name=details.beneficiary_name, beneficiary_bin=details.beneficiary_bin,
        )  # fmt: skip
    except PayoutDetailsRefused as refused:
        return PayoutReview(details, active, rows, (), str(refused.message))
    return PayoutReview(details, active, rows, checked.warnings, None)
