"""Brute-force limits on guessable secrets: passwords and one-time codes.

Counters live in PostgreSQL (`AttemptCounter`), not Redis: sign-in already needs the
database (users, sessions), so a Redis outage cannot stop sign-in or lift a limit. Identities
are hashed before they are stored, so no IIN, username or address sits there in clear.

- `Backoff` (sign-in): a few free failures, then each further failure doubles the wait before
  the next try, up to a cap. Nobody is locked for long by someone else's guesses, a guesser
  gets a few dozen tries a day, and the owner lifts an account's wait by identification.
- `Quota` (codes issued): at most `limit` hits in a fixed window.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db import transaction

from finplatform.clock import business_now
from finplatform.locks import lock_row
from finplatform.models import AttemptCounter


def _digest(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()


class _Counter:
    def __init__(self, scope: str):
        self.scope = scope

    def _row(self, identity: str) -> AttemptCounter | None:
        return AttemptCounter.objects.filter(scope=self.scope, digest=_digest(identity)).first()

    def _locked_row(self, identity: str, now: datetime) -> AttemptCounter:
        """The counter row, created if missing and locked FOR UPDATE (call inside atomic)."""
        digest = _digest(identity)
        AttemptCounter.objects.bulk_create(
            [AttemptCounter(scope=self.scope, digest=digest, started_at=now, last_at=now)],
            ignore_conflicts=True,
        )
        return lock_row(AttemptCounter, scope=self.scope, digest=digest)

    def reset(self, identity: str) -> None:
        AttemptCounter.objects.filter(scope=self.scope, digest=_digest(identity)).delete()


# Every counter below forgets its hits within a day of the last one (forget_after, window), so a
# row untouched for longer and no longer blocking behaves exactly as a missing row.
COUNTERS_FORGOTTEN_AFTER = timedelta(days=2)


def forget_stale_counters() -> int:
    """Deletes the counters that can no longer limit anything (hourly, finplatform/celery.py),
    so the table holds the last two days of hashed identities, not every one ever seen."""
    now = business_now()
    stale = AttemptCounter.objects.filter(last_at__lt=now - COUNTERS_FORGOTTEN_AFTER).exclude(
        blocked_until__gt=now
    )
    deleted, _by_model = stale.delete()
    return deleted


class Backoff(_Counter):
    """`free` failures cost nothing; failure `free + n` makes the next try wait
    `first_wait * 2**n`, at most `max_wait`. Failures are forgotten `forget_after` the last."""

    def __init__(self, scope, *, free: int, first_wait: timedelta, max_wait: timedelta,
                 forget_after: timedelta):  # fmt: skip
        super().__init__(scope)
        self.free, self.first_wait, self.max_wait = free, first_wait, max_wait
        self.forget_after = forget_after

    def blocked_until(self, identity: str) -> datetime | None:
        """When the next try is allowed, or None if it is allowed now."""
        row = self._row(identity)
        if row is None or row.blocked_until is None or row.blocked_until <= business_now():
            return None
        return row.blocked_until

    @transaction.atomic
    def hit(self, identity: str) -> int:
        """Count one failure; returns the failures remembered."""
        now = business_now()
        row = self._locked_row(identity, now)
        if now - row.last_at > self.forget_after:
            row.count, row.started_at, row.blocked_until = 0, now, None
        row.count += 1
        row.last_at = now
        if row.count >= self.free:
            wait = min(self.first_wait * 2 ** min(row.count - self.free, 30), self.max_wait)
            row.blocked_until = now + wait
        row.save()
        return row.count


class Quota(_Counter):
    """At most `limit` hits per `window` (a fixed window starting at the first hit)."""

    def __init__(self, scope: str, *, limit: int, window_seconds: int):
        super().__init__(scope)
        self.limit = limit
        self.window = timedelta(seconds=window_seconds)

    @transaction.atomic
    def hit(self, identity: str) -> int:
        """Count one hit; returns the hits in the current window."""
        now = business_now()
        row = self._locked_row(identity, now)
        if now - row.started_at >= self.window:
            row.count, row.started_at = 0, now
        row.count += 1
        row.last_at = now
        row.save()
        return row.count


# Each one-time code allows OTP_MAX_ATTEMPTS / SIGNING_CODE_MAX_ATTEMPTS guesses; without a cap
# on new codes a guesser could simply ask for another. At most 5 codes an hour per borrower
# (identification) or per case (signing): 25 guesses of a 6-digit code an hour.
CODES_ISSUED = Quota("codes-issued", limit=5, window_seconds=60 * 60)
