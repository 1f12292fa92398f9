"""API rate limits, counted in Redis by the `limits` library.

Two kinds of limit (their sizes are settings, README "Configuration"):

- per API key: a creditor organisation's key or a payment provider's key may make so many
  requests per window; over it the API answers 429 `rate_limited` with `Retry-After`;
- per client address: so many FAILED API-key checks (a wrong, revoked or guessed key) per
  window; over it every API request from that address answers 429, a valid key's too, so a
  key guessed while blocked is not recognised (the check runs after the key's look-up).

Strategy: limits' sliding window counter. Each limited thing has two integer counters (this
window and the last) that one Lua script reads, weighs and increments inside Redis, so a
check is atomic at any rate, needs one round trip, and takes constant memory whatever the
limit (a moving window would keep one timestamp per request: 60,000 for a provider's
minute). DRF's own cache throttles keep such a list with a non-atomic get and set.

One round trip per request: an authenticated request reads its address's failed-check
counters and takes one from its key's quota in a single pipeline of the two scripts
(`Limiter.hit(..., guard=...)`). A refusal costs a second trip (the time to `Retry-After`).

Fail open: when Redis cannot be reached, is slower than the timeout or answers an error, the
request is served unlimited, a warning is logged at most once a minute and Redis is not asked
again for a second (so an outage adds no timeout to every request). A payment must be booked
whether or not Redis is up; the limits are a guard, not a precondition.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import limits
from django.conf import settings
from django.core.signals import setting_changed
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from prometheus_client import Counter
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError
from redis.retry import Retry
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from finplatform.signin import client_ip

logger = logging.getLogger(__name__)

KEY_PREFIX = "finplatform:ratelimit"
RETRY_REDIS_AFTER_SECONDS = 1.0  # after a failure, Redis is asked again this much later
WARN_EVERY_SECONDS = 60.0  # at most one warning per process in this long
FAILED_KEY_SCOPE = "failed-api-key"

UNAVAILABLE = Counter(
    "finplatform_rate_limit_unavailable",
    "API requests served without a rate-limit check because Redis was unavailable",
)
REFUSED = Counter("finplatform_rate_limit_refused", "API requests refused with 429", ["scope"])


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds, at least 1 when refused
    scope: str = ""  # which limit refused


ALLOWED = Verdict(True)


@lru_cache(maxsize=64)
def rate(spec: str, scope: str) -> limits.RateLimitItem:
    """'600/minute' (limits' notation: also '600 per minute', '10/5 seconds') for `scope`."""
    parsed = limits.parse(spec)
    return type(parsed)(parsed.amount, parsed.multiples, namespace=scope)


class Limiter:
    """Sliding-window counters in one Redis, failing open (see the module's docstring)."""

    def __init__(self, url: str, *, timeout: float):
        self.storage = RedisStorage(
            url,
            key_prefix=KEY_PREFIX,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # redis-py retries 3 times with backoff by default
        )
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)
        self._skip_until = 0.0
        self._warned_at = -math.inf
        self._lock = threading.Lock()

    def hit(
        self,
        item: limits.RateLimitItem,
        identity: str,
        *,
        guard: tuple[limits.RateLimitItem, str] | None = None,
    ) -> Verdict:
        """Takes one from `identity`'s quota under `item`. With `guard` = (limit, identity),
        refuses too while the guard's counter is at its limit (read, not incremented; the
        quota's one is taken all the same), in the same round trip. Never raises for Redis:
        unavailable means allowed."""
        if time.monotonic() < self._skip_until:
            UNAVAILABLE.inc()
            return ALLOWED
        try:
            if guard is None:
                if self.strategy.hit(item, identity):
                    return ALLOWED
                return self._refusal(item, identity)
            blocked, acquired = self._guarded_hit(item, identity, *guard)
            if blocked:
                return self._refusal(*guard)
            return ALLOWED if acquired else self._refusal(item, identity)
        except (RedisError, OSError) as exc:
            self._unavailable(exc)
            return ALLOWED

    def _guarded_hit(self, item, identity, guard_item, guard_identity) -> tuple[bool, bool]:
        """(guard at its limit?, one taken from the quota?) from one pipeline of limits' own
        two scripts (read the guard's window, acquire in the item's), keyed as limits keys
        them, so the counters are the same ones `strategy.hit` and `get_window_stats` see."""
        storage = self.storage
        connection = storage.get_connection()
        read, acquire = storage.lua_sliding_window, storage.lua_acquire_sliding_window
        for attempt in (1, 2):
            pipe = connection.pipeline(transaction=False)
            expiry = guard_item.get_expiry()
            pipe.evalsha(read.sha, 2, *self._window_keys(guard_item, guard_identity), expiry)
            pipe.evalsha(acquire.sha, 2, *self._window_keys(item, identity),
                         item.amount, item.get_expiry(), 1)  # fmt: skip
            try:
                window, acquired = pipe.execute()
                break
            except NoScriptError:  # a restarted Redis forgot the scripts: load, try once more
                if attempt == 2:
                    raise
                for script in (read, acquire):
                    script.sha = connection.script_load(script.script)
        previous, previous_ttl_ms, current = (int(v or 0) for v in window[:3])
        weighted = previous * max(0, previous_ttl_ms) // (expiry * 1000) + current
        return weighted >= guard_item.amount, bool(acquired)  # as the acquire script counts

    def _window_keys(self, item: limits.RateLimitItem, identity: str) -> tuple[str, str]:
        key = item.key_for(identity)
        storage = self.storage
        return (
            storage.prefixed_key(storage._previous_window_key(key)),
            storage.prefixed_key(storage._current_window_key(key)),
        )

    def _refusal(self, item: limits.RateLimitItem, identity: str) -> Verdict:
        reset_at = self.strategy.get_window_stats(item, identity).reset_time
        REFUSED.labels(item.namespace).inc()
        return Verdict(False, max(1, math.ceil(reset_at - time.time())), item.namespace)

    def _unavailable(self, exc: Exception) -> None:
        now = time.monotonic()
        self._skip_until = now + RETRY_REDIS_AFTER_SECONDS
        UNAVAILABLE.inc()
        with self._lock:
            if now - self._warned_at < WARN_EVERY_SECONDS:
                return
            self._warned_at = now
        logger.warning("rate limits not applied: Redis unavailable (%s: %s); serving requests "
                       "unlimited", exc.__class__.__name__, exc)  # fmt: skip


