"""One-time codes texted to a phone: six random digits, kept only as a keyed hash, good once.

What must be the same for every such code lives here: how a code is made (`new_code`), how it
is hashed (`hash_code`: an HMAC keyed by SECRET_KEY over the caller's scope and the code, so
a hash read from the database proves nothing and a code for one thing never fits another),
and the order of the checks with a constant-time comparison (`check`). Each caller keeps its
own rows, quota, time to live and attempt limit; `check` answers with a problem code
(`NO_CODE`, `CODE_EXPIRED`, `TOO_MANY_ATTEMPTS`, `WRONG_CODE`) the caller turns into its own
error, with the borrower's words for it in `MESSAGES`.

`issue` and `consume` serve the callers that keep one row per code (the signing codes of a
package and of a variation: models built on `finplatform.models.OneTimeCode`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from finplatform.locks import lock_rows

DIGITS = 6
NO_CODE = "no_code"
CODE_EXPIRED = "code_expired"
TOO_MANY_ATTEMPTS = "too_many_attempts"
WRONG_CODE = "wrong_code"

MSG_NO_CODE = _("Request a new code: there is no valid code.")
MSG_CODE_EXPIRED = _("The code has expired. Request a new one.")
MSG_TOO_MANY_ATTEMPTS = _("Too many wrong codes. Request a new one.")
MSG_WRONG_CODE = _("The code is not correct.")
MSG_TOO_MANY_CODES = _("Too many codes requested. Wait an hour and try again.")
# What a borrower reads for each problem `check` answers (every caller says the same).
MESSAGES = {
    NO_CODE: MSG_NO_CODE,
    CODE_EXPIRED: MSG_CODE_EXPIRED,
    TOO_MANY_ATTEMPTS: MSG_TOO_MANY_ATTEMPTS,
    WRONG_CODE: MSG_WRONG_CODE,
}


def new_code() -> str:
    """Six random digits from the operating system's secure source, leading zeros kept."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def hash_code(scope: str, code: str) -> str:
    """The HMAC-SHA256 of `scope:code` keyed by SECRET_KEY (what is stored, never the code)."""
    message = f"{scope}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def check(row: Model | None, code: str, *, scope: str, now: datetime, max_attempts: int,
          expiry_field: str = "expires_at") -> str | None:  # fmt: skip
    """None when `code` (surrounding spaces ignored) is the one hashed on `row`, else the
    problem: no code, expired (at or after the row's `expiry_field`), the attempts used up
    (even the right code is then refused) or a wrong code, which is counted on the row and
    saved. Call it with the row locked; marking the row used is the caller's."""
    if row is None or not row.code_hash:
        return NO_CODE
    if now >= getattr(row, expiry_field):
        return CODE_EXPIRED
    if row.attempts >= max_attempts:
        return TOO_MANY_ATTEMPTS
    if not hmac.compare_digest(row.code_hash, hash_code(scope, code.strip())):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return WRONG_CODE
    return None


def issue(codes, *, scope: str, now: datetime, ttl: timedelta) -> tuple[Model, str]:
    """A fresh code in a new row of `codes` (a related manager, e.g. `package.codes`); the
    earlier unused ones stop working. Returns the row and the plaintext, which only the SMS
    carries. Call it inside the transaction that holds the owner's lock."""
    codes.filter(used_at__isnull=True).update(used_at=now)
    code = new_code()
    row = codes.create(code_hash=hash_code(scope, code), created_at=now, expires_at=now + ttl)
    return row, code


def consume(codes, code: str, *, scope: str, now: datetime, max_attempts: int) -> str | None:
    """`check` against the newest unused row of `codes`, locked FOR UPDATE; a right code
    marks it used. Call it inside a transaction that commits even when a problem is answered,
    so a wrong attempt stays counted."""
    row = lock_rows(codes.filter(used_at__isnull=True)).last()
    problem = check(row, code, scope=scope, now=now, max_attempts=max_attempts)
    if problem is None:
        row.used_at = now
        row.save(update_fields=["used_at"])
    return problem
