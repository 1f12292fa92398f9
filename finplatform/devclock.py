"""The development clock: in development only, business time can be moved forward so that
anyone can watch reminders, deemed confirmations, signing expiry, a breach and a completion
happen on the running stack (`bin/manage clock +41d`, the page /dev/clock/).

The offset (whole seconds added to real time) lives in one Redis key of the shared cache, so
the web server, the worker, beat and a management command all read the same value; each
process keeps it for OFFSET_CACHE_SECONDS, so a change reaches every process within a second.

Two locks keep it out of production: settings.DEV_CLOCK is False unless DJANGO_ENV is dev or
test (whatever the environment says), and `offset()` also checks settings.LOCAL, so even a
DEV_CLOCK forced on in production settings is ignored. With the clock off nothing is read.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed

logger = logging.getLogger(__name__)

CACHE_KEY = "devclock:offset-seconds"
OFFSET_CACHE_SECONDS = 1.0
# "+41d", "+3h", "+90m", "2d" (forward); "-1d" moves back (never before real time).
STEP_RE = re.compile(r"^\s*([+-]?)\s*(\d{1,5})\s*([dhm])\s*$")
UNITS = {"d": 86400, "h": 3600, "m": 60}

_local: dict[str, float] = {}


class DevClockDisabled(Exception):
    """The development clock is off (production settings, or DEV_CLOCK not set)."""


def enabled() -> bool:
    return bool(getattr(settings, "DEV_CLOCK", False)) and bool(getattr(settings, "LOCAL", False))


def offset() -> timedelta:
    """How far business time runs ahead of real time; zero when the clock is off."""
    if not enabled():
        return timedelta(0)
    now = time.monotonic()
    if _local.get("until", 0.0) > now:
        return timedelta(seconds=_local["seconds"])
    try:
        seconds = int(cache.get(CACHE_KEY) or 0)
    except Exception:  # Redis away: keep the last value seen rather than break every request
        logger.warning("devclock: cannot read the offset; keeping the last one", exc_info=True)
        seconds = int(_local.get("seconds", 0))
    _local.update(seconds=seconds, until=now + OFFSET_CACHE_SECONDS)
    return timedelta(seconds=seconds)


def parse_step(text: str) -> timedelta:
    """'+41d' -> 41 days; raises ValueError on anything else."""
    match = STEP_RE.match(text or "")
    if not match:
        raise ValueError(f"not a clock step: {text!r} (use +41d, +3h or +90m)")
    sign, amount, unit = match.groups()
    seconds = int(amount) * UNITS[unit]
    return timedelta(seconds=-seconds if sign == "-" else seconds)


def set_offset(value: timedelta) -> timedelta:
    """Store a new offset for every process (never negative: the clock never runs behind real
    time). Raises DevClockDisabled outside development."""
    if not enabled():
        raise DevClockDisabled("the development clock is off in these settings")
    seconds = max(0, int(value.total_seconds()))
    cache.set(CACHE_KEY, seconds, timeout=None)
    _local.update(seconds=seconds, until=time.monotonic() + OFFSET_CACHE_SECONDS)
    return timedelta(seconds=seconds)


def advance(step: timedelta) -> timedelta:
    return set_offset(offset() + step)


def reset() -> timedelta:
    return set_offset(timedelta(0))


def forget_cached() -> None:
    _local.clear()


def _on_setting_changed(*, setting, **kwargs) -> None:
    if setting in {"DEV_CLOCK", "LOCAL"}:
        forget_cached()


setting_changed.connect(_on_setting_changed)
