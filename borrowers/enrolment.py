"""Accounts exist only after identification (SPEC §2.1, §7): registration and password reset
both go through an `Enrolment` that changes no account until the person proves the IIN is
theirs — by EDS, ЦОИД biometrics or the two-factor data + image check, each with the mobile
operator's confirmation that the phone given is registered to the IIN (identification.py).
The identified person then gets the account: a new one, or
the existing one with their password and phone (an unidentified registration someone else
made with this IIN is taken over; a forgotten password is replaced; the sign-in wait ends).
Nothing here tells anyone, before identification, whether an IIN has an account."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borrowers import consents, identification
from borrowers.models import (
    Borrower,
    ConsentMethod,
    ConsentPurpose,
    Enrolment,
    EnrolmentPurpose,
)
from borrowers.services import MSG_CONSENT_REQUIRED
from finplatform import roles
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row, lock_rows
from finplatform.signin import lift_account_wait

ENROLMENT_TTL = timedelta(minutes=30)
# A registration or reset holds an IIN, a phone and a password hash: kept a day past its
# expiry or completion (for support questions), then deleted by the hourly sweep.
ENROLMENT_KEPT_FOR = timedelta(days=1)
MSG_ENROLMENT_EXPIRED = _("This request has expired. Start again.")
MSG_NO_ACCOUNT = _("You are identified, but there is no account with this IIN. Register instead.")


def start_enrolment(
    *, purpose: str, iin: str, phone: str, password: str, full_name: str = "", email: str = "",
    consent: bool = False, language: str = "ru",
) -> Enrolment:  # fmt: skip
    """A registration or reset waiting for identification. The same for every IIN, known
    or not; no account is touched and nothing is sent yet."""
    if purpose == EnrolmentPurpose.REGISTER and not consent:
        raise ApplicationError(MSG_CONSENT_REQUIRED, code="consent_required")
    now = business_now()
    return Enrolment.objects.create(
        purpose=purpose, iin=iin, phone=phone, full_name=full_name, email=email,
        language=language, password_hash=make_password(password),
        consent_at=now if consent else None, created_at=now, expires_at=now + ENROLMENT_TTL,
    )  # fmt: skip


def open_enrolment(enrolment_id) -> Enrolment | None:
    """The enrolment if it can still be completed."""
    return Enrolment.objects.filter(
        pk=enrolment_id, completed_at__isnull=True, expires_at__gt=business_now()
    ).first()


def enrol_identified(*, enrolment: Enrolment, method: str, challenge: dict | None,
                     answer: identification.Answer) -> Borrower:  # fmt: skip
    """Identify the person (one of the three methods plus the operator check of the phone
    given, borrowers/identification.py); on success the account is settled. The two-factor
    data check uses the name given at registration, or the account's name on a reset."""
    full_name = enrolment.full_name
    if enrolment.purpose == EnrolmentPurpose.RESET:
        full_name = (
            Borrower.objects.filter(iin=enrolment.iin).values_list("full_name", flat=True).first()
            or ""
        )
    proof = identification.prove(
        iin=enrolment.iin,
        phone=enrolment.phone,
        method=method,
        full_name=full_name,
        challenge=challenge,
        answer=answer,
    )
    return _settle(enrolment, proof)


@transaction.atomic
def _settle(enrolment: Enrolment, proof: identification.Proof) -> Borrower:
    """The identified person gets the account: created, or the existing one taken over with
    the new password and phone (its other sessions end: the password hash changed)."""
    row = lock_row(Enrolment, pk=enrolment.pk)
    now = business_now()
    if row.completed_at is not None or row.expires_at <= now:
        raise ApplicationError(MSG_ENROLMENT_EXPIRED, code="enrolment_expired")
    row.completed_at = now
    row.save(update_fields=["completed_at"])
    borrower = lock_rows(Borrower.objects.filter(iin=row.iin)).select_related("user").first()
    if borrower is None and row.purpose == EnrolmentPurpose.RESET:
        raise ApplicationError(MSG_NO_ACCOUNT, code="no_account")
    if borrower is None:
        user = get_user_model()(username=row.iin, first_name=row.full_name[:150],
                                email=row.email, password=row.password_hash)  # fmt: skip
        user.save()
        user.groups.add(Group.objects.get_or_create(name=roles.BORROWER)[0])
        borrower = Borrower(
            user=user, iin=row.iin, full_name=row.full_name, email=row.email,
            preferred_language=row.language, data_consent_at=row.consent_at,
        )  # fmt: skip
    else:
        borrower.user.password = row.password_hash
        if row.purpose == EnrolmentPurpose.REGISTER:
            borrower.user.first_name, borrower.user.email = row.full_name[:150], row.email
            borrower.full_name, borrower.email = row.full_name, row.email
            borrower.data_consent_at = row.consent_at
        borrower.user.save()
    borrower.phone = row.phone
    if borrower._state.adding:
        borrower.save()  # the identification row needs the borrower's key
    identification.record(proof, borrower=borrower, purpose=row.purpose)
    if row.purpose == EnrolmentPurpose.REGISTER and row.consent_at is not None:
        consents.accept_consent(borrower=borrower, purpose=ConsentPurpose.PROCESSING,
                                method=ConsentMethod.REGISTRATION, at=row.consent_at)  # fmt: skip
    borrower.save()
    lift_account_wait(row.iin)
    return borrower


def forget_finished_enrolments() -> int:
    """Deletes registrations and resets finished or expired more than ENROLMENT_KEPT_FOR ago;
    the account, if one was made, keeps what it needs. Returns how many were deleted."""
    cutoff = business_now() - ENROLMENT_KEPT_FOR
    finished = Enrolment.objects.filter(expires_at__lt=cutoff) | Enrolment.objects.filter(
        completed_at__lt=cutoff
    )
    deleted, _by_model = finished.delete()
    return deleted
