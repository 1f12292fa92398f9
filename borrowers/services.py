"""Remote identification (SPEC §2.1, §7) and the verified social
status. Outside systems (mobile operator, biometrics, SMS, government data) are reached
through bureau_gateway adapters; no HTTP call happens while a row is locked. Registration
and password reset: borrowers/enrolment.py."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from borrowers.models import (
    Borrower,
    HelpRequest,
    IdentificationChallenge,
    IdentificationMethod,
    SocialStatus,
)
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import (
    AdapterError,
    SocialStatusAnswer,
    SubjectUnknown,
)
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_rows
from finplatform.throttle import CODES_ISSUED

MSG_CONSENT_REQUIRED = _("We need your consent to collect and process your data.")
MSG_PHONE_NOT_CONFIRMED = _(
    "Your mobile operator does not confirm that this phone number is registered to your IIN. "
    "Use a number registered in your name, or identify with biometrics."
)
MSG_IDENTITY_UNAVAILABLE = _(
    "The identification service is not answering right now. Please try again in a few minutes."
)
MSG_NO_CODE = _("Request a code first.")
MSG_CODE_EXPIRED = _("This code has expired. Request a new one.")
MSG_TOO_MANY_ATTEMPTS = _("Too many wrong codes. Request a new one.")
MSG_WRONG_CODE = _("The code is wrong. Check the SMS and try again.")
MSG_TOO_MANY_CODES = _("Too many codes requested. Wait an hour and try again.")
MSG_LIVENESS_FAILED = _(
    "The liveness check failed: a photo or a recorded video cannot be used. Try again in "
    "good light and follow the movements shown."
)
MSG_BIOMETRIC_MISMATCH = _("Your face did not match the state biometric record.")
MSG_IDENTITY_UNKNOWN = _(
    "The state identity database has no person with this IIN. Check the number; if it is "
    "right, ask us to call you back or book an in-person visit below."
)


def identity_failure(exc: AdapterError) -> ApplicationError:
    """The truthful message for an identification service that did not say yes: an unknown
    person is not an outage."""
    if isinstance(exc, SubjectUnknown):
        return ApplicationError(MSG_IDENTITY_UNKNOWN, code="identity_unknown")
    return ApplicationError(MSG_IDENTITY_UNAVAILABLE, code="identity_unavailable")


SMS_TEXT = _("Finkelisim: your identification code is %(code)s. Do not share it with anyone.")


def hash_code(challenge_id, code: str) -> str:
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def start_phone_identification(*, borrower: Borrower) -> IdentificationChallenge:
    """Ask the mobile operator whether the borrower's phone is registered to their IIN; if so,
    send a fresh one-time code by SMS. Earlier unconfirmed codes stop working."""
    if CODES_ISSUED.hit(f"identify:{borrower.pk}") > CODES_ISSUED.limit:
        raise ApplicationError(MSG_TOO_MANY_CODES, code="too_many_codes")
    identity, sms = get_adapter("identity"), get_adapter("sms")
    try:
        if not identity.phone_belongs_to(iin=borrower.iin, phone=borrower.phone):
            raise ApplicationError(MSG_PHONE_NOT_CONFIRMED, code="phone_not_confirmed")
    except AdapterError as exc:
        raise identity_failure(exc) from None
    now = business_now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        IdentificationChallenge.objects.filter(
            borrower=borrower, confirmed_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        challenge = IdentificationChallenge(
            borrower=borrower,
            phone=borrower.phone,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        challenge.code_hash = hash_code(challenge.id, code)
        challenge.save()
    try:
        challenge.sms_id = sms.send(
            phone=borrower.phone,
            text=str(SMS_TEXT % {"code": code}),
            dedup_key=f"otp:{challenge.id}",
        )
    except AdapterError:
        raise ApplicationError(MSG_IDENTITY_UNAVAILABLE, code="sms_unavailable") from None
    challenge.save(update_fields=["sms_id"])
    return challenge


def _mark_identified(borrower: Borrower, method: str) -> Borrower:
    borrower.identified_at = business_now()
    borrower.identification_method = method
    borrower.save(update_fields=["identified_at", "identification_method"])
    return borrower


def confirm_phone_identification(*, borrower: Borrower, code: str) -> Borrower:
    """Check the one-time code; on success the borrower is identified (sms_operator)."""
    now = business_now()
    problem = None
    with transaction.atomic():
        challenge = (
            lock_rows(IdentificationChallenge.objects.filter(borrower=borrower))
            .filter(confirmed_at__isnull=True)
            .order_by("-created_at")  # the newest open challenge is the one being answered
            .first()
        )
        if challenge is None:
            problem = (MSG_NO_CODE, "no_code")
        elif challenge.expires_at <= now:
            problem = (MSG_CODE_EXPIRED, "code_expired")
        elif challenge.attempts >= settings.OTP_MAX_ATTEMPTS:
            problem = (MSG_TOO_MANY_ATTEMPTS, "too_many_attempts")
        elif not hmac.compare_digest(challenge.code_hash, hash_code(challenge.id, code.strip())):
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])  # kept: the error is raised after commit
            problem = (MSG_WRONG_CODE, "wrong_code")
        else:
            challenge.confirmed_at = now
            challenge.save(update_fields=["confirmed_at"])
            return _mark_identified(borrower, IdentificationMethod.SMS_OPERATOR)
    raise ApplicationError(problem[0], code=problem[1])


def identify_by_biometrics(*, borrower: Borrower, selfie_token: str) -> Borrower:
    """Biometric match against the state record (ЦОИД) with a liveness test."""
    try:
        result = get_adapter("identity").verify_biometrics(
            iin=borrower.iin, selfie_token=selfie_token
        )
    except AdapterError as exc:
        raise identity_failure(exc) from None
    if result.liveness is False:
        raise ApplicationError(MSG_LIVENESS_FAILED, code="liveness_failed")
    if not result.verified:
        raise ApplicationError(MSG_BIOMETRIC_MISMATCH, code="biometric_mismatch")
    with transaction.atomic():
        return _mark_identified(borrower, IdentificationMethod.BIOMETRIC)


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
