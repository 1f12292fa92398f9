"""Identification of an account and the phone change (SPEC §2.1, §7; the methods and the
operator check: borrowers/identification.py) and the verified social status. No HTTP call
happens while a row is locked. Registration and password reset: borrowers/enrolment.py."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borrowers import identification
from borrowers.models import Borrower, IdentificationMethod, IdentificationPurpose, SocialStatus
from bureau_gateway.interfaces import SocialStatusAnswer
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row

MSG_CONSENT_REQUIRED = _("We need your consent to collect and process your data.")
MSG_ALREADY_IDENTIFIED = _("You are already identified.")
MSG_SAME_PHONE = _("This is already your phone number.")


def identify_borrower(*, borrower: Borrower, method: str, challenge: dict | None,
                      answer: identification.Answer) -> Borrower:  # fmt: skip
    """Identify an account that is not identified yet (borrowers/identification.py)."""
    proof = identification.prove(iin=borrower.iin, phone=borrower.phone, method=method,
                                 full_name=borrower.full_name, challenge=challenge,
                                 answer=answer)  # fmt: skip
    with transaction.atomic():
        row = lock_row(Borrower, pk=borrower.pk)
        if row.is_identified:
            raise ApplicationError(MSG_ALREADY_IDENTIFIED, code="already_identified")
        identification.record(proof, borrower=row, purpose=IdentificationPurpose.IDENTIFY)
        row.save(update_fields=["identified_at", "identification_method"])
        return row


def change_phone(*, borrower: Borrower, new_phone: str, method: str, challenge: dict | None,
                 answer: identification.Answer) -> Borrower:  # fmt: skip
    """SPEC §7: a new phone needs a fresh EDS or biometric identification of this IIN and the
    operator's confirmation that the NEW phone is registered to it. The IIN never changes."""
    if method not in (IdentificationMethod.EDS, IdentificationMethod.BIOMETRIC):
        raise ApplicationError(identification.MSG_START_AGAIN, code="method_not_allowed")
    if new_phone == borrower.phone:
        raise ApplicationError(MSG_SAME_PHONE, code="same_phone")
    proof = identification.prove(iin=borrower.iin, phone=new_phone, method=method,
                                 full_name=borrower.full_name, challenge=challenge,
                                 answer=answer)  # fmt: skip
    with transaction.atomic():
        row = lock_row(Borrower, pk=borrower.pk)
        identification.record(proof, borrower=row, purpose=IdentificationPurpose.PHONE_CHANGE)
        row.phone = new_phone
        row.save(update_fields=["phone", "identified_at", "identification_method"])
        return row


@transaction.atomic
def record_social_status(*, borrower: Borrower, answer: SocialStatusAnswer | None) -> Borrower:
    """Store the social status as the government-data source confirmed it (never as
    declared). No answer (unknown to the source) means general terms."""
    if answer is not None and answer.receives_asp:
        status = SocialStatus.ASP
    elif answer is not None and answer.vulnerable:
        status = SocialStatus.VULNERABLE
    else:
        status = SocialStatus.NONE
    borrower.social_status = status
    borrower.social_status_source = answer.source if answer is not None else ""
    borrower.social_status_verified_at = answer.checked_at if answer is not None else None
    borrower.save(
        update_fields=["social_status", "social_status_source", "social_status_verified_at"]
    )
    return borrower
