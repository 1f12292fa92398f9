"""State changes for creditor organisations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from creditors.models import Creditor, PayoutDetails, PayoutDetailsStatus
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.iban import normalize_iban, validate_kz_iban

MSG_SAME_PERSON = _("A second person must approve: you proposed these details yourself.")
MSG_PENDING_EXISTS = _("Other new details already await approval: approve or reject them first.")
MSG_NOT_PENDING = _("These details are no longer awaiting approval.")
MSG_BIC = _("A BIC has 8 or 11 letters and digits.")


def _staff_creditor(user) -> Creditor:
    staff = getattr(user, "creditor_staff", None)
    if staff is None:
        raise ApplicationError(_("Only creditor staff can do this."), code="not_creditor_staff")
    return staff.creditor


@transaction.atomic
def propose_payout_details(
    *, user, iban: str, bank_bic: str, bank_name: str, beneficiary_name: str
) -> PayoutDetails:
    """Record new payout details for the user's organisation; they stay inactive until a
    different staff member of the same organisation approves them."""
    creditor = _staff_creditor(user)
    try:
        validate_kz_iban(iban)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code="invalid_iban") from None
    bic = bank_bic.strip().upper()
    if len(bic) not in (8, 11) or not bic.isalnum() or not bic.isascii():
        raise ApplicationError(MSG_BIC, code="invalid_bic")
    try:
        with transaction.atomic():
            return PayoutDetails.objects.create(
                creditor=creditor, iban=normalize_iban(iban), bank_bic=bic,
                bank_name=bank_name.strip(), beneficiary_name=beneficiary_name.strip(),
                proposed_by=user, proposed_at=business_now(),
            )  # fmt: skip
    except IntegrityError:
        raise ConflictError(MSG_PENDING_EXISTS, code="payout_details_pending") from None


def _lock_pending(user, details_id) -> PayoutDetails:
    creditor = _staff_creditor(user)
    # Scoped to the user's organisation: another organisation's id is simply not found.
    details = (
        PayoutDetails.objects.select_for_update(of=("self",))
        .filter(creditor=creditor, pk=details_id)
        .first()
    )
    if details is None:
        raise PayoutDetails.DoesNotExist
    if details.status != PayoutDetailsStatus.PROPOSED:
        raise ConflictError(MSG_NOT_PENDING, code="payout_details_not_pending")
    if details.proposed_by_id == user.pk:
        raise ConflictError(MSG_SAME_PERSON, code="maker_checker")
    return details


@transaction.atomic
def approve_payout_details(*, user, details_id) -> PayoutDetails:
    """Second approver: the proposed details become active, the old ones are superseded."""
    details = _lock_pending(user, details_id)
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
