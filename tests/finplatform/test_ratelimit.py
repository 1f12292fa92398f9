"""The limiter itself (finplatform/ratelimit.py) against the test run's real Redis: it refuses
past the limit and says when to come back, its one-round-trip guarded hit counts exactly as
limits' own strategy does, a window slides back open, a restarted Redis that forgot the
scripts costs nothing, and an unreachable Redis fails open with one warning."""

from __future__ import annotations

import logging
import time

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from finplatform import ratelimit
from finplatform.env import env_rate
from finplatform.ratelimit import Limiter, limiter, rate
from tests.support.ratelimit import closed_port


def fresh(name: str) -> str:
    return f"{name}-{time.monotonic_ns()}"  # never a counter an earlier test left


def test_defaults_are_in_force_in_the_test_settings():
    """The suite runs with the limits on: no test setting lifts them globally."""
    assert settings.API_RATE_LIMIT_CREDITOR == "600/minute"
    assert settings.API_RATE_LIMIT_PROVIDER == "60000/minute"
    assert settings.API_RATE_LIMIT_FAILED_AUTH == "30/minute"
    assert settings.API_RATE_LIMIT_REDIS_URL == settings.CACHE_REDIS_URL
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "creditor_portal.api.throttles.CreditorKeyThrottle"
    ]


def test_a_rate_is_checked_when_the_settings_are_read(monkeypatch):
    monkeypatch.setenv("API_RATE_LIMIT_X", " 10 per second ")
    assert env_rate("API_RATE_LIMIT_X", "1/minute") == "10 per second"
    monkeypatch.setenv("API_RATE_LIMIT_X", "ten a minute")
    with pytest.raises(ImproperlyConfigured, match="API_RATE_LIMIT_X"):
        env_rate("API_RATE_LIMIT_X", "1/minute")


def test_refuses_past_the_limit_with_a_whole_number_of_seconds_to_wait():
    item, who = rate("3/minute", "t-refuse"), fresh("key")
    verdicts = [limiter().hit(item, who) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    refused = verdicts[3]
    assert refused.scope == "t-refuse"
    assert isinstance(refused.retry_after, int) and 1 <= refused.retry_after <= 60
    assert limiter().hit(item, fresh("other-key")).allowed  # another identity is untouched


def test_the_guarded_hit_reads_the_guard_as_limits_own_strategy_counts_it():
    """The one-round-trip pipeline keys and weighs the guard's window as limits does: it says
    'blocked' exactly when limits' next hit on that counter would be refused."""
    guard, address = rate("4/minute", "t-guard"), fresh("addr")
    quota = rate("1000/minute", "t-quota")
    for _ in range(7):
        blocked = not limiter().hit(quota, fresh("k"), guard=(guard, address)).allowed
        would_pass = limiter().strategy.hit(guard, address)
        assert blocked == (not would_pass)
    assert blocked  # it got there


def test_a_blocked_guard_refuses_with_its_own_scope_and_wait():
    guard, address = rate("2/minute", "t-guard2"), fresh("addr")
    quota = rate("1000/minute", "t-quota2")
    for _ in range(2):
        assert limiter().hit(guard, address).allowed
    verdict = limiter().hit(quota, fresh("k"), guard=(guard, address))
    assert not verdict.allowed and verdict.scope == "t-guard2" and verdict.retry_after >= 1


def test_the_window_slides_open_again_after_retry_after():
    item, who = rate("2/second", "t-window"), fresh("key")
    assert limiter().hit(item, who).allowed and limiter().hit(item, who).allowed
    refused = limiter().hit(item, who)
    assert not refused.allowed and refused.retry_after == 1
    time.sleep(refused.retry_after + 0.05)
    assert limiter().hit(item, who).allowed  # the last window's hits weigh less now
    time.sleep(2.05)  # two whole windows later nothing is left of them
    assert [limiter().hit(item, who).allowed for _ in range(3)] == [True, True, False]


def test_a_redis_that_forgot_the_scripts_is_taught_them_again_in_the_same_call():
    """After a Redis restart (SCRIPT FLUSH here) the pipelined scripts are loaded again."""
    guard, quota = rate("5/minute", "t-flush-guard"), rate("2/minute", "t-flush")
    who, address = fresh("key"), fresh("addr")
    assert limiter().hit(quota, who, guard=(guard, address)).allowed
    limiter().storage.get_connection().script_flush()
    assert limiter().hit(quota, who, guard=(guard, address)).allowed
    assert not limiter().hit(quota, who, guard=(guard, address)).allowed  # counted all along


def test_an_unreachable_redis_fails_open_and_warns_once(caplog):
    """Refused connection on a closed loopback port: every request is allowed, one warning
    is logged, and Redis is not asked again for a second (no timeout per request)."""
    down = Limiter(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.2)
    item, guard = rate("1/minute", "t-down"), rate("1/minute", "t-down-guard")
    with caplog.at_level(logging.WARNING, logger="finplatform.ratelimit"):
        verdicts = [down.hit(item, "key"), down.hit(item, "key", guard=(guard, "addr"))]
        down._skip_until = 0.0  # past the pause: Redis is tried again, still down
        verdicts += [down.hit(item, "key"), down.hit(item, "key")]
    assert all(v.allowed for v in verdicts)
    warnings = [r for r in caplog.records if r.name == "finplatform.ratelimit"]
    assert len(warnings) == 1 and "Redis unavailable" in warnings[0].getMessage()


def test_the_pause_after_a_failure_asks_redis_nothing(monkeypatch):
    down = Limiter(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.2)
    item = rate("1/minute", "t-pause")
    assert down.hit(item, "key").allowed  # fails, pauses
    calls = []
    monkeypatch.setattr(down.strategy, "hit", lambda *a, **k: calls.append(a))
    assert down.hit(item, "key").allowed
    assert calls == []


def test_a_changed_redis_setting_builds_a_new_limiter():
    before = limiter()
    with override_settings(API_RATE_LIMIT_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        assert limiter() is not before
        assert limiter().hit(rate("1/minute", "t-switch"), "key").allowed  # fails open
    assert ratelimit.limiter() is not before  # rebuilt for the restored settings too
    assert limiter().storage.check()  # the real Redis again