_limiter: dict[str, Limiter] = {}


def limiter() -> Limiter:
    """The process's limiter (one connection pool), built from settings on first use."""
    found = _limiter.get("current")
    if found is None:
        found = _limiter.setdefault(
            "current",
            Limiter(settings.API_RATE_LIMIT_REDIS_URL,
                    timeout=settings.API_RATE_LIMIT_REDIS_TIMEOUT_SECONDS),
        )  # fmt: skip
    return found


def _on_setting_changed(*, setting, **kwargs) -> None:
    if setting.startswith("API_RATE_LIMIT_"):
        _limiter.clear()


setting_changed.connect(_on_setting_changed, dispatch_uid="finplatform.ratelimit")


def failed_key_guard(request) -> tuple[limits.RateLimitItem, str]:
    return rate(settings.API_RATE_LIMIT_FAILED_AUTH, FAILED_KEY_SCOPE), client_ip(request)


def count_failed_key(request) -> None:
    """Counts a failed API-key check against the client's address; raises DRF's Throttled
    (429 `rate_limited`) once the address is over its limit. Call before refusing a key."""
    verdict = limiter().hit(*failed_key_guard(request))
    if not verdict.allowed:
        raise Throttled(wait=verdict.retry_after)


class KeyRateThrottle(BaseThrottle):
    """A DRF throttle: the request's API key (`identity`) takes one from the quota named by
    `setting`, unless its address is blocked for failed key checks — one round trip.
    A request without an identity (not authenticated: refused before throttles run, or an
    open view such as the schema) is not counted."""

    setting = ""  # the settings name holding the limit, e.g. "API_RATE_LIMIT_CREDITOR"
    scope = ""

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        identity = self.identity(request)
        if identity is None:
            return True
        item = rate(getattr(settings, self.setting), self.scope)
        self.verdict = limiter().hit(item, identity, guard=failed_key_guard(request))
        return self.verdict.allowed

    def wait(self) -> int:
        return self.verdict.retry_after
