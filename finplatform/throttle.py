"""Brute-force limits on guessable secrets: passwords and one-time codes.

A fixed window counter in Redis per (scope, identity). Identities are hashed before they
become keys, so no IIN or phone number sits in Redis in clear. Used by the login forms and
by every one-time-code check.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

MSG_LOCKED = _("Too many failed attempts. Wait 15 minutes and try again.")


class Throttle:
    def __init__(self, scope: str, *, limit: int, window_seconds: int):
        self.scope = scope
        self.limit = limit
        self.window = window_seconds

    def _key(self, identity: str) -> str:
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def is_blocked(self, identity: str) -> bool:
        return (cache.get(self._key(identity)) or 0) >= self.limit

    def hit(self, identity: str) -> int:
        """Count one failure; returns the failures in the current window."""
        key = self._key(identity)
        cache.add(key, 0, self.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window)
            return 1

    def reset(self, identity: str) -> None:
        cache.delete(self._key(identity))


LOGIN_PER_ACCOUNT = Throttle("login-account", limit=5, window_seconds=15 * 60)
LOGIN_PER_IP = Throttle("login-ip", limit=30, window_seconds=15 * 60)
# Each one-time code allows OTP_MAX_ATTEMPTS / SIGNING_CODE_MAX_ATTEMPTS guesses; without a cap
# on new codes a guesser could simply ask for another. At most 5 codes an hour per borrower
# (identification) or per case (signing): 25 guesses of a 6-digit code an hour.
CODES_ISSUED = Throttle("codes-issued", limit=5, window_seconds=60 * 60)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""
