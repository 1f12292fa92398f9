"""Identification of an account and the phone change (SPEC §2.1, §7; the methods and the
operator check: borrowers/identification.py), the legal name from the state register, and
the verified social status. No HTTP call happens while a row is locked. Registration and
password reset: borrowers/enrolment.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from borrowers import identification
from borrowers.models import (
    Borrower,
    HelpRequest,
    IdentificationMethod,
    IdentificationPurpose,
    SocialStatus,
)
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import SocialStatusAnswer, SubjectUnknown
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row, lock_rows

MSG_CONSENT_REQUIRED = _("We need your consent to collect and process your data.")
MSG_ALREADY_IDENTIFIED = _("You are already identified.")
MSG_SAME_PHONE = _("This is already your phone number.")


def identify_borrower(*, borrower: Borrower, method: str, challenge: dict | None,
                      answer: identification.Answer) -> Borrower:  # fmt: skip
    """Identify an account that is not identified yet (borrowers/identification.py); the
    account takes the legal name the identification returned."""
    proof = identification.prove(iin=borrower.iin, phone=borrower.phone, method=method,
                                 full_name=borrower.full_name, challenge=challenge,
                                 answer=answer)  # fmt: skip
    with transaction.atomic():
        row = lock_row(Borrower, pk=borrower.pk)
        if row.is_identified:
            raise ApplicationError(MSG_ALREADY_IDENTIFIED, code="already_identified")
        identification.record(proof, borrower=row, purpose=IdentificationPurpose.IDENTIFY)
        row.save(update_fields=identification.IDENTIFIED_FIELDS + identification.NAME_FIELDS)
        return row


def change_phone(*, borrower: Borrower, new_phone: str, method: str, challenge: dict | None,
                 answer: identification.Answer) -> Borrower:  # fmt: skip
    """SPEC §7: a new phone needs a fresh EDS or biometric identification of this IIN and the
    operator's confirmation that the NEW phone is registered to it. The IIN never changes;
    the legal name is refreshed from the identification."""
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
        row.save(update_fields=["phone", *identification.IDENTIFIED_FIELDS,
                                *identification.NAME_FIELDS])  # fmt: skip
        return row


def refresh_legal_name(*, borrower: Borrower) -> Borrower:
    """Take the borrower's legal name from the state register (ГБД ФЛ) by IIN — for an
    account identified before identification set the name (`full_name_verified_at` empty);
    the eligibility check calls it before any document is made. The register is asked with
    no row locked; a register that has no such person leaves the name as it is (the
    identification services, which know the person, are asked again at the next
    identification). Raises the adapter's ServiceUnavailable or MalformedResponse."""
    try:
        record = get_adapter("government").person(borrower.iin)
    except SubjectUnknown:
        return borrower
    with transaction.atomic():
        row = lock_row(Borrower, pk=borrower.pk)
        row.full_name, row.full_name_verified_at = record.full_name, business_now()
        row.save(update_fields=identification.NAME_FIELDS)
    borrower.full_name, borrower.full_name_verified_at = row.full_name, row.full_name_verified_at
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


MSG_HELP_REQUESTED = _(
    "Your request is recorded. Staff will call you within one working day (weekdays 9:00–18:00)."
)
MSG_VISIT_REQUESTED = _(
    "Your request is recorded. Staff will call you within one working day to agree a time for "
    "a visit; bring your identity card."
)


def request_help(
    *,
    kind: str,
    iin: str,
    phone: str,
    full_name: str = "",
    reason: str = "",
    language: str = "ru",
    borrower: Borrower | None = None,
) -> HelpRequest:
    """The fallback when identification fails: a call-back or a visit, for staff to arrange.
    Idempotent: an open request of the same kind for the IIN is returned as it is."""
    with transaction.atomic():
        existing = lock_rows(
            HelpRequest.objects.filter(iin=iin, kind=kind, handled_at__isnull=True)
        ).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return HelpRequest.objects.create(
                    kind=kind, iin=iin, phone=phone, full_name=full_name, reason=reason[:40],
                    language=language, borrower=borrower,
                )  # fmt: skip
        except IntegrityError:  # a concurrent request won the race
            return HelpRequest.objects.get(iin=iin, kind=kind, handled_at__isnull=True)


def mark_help_handled(requests, *, user) -> int:
    """Staff called back or met the person: the requests leave the waiting list."""
    return requests.filter(handled_at__isnull=True).update(
        handled_at=business_now(), handled_by=user
    )
