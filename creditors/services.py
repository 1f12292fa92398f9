"""State changes of the creditors app that other apps may call."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau_gateway.interfaces import BureauLoan
from creditors.models import (
    Creditor,
    CreditorKind,
    CreditorStaff,
    Loan,
    Ombudsman,
    PayoutDetails,
    PayoutDetailsStatus,
)
from creditors.payout_rules import (
    CheckedDetails,
    PayoutDetailsCode,
    PayoutDetailsRefused,
    check_details,
)
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError, NotFoundError
from finplatform.language import Language
from finplatform.locks import lock_rows

MSG_SAME_PERSON = _("A second person must approve: you proposed these details yourself.")
MSG_PENDING_EXISTS = _("Other new details already await approval: approve or reject them first.")
MSG_NOT_PENDING = _("These details are no longer awaiting approval.")
MSG_LANGUAGE = _("Choose Russian, Kazakh or English.")
MSG_NOT_STAFF = _("Only staff members have a language of their own here.")


def _staff_creditor(user) -> Creditor:
    staff = getattr(user, "creditor_staff", None)
    if staff is None:
        raise ApplicationError(_("Only creditor staff can do this."), code="not_creditor_staff")
    return staff.creditor


def _checked(creditor: Creditor, **details) -> CheckedDetails:
    """The payout rules (`creditors.payout_rules`) as an ApplicationError whose `extra.field`
    names the form field."""
    try:
        return check_details(creditor_name=creditor.name, creditor_bin=creditor.bin, **details)
    except PayoutDetailsRefused as refused:
        raise ApplicationError(
            refused.message, code=refused.code, extra={"field": refused.field}
        ) from None


@transaction.atomic
def propose_payout_details(
    *, user, iban: str, bank_bic: str, beneficiary_name: str, bank_name: str = "",
    beneficiary_bin: str = "",
) -> PayoutDetails:  # fmt: skip
    """Record new payout details for the user's organisation; they stay inactive until a
    different staff member of the same organisation approves them. Refused unless the IBAN is
    a valid KZ IBAN, its bank code and the BIC are one bank as far as the table of Kazakhstan
    banks knows, and the beneficiary is the organisation itself (its name, or its BIN). The
    bank's name is the table's when the table knows the bank."""
    creditor = _staff_creditor(user)
    checked = _checked(
        creditor, iban=iban, bank_bic=bank_bic, bank_name=bank_name,
        beneficiary_name=beneficiary_name, beneficiary_bin=beneficiary_bin,
    )  # fmt: skip
    try:
        with transaction.atomic():
            return PayoutDetails.objects.create(
                creditor=creditor, iban=checked.iban, bank_bic=checked.bank_bic,
                bank_name=checked.bank_name, beneficiary_name=checked.beneficiary_name,
                beneficiary_bin=checked.beneficiary_bin, proposed_by=user,
                proposed_at=business_now(),
            )  # fmt: skip
    except IntegrityError:
        raise ConflictError(MSG_PENDING_EXISTS, code=PayoutDetailsCode.PENDING_EXISTS) from None


def _lock_pending(user, details_id) -> PayoutDetails:
    creditor = _staff_creditor(user)
    # Scoped to the user's organisation: another organisation's id is simply not found.
    details = lock_rows(PayoutDetails.objects.filter(creditor=creditor, pk=details_id)).first()
    if details is None:
        raise PayoutDetails.DoesNotExist
    if details.status != PayoutDetailsStatus.PROPOSED:
        raise ConflictError(MSG_NOT_PENDING, code=PayoutDetailsCode.NOT_PENDING)
    if details.proposed_by_id == user.pk:
        raise ConflictError(MSG_SAME_PERSON, code=PayoutDetailsCode.SAME_PERSON)
    return details


@transaction.atomic
def approve_payout_details(*, user, details_id) -> PayoutDetails:
    """Second approver: the proposed details become active, the old ones are superseded.
    Details that break the payout rules as they stand today (proposed before a rule existed,
    or the organisation renamed since) cannot be approved, only rejected."""
    details = _lock_pending(user, details_id)
    _checked(
        details.creditor, iban=details.iban, bank_bic=details.bank_bic,
        bank_name=details.bank_name, beneficiary_name=details.beneficiary_name,
        beneficiary_bin=details.beneficiary_bin,
    )  # fmt: skip
    now = business_now()
    PayoutDetails.objects.filter(
        creditor=details.creditor, status=PayoutDetailsStatus.ACTIVE
    ).update(status=PayoutDetailsStatus.SUPERSEDED)
    details.status = PayoutDetailsStatus.ACTIVE
    details.decided_by = user
    details.decided_at = now
    details.save(update_fields=["status", "decided_by", "decided_at"])
    return details


@transaction.atomic
def reject_payout_details(*, user, details_id, reason: str) -> PayoutDetails:
    details = _lock_pending(user, details_id)
    details.status = PayoutDetailsStatus.REJECTED
    details.decided_by = user
    details.decided_at = business_now()
    details.rejection_reason = reason
    details.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return details


OMBUDSMAN_BY_KIND = {
    CreditorKind.BANK: Ombudsman.BANKING,
    CreditorKind.MFO: Ombudsman.MICROFINANCE,
    CreditorKind.COLLECTOR: Ombudsman.MICROFINANCE,
}


@transaction.atomic
def ensure_creditor(*, bin: str, name: str, kind: str) -> Creditor:
    """The creditor with this BIN; created from the bureau's name and kind when the platform
    does not know it yet. An existing creditor is never renamed by the bureau."""
    creditor, _ = Creditor.objects.get_or_create(
        bin=bin, defaults={"name": name, "kind": kind, "ombudsman": OMBUDSMAN_BY_KIND[kind]}
    )
    return creditor


@transaction.atomic
def mirror_bureau_loan(*, borrower_iin: str, loan: BureauLoan) -> Loan:
    """Create or refresh the platform's copy of one loan the bureau reported (keyed by
    creditor + contract number). Creditors unknown so far are created."""
    creditor = ensure_creditor(
        bin=loan.creditor_bin, name=loan.creditor_name, kind=loan.creditor_kind
    )
    original = None
    if loan.original_creditor_bin:
        original = ensure_creditor(
            bin=loan.original_creditor_bin,
            name=loan.original_creditor_name or loan.original_creditor_bin,
            kind=loan.original_creditor_kind or CreditorKind.BANK,
        )
    mirrored, _ = Loan.objects.update_or_create(
        creditor=creditor,
        contract_number=loan.contract_number,
        defaults={
            "borrower_iin": borrower_iin,
            "original_creditor": original,
            "bureau_reference": loan.bureau_reference,
            "kind": loan.kind,
            "secured": loan.secured,
            "principal_tiyn": loan.principal_tiyn,
            "interest_tiyn": loan.interest_tiyn,
            "penalty_tiyn": loan.penalty_tiyn,
            "total_tiyn": loan.total_tiyn,
            "overdue_days": loan.overdue_days,
            "opened_on": loan.opened_on,
            "closed_on": loan.closed_on,
        },
    )
    return mirrored


@transaction.atomic
def set_staff_language(*, user, language: str) -> CreditorStaff:
    """The signed-in creditor staff member's own language (the interface after sign-in and
    emails to them). Only the caller's own row can change: there is no one else to name."""
    if language not in Language.values:
        raise ApplicationError(MSG_LANGUAGE, code="language_unknown")
    staff = CreditorStaff.objects.select_for_update().filter(user=user).first()
    if staff is None:
        raise NotFoundError(MSG_NOT_STAFF, code="not_creditor_staff")
    staff.preferred_language = language
    staff.save(update_fields=["preferred_language"])
    return staff
