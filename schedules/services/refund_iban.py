"""The borrower's IBAN for refunds, verified by the borrower with a one-time SMS code sent to
the phone of their identified account. No outside system the platform talks to can say who
owns a Kazakh IBAN, so "verified" means: a well-formed KZ IBAN (checksum), entered in the
signed-in cabinet and confirmed with a code that only the borrower's phone received. Only the
code's HMAC is stored; a code lasts REFUND_CODE_TTL and allows REFUND_CODE_MAX_ATTEMPTS tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau_gateway.adapters import get_adapter
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.iban import normalize_iban, validate_kz_iban
from finplatform.locks import lock_rows
from schedules.models import RefundDetails, RefundDetailsStatus

REFUND_CODE_TTL = timedelta(minutes=10)
REFUND_CODE_MAX_ATTEMPTS = 5
CODES_PER_HOUR = 5

MSG_NO_CODE = _("Request a new code: there is no valid code.")
MSG_CODE_EXPIRED = _("The code has expired. Request a new one.")
MSG_TOO_MANY_ATTEMPTS = _("Too many wrong codes. Request a new one.")
MSG_WRONG_CODE = _("The code is not correct.")
MSG_TOO_MANY_CODES = _("Too many codes requested. Wait an hour and try again.")


def _hash(details_id, code: str) -> str:
    message = f"refund-iban:{details_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def propose_refund_iban(*, borrower, iban: str) -> tuple[RefundDetails, str]:
    """A new IBAN awaiting the borrower's code (earlier pending ones stop counting); returns
    the row and the plaintext code, which only the SMS carries."""
    try:
        validate_kz_iban(iban)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code="invalid_iban") from None
    now = business_now()
    recent = RefundDetails.objects.filter(
        borrower=borrower, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= CODES_PER_HOUR:
        raise ApplicationError(MSG_TOO_MANY_CODES, code="too_many_codes")
    RefundDetails.objects.filter(borrower=borrower, status=RefundDetailsStatus.PENDING).update(
        status=RefundDetailsStatus.SUPERSEDED
    )
    details = RefundDetails(borrower=borrower, iban=normalize_iban(iban), created_at=now,
                            code_expires_at=now + REFUND_CODE_TTL)  # fmt: skip
    code = f"{secrets.randbelow(1_000_000):06d}"
    details.code_hash = _hash(details.pk, code)
    details.save()
    return details, code


def send_refund_iban_code(*, borrower, iban: str) -> RefundDetails:
    """Record the IBAN and text the code to the borrower (HTTP after the commit of the row)."""
    details, code = propose_refund_iban(borrower=borrower, iban=iban)
    text = str(_("Finkelisim: your code to confirm the IBAN %(iban)s for refunds is %(code)s")) % {
        "iban": f"…{details.iban[-4:]}", "code": code,
    }  # fmt: skip
    get_adapter("sms").send(phone=borrower.phone, text=text, dedup_key=f"refund-iban:{details.pk}")
    return details


@transaction.atomic
def _check_code(*, borrower, code: str) -> tuple[RefundDetails | None, str]:
    row = lock_rows(
        RefundDetails.objects.filter(borrower=borrower, status=RefundDetailsStatus.PENDING)
    ).first()
    if row is None:
        return None, "no_code"
    if business_now() >= row.code_expires_at:
        return None, "code_expired"
    if row.attempts >= REFUND_CODE_MAX_ATTEMPTS:
        return None, "too_many_attempts"
    if not hmac.compare_digest(row.code_hash, _hash(row.pk, code.strip())):
        row.attempts += 1
        row.save(update_fields=["attempts"])  # committed: a wrong try counts
        return None, "wrong_code"
    RefundDetails.objects.filter(borrower=borrower, status=RefundDetailsStatus.VERIFIED).update(
        status=RefundDetailsStatus.SUPERSEDED
    )
    row.status = RefundDetailsStatus.VERIFIED
    row.verified_at = business_now()
    row.save(update_fields=["status", "verified_at"])
    return row, ""


ERRORS = {
    "no_code": MSG_NO_CODE,
    "code_expired": MSG_CODE_EXPIRED,
    "too_many_attempts": MSG_TOO_MANY_ATTEMPTS,
    "wrong_code": MSG_WRONG_CODE,
}


def verify_refund_iban(*, borrower, code: str) -> RefundDetails:
    """The pending IBAN becomes the borrower's verified refund IBAN (the old one superseded)."""
    row, error = _check_code(borrower=borrower, code=code)
    if row is None:
        raise ApplicationError(ERRORS[error], code=error)
    return row


def verified_refund_iban(borrower) -> RefundDetails | None:
    return RefundDetails.objects.filter(
        borrower=borrower, status=RefundDetailsStatus.VERIFIED
    ).first()
