"""The borrower's IBAN for refunds. SPEC §7: changing payout details needs biometrics again, and
a one-time SMS code identifies nobody (issue 19). So an IBAN is set (or changed) only right
after a fresh remote identification of the borrower for this purpose: ЦОИД biometrics with a
liveness challenge or an EDS signature over a fresh challenge (the methods of the phone
change), each plus the mobile operator's confirmation that the account's phone is registered
to the IIN (borrowers/identification.py). The identification is recorded with purpose
`payout_details`; the IBAN is saved in the same transaction and points to it (one-to-one: an
identification sets one IBAN). An identification for another purpose, another borrower, older
than IDENTIFICATION_FRESH or already used does not count. No outside system can say who owns
a Kazakh IBAN: what the platform checks is the checksum and who asked.

A changed IBAN never silently redirects money: an open refund not yet approved (requested or
prepared) moves to the new IBAN and goes back to REQUESTED, so two staff members check it
again; an APPROVED refund is paid to the IBAN the two of them approved (its own copy)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borrowers import identification
from borrowers.models import Borrower, Identification, IdentificationMethod, IdentificationPurpose
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.iban import normalize_iban, validate_kz_iban
from finplatform.locks import lock_row, lock_rows
from schedules.models import RefundDetails, RefundDetailsStatus, RefundPayout, RefundStatus

IDENTIFICATION_FRESH = timedelta(minutes=5)
METHODS = (IdentificationMethod.BIOMETRIC, IdentificationMethod.EDS)
PURPOSE = IdentificationPurpose.PAYOUT_DETAILS
RECHECKED = (RefundStatus.REQUESTED, RefundStatus.PREPARED)

MSG_IDENTIFY = _(
    "To set or change your IBAN for refunds, identify yourself again by biometrics or EDS."
)


def clean_iban(iban: str) -> str:
    """The IBAN in its stored form, or ApplicationError `invalid_iban`."""
    try:
        validate_kz_iban(iban)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code="invalid_iban") from None
    return normalize_iban(iban)


def _usable(ident: Identification | None, borrower) -> bool:
    return (
        ident is not None
        and ident.borrower_id == borrower.pk
        and ident.purpose == PURPOSE
        and ident.identified_at >= business_now() - IDENTIFICATION_FRESH
        and not RefundDetails.objects.filter(identification=ident).exists()
    )


@transaction.atomic
def set_refund_iban(*, borrower, iban: str, identification_id) -> RefundDetails:
    """Make `iban` the borrower's verified refund IBAN on the strength of a fresh, unused
    `payout_details` identification of this borrower (the borrower row is locked: one change
    at a time). The old IBAN is superseded; open refunds are handled as the module says."""
    iban = clean_iban(iban)
    lock_row(Borrower, pk=borrower.pk)
    ident = Identification.objects.filter(pk=identification_id).first()
    if not _usable(ident, borrower):
        raise ApplicationError(MSG_IDENTIFY, code="identification_required")
    now = business_now()
    RefundDetails.objects.filter(borrower=borrower, status=RefundDetailsStatus.VERIFIED).update(
        status=RefundDetailsStatus.SUPERSEDED
    )
    details = RefundDetails.objects.create(
        borrower=borrower, iban=iban, status=RefundDetailsStatus.VERIFIED, identification=ident,
        created_at=now, verified_at=now,
    )  # fmt: skip
    open_refunds = lock_rows(
        RefundPayout.objects.filter(plan__case__borrower=borrower, status__in=RECHECKED)
    )
    for refund in open_refunds:
        refund.details, refund.iban = details, details.iban
        refund.status, refund.prepared_by = RefundStatus.REQUESTED, None
        refund.save(update_fields=["details", "iban", "status", "prepared_by"])
    return details


def identify_and_set_refund_iban(*, borrower, iban: str, method: str, challenge: dict | None,
                                 answer: identification.Answer) -> RefundDetails:  # fmt: skip
    """The cabinet's step: identify (no row locked during the outside calls), then record the
    identification and save the IBAN in one transaction — both or neither."""
    if method not in METHODS or not challenge:
        raise ApplicationError(identification.MSG_START_AGAIN, code="challenge_invalid")
    clean_iban(iban)
    proof = identification.prove(iin=borrower.iin, phone=borrower.phone, method=method,
                                 full_name=borrower.full_name, challenge=challenge,
                                 answer=answer)  # fmt: skip
    with transaction.atomic():
        row = lock_row(Borrower, pk=borrower.pk)
        ident = identification.record(proof, borrower=row, purpose=PURPOSE)
        row.save(update_fields=identification.IDENTIFIED_FIELDS + identification.NAME_FIELDS)
        return set_refund_iban(borrower=row, iban=iban, identification_id=ident.pk)


def verified_refund_iban(borrower) -> RefundDetails | None:
    return RefundDetails.objects.filter(
        borrower=borrower, status=RefundDetailsStatus.VERIFIED
    ).first()
