"""One idempotency rule for every write that a client may retry (`Idempotency-Key`).

A key names one request. The first request under a key is booked; a retry of the SAME
request (same fingerprint) gets the first answer back and books nothing; the same key with
a DIFFERENT request is refused with 409 `idempotency_key_reused`. Concurrent requests with
one key are serialised by an advisory lock on the key (`lock`), and a UNIQUE constraint on
(scope, key) in the table that stores the booking backs it up.

    idempotency.lock("payments:provider-1", keys)
    earlier = IncomingPayment.objects.filter(...).first()
    if earlier is not None:
        idempotency.ensure_same(earlier.request_hash, fingerprint(body), key=key)
        return earlier
"""

from __future__ import annotations

import hashlib
import json

from django.utils.translation import gettext_lazy as _

from finplatform import locks
from finplatform.errors import ApplicationError, ConflictError

MSG_KEY_INVALID = _(
    "The Idempotency-Key header must be at most %(max)d printable characters (letters, digits, "
    "punctuation; no control characters)."
)
CODE_KEY_INVALID = "idempotency_key_invalid"
MSG_KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
CODE_KEY_REUSED = "idempotency_key_reused"


class KeyReused(ConflictError):
    """409: the key was used before for another request; nothing was booked."""

    def __init__(self, key: str | None = None):
        extra = {"idempotency_key": key} if key is not None else None
        super().__init__(MSG_KEY_REUSED, code=CODE_KEY_REUSED, extra=extra)


def key_from_header(request, *, max_length: int) -> str | None:
    """The request's `Idempotency-Key` (stripped), None if absent; a key with control
    characters (a NUL byte...), non-ASCII text or over `max_length` is a 400."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > max_length or not all(" " <= ch <= "~" for ch in key):
        raise ApplicationError(MSG_KEY_INVALID % {"max": max_length}, code=CODE_KEY_INVALID)
    return key


def fingerprint(body: dict) -> str:
    """A stable hash of a request's meaningful fields (JSON with sorted keys)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def lock(scope: str, keys) -> None:
    """Serialise concurrent requests carrying the same keys within `scope` (call in a
    transaction, before looking the keys up)."""
    locks.lock_keys(scope, keys)


def ensure_same(stored: str, fresh: str, *, key: str | None = None) -> None:
    """A retry must repeat the first request exactly; otherwise raise KeyReused."""
    if stored != fresh:
        raise KeyReused(key)
