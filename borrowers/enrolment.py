"""Accounts exist only after identification (SPEC §2.1, §7): registration and password reset
both go through an `Enrolment` that changes no account until the person proves the IIN is
theirs — a one-time code to a phone the mobile operator confirms is registered to the IIN, or
a biometric match with liveness. The identified person then gets the account: a new one, or
the existing one with their password and phone (an unidentified registration someone else
made with this IIN is taken over; a forgotten password is replaced; the sign-in wait ends).
Nothing here tells anyone, before identification, whether an IIN has an account."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower, Enrolment, EnrolmentPurpose, IdentificationMethod
from borrowers.services import (
    MSG_BIOMETRIC_MISMATCH,
    MSG_CODE_EXPIRED,
    MSG_CONSENT_REQUIRED,
    MSG_IDENTITY_UNAVAILABLE,
    MSG_LIVENESS_FAILED,
    MSG_NO_CODE,
    MSG_PHONE_NOT_CONFIRMED,
    MSG_TOO_MANY_ATTEMPTS,
    MSG_TOO_MANY_CODES,
    MSG_WRONG_CODE,
    SMS_TEXT,
    hash_code,
    identity_failure,
)
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import AdapterError
from finplatform import roles
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row, lock_rows
from finplatform.signin import lift_account_wait
from finplatform.throttle import CODES_ISSUED

ENROLMENT_TTL = timedelta(minutes=30)
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


def send_enrolment_code(*, enrolment: Enrolment) -> None:
    """If the mobile operator confirms the phone is registered to the IIN, text a fresh code
    to it (at most 5 codes an hour per IIN, whoever asks)."""
    if CODES_ISSUED.hit(f"enrol:{enrolment.iin}") > CODES_ISSUED.limit:
        raise ApplicationError(MSG_TOO_MANY_CODES, code="too_many_codes")
    try:
        if not get_adapter("identity").phone_belongs_to(iin=enrolment.iin, phone=enrolment.phone):
            raise ApplicationError(MSG_PHONE_NOT_CONFIRMED, code="phone_not_confirmed")
    except AdapterError as exc:
        raise identity_failure(exc) from None
    code = f"{secrets.randbelow(10**6):06d}"
    now = business_now()
    Enrolment.objects.filter(pk=enrolment.pk).update(
        code_hash=hash_code(enrolment.pk, code), attempts=0,
        code_expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )  # fmt: skip
    try:
        get_adapter("sms").send(phone=enrolment.phone, text=str(SMS_TEXT % {"code": code}),
                                dedup_key=f"enrol:{enrolment.pk}:{code}")  # fmt: skip
    except AdapterError:
        raise ApplicationError(MSG_IDENTITY_UNAVAILABLE, code="sms_unavailable") from None


def confirm_enrolment_code(*, enrolment: Enrolment, code: str) -> Borrower:
    """Check the code (5 tries per code); on success the account is settled."""
    problem = None
    with transaction.atomic():
        row = lock_row(Enrolment, pk=enrolment.pk)
        now = business_now()
        if row.completed_at is not None or row.expires_at <= now:
            problem = (MSG_ENROLMENT_EXPIRED, "enrolment_expired")
        elif not row.code_hash:
            problem = (MSG_NO_CODE, "no_code")
        elif row.code_expires_at <= now:
            problem = (MSG_CODE_EXPIRED, "code_expired")
        elif row.attempts >= settings.OTP_MAX_ATTEMPTS:
            problem = (MSG_TOO_MANY_ATTEMPTS, "too_many_attempts")
        elif not hmac.compare_digest(row.code_hash, hash_code(row.pk, code.strip())):
            row.attempts += 1
            row.save(update_fields=["attempts"])  # kept: the error is raised after commit
            problem = (MSG_WRONG_CODE, "wrong_code")
    if problem is not None:
        raise ApplicationError(problem[0], code=problem[1])
    return _settle(enrolment, IdentificationMethod.SMS_OPERATOR)


def enrol_by_biometrics(*, enrolment: Enrolment, selfie_token: str) -> Borrower:
    """Biometric match against the state record (ЦОИД) with liveness; on success the account
    is settled."""
    try:
        result = get_adapter("identity").verify_biometrics(
            iin=enrolment.iin, selfie_token=selfie_token
        )
    except AdapterError as exc:
        raise identity_failure(exc) from None
    if result.liveness is False:
        raise ApplicationError(MSG_LIVENESS_FAILED, code="liveness_failed")
    if not result.verified:
        raise ApplicationError(MSG_BIOMETRIC_MISMATCH, code="biometric_mismatch")
    return _settle(enrolment, IdentificationMethod.BIOMETRIC)


@transaction.atomic
def _settle(enrolment: Enrolment, method: str) -> Borrower:
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
    borrower.identified_at, borrower.identification_method = now, method
    borrower.save()
    lift_account_wait(row.iin)
    return borrower
