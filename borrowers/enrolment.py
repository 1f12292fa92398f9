"""Accounts exist only after identification (SPEC §2.1, §7): registration and password reset
both go through an `Enrolment` that changes no account until the person proves the IIN is
theirs — by EDS, ЦОИД biometrics or the two-factor data + image check, each with the mobile
operator's confirmation that the phone given is registered to the IIN (identification.py).
Before that, a code texted to the phone given shows the person holds it (`send_phone_code`,
`confirm_phone`): a step of its own that identifies nobody, so a phone in someone else's pocket
never reaches an account.
The identified person then gets the account: a new one, or
the existing one with their password and phone (an unidentified registration someone else
made with this IIN is taken over; a forgotten password is replaced; the sign-in wait ends).
The account's name is the legal name the identification returned (the identity source's or
the state register's, identification.py), not the name typed on the form: that one is only
checked by the two-factor method and kept in the evidence when it differed.
Nothing here tells anyone, before identification, whether an IIN has an account."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
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
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import AdapterError
from finplatform import onetime_codes, roles
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row, lock_rows
from finplatform.signin import lift_account_wait
from finplatform.throttle import CODES_ISSUED

ENROLMENT_TTL = timedelta(minutes=30)
# A registration or reset holds an IIN, a phone and a password hash: kept a day past its
# expiry or completion (for support questions), then deleted by the hourly sweep.
ENROLMENT_KEPT_FOR = timedelta(days=1)
MSG_ENROLMENT_EXPIRED = _("This request has expired. Start again.")
MSG_NO_ACCOUNT = _("You are identified, but there is no account with this IIN. Register instead.")
MSG_SMS_UNAVAILABLE = _("We could not send the SMS just now. Request the code again in a minute.")
MSG_PHONE_FIRST = _("Confirm your phone with the code from the SMS first.")
SMS_TEXT = _("Finkelisim: your code to confirm this phone is %(code)s. Do not tell it to anyone.")


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


def _code_scope(enrolment_id) -> str:
    return f"enrol:{enrolment_id}"


def send_phone_code(*, enrolment: Enrolment) -> None:
    """Text a fresh 6-digit code to the phone given (earlier codes stop working); only its
    HMAC is kept. At most CODES_ISSUED codes an hour per IIN, whoever asks. The SMS is sent
    outside any lock; a gateway that does not answer is said so, and the person asks again."""
    if CODES_ISSUED.hit(f"enrol:{enrolment.iin}") > CODES_ISSUED.limit:
        raise ApplicationError(onetime_codes.MSG_TOO_MANY_CODES, code="too_many_codes")
    code = onetime_codes.new_code()
    now = business_now()
    Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
        code_hash=onetime_codes.hash_code(_code_scope(enrolment.pk), code), attempts=0,
        code_expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )  # fmt: skip
    text = str(SMS_TEXT) % {"code": code}
    try:
        get_adapter("sms").send(phone=enrolment.phone, text=text,
                                dedup_key=f"enrol:{enrolment.pk}:{now.isoformat()}")  # fmt: skip
    except AdapterError:
        raise ApplicationError(MSG_SMS_UNAVAILABLE, code="sms_unavailable") from None


def confirm_phone(*, enrolment: Enrolment, code: str) -> None:
    """Check the code under a lock (OTP_MAX_ATTEMPTS tries per code, a wrong try is counted
    even though the check fails); a right one marks the phone confirmed."""
    problem = None
    with transaction.atomic():
        row = lock_row(Enrolment, pk=enrolment.pk)
        now = business_now()
        if row.completed_at is not None or row.expires_at <= now:
            problem = (MSG_ENROLMENT_EXPIRED, "enrolment_expired")
        elif error := onetime_codes.check(
            row, code, scope=_code_scope(row.pk), now=now,
            max_attempts=settings.OTP_MAX_ATTEMPTS, expiry_field="code_expires_at",
        ):  # fmt: skip
            # a wrong try stays counted: the error is raised after commit
            problem = (onetime_codes.MESSAGES[error], error)
        else:
            row.phone_confirmed_at, row.code_hash = now, ""  # a code counts once
            row.save(update_fields=["phone_confirmed_at", "code_hash"])
    if problem is not None:
        raise ApplicationError(problem[0], code=problem[1])
    enrolment.phone_confirmed_at = now


def enrol_identified(*, enrolment: Enrolment, method: str, challenge: dict | None,
                     answer: identification.Answer) -> Borrower:  # fmt: skip
    """Identify the person (one of the three methods plus the operator check of the phone
    given, borrowers/identification.py); on success the account is settled under the legal
    name the identification returned. The two-factor data check uses the name given at
    registration, or the account's name on a reset. The phone must have been confirmed with
    the texted code first."""
    if enrolment.phone_confirmed_at is None:
        raise ApplicationError(MSG_PHONE_FIRST, code="phone_not_verified")
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
    the new password and phone (its other sessions end: the password hash changed); either
    way named by the identification (`identification.record`), never by the form."""
    row = lock_row(Enrolment, pk=enrolment.pk)
    now = business_now()
    if row.completed_at is not None or row.expires_at <= now:
        raise ApplicationError(MSG_ENROLMENT_EXPIRED, code="enrolment_expired")
    if row.phone_confirmed_at is None:
        raise ApplicationError(MSG_PHONE_FIRST, code="phone_not_verified")
    row.completed_at = now
    row.save(update_fields=["completed_at"])
    borrower = lock_rows(Borrower.objects.filter(iin=row.iin)).select_related("user").first()
    if borrower is None and row.purpose == EnrolmentPurpose.RESET:
        raise ApplicationError(MSG_NO_ACCOUNT, code="no_account")
    if borrower is None:
        user = get_user_model()(username=row.iin, first_name=proof.full_name[:150],
                                email=row.email, password=row.password_hash)  # fmt: skip
        user.save()
        user.groups.add(Group.objects.get_or_create(name=roles.BORROWER)[0])
        borrower = Borrower(
            user=user, iin=row.iin, full_name=proof.full_name, email=row.email,
            preferred_language=row.language, data_consent_at=row.consent_at,
        )  # fmt: skip
    else:
        borrower.user.password, borrower.user.first_name = row.password_hash, proof.full_name[:150]
        if row.purpose == EnrolmentPurpose.REGISTER:
            borrower.user.email = borrower.email = row.email
            borrower.data_consent_at = row.consent_at
        borrower.user.save()
    borrower.phone = row.phone
    if borrower._state.adding:
        borrower.save()  # the identification row needs the borrower's key
    identification.record(proof, borrower=borrower, purpose=row.purpose)  # sets the name
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
