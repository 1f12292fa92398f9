"""Helpers of the rate-limit tests (tests/*/test_rate_limits.py, tests/finplatform/
test_ratelimit.py): a loopback port nothing listens on, and the 429 the APIs answer."""

from __future__ import annotations

import socket

from finplatform.errors import MSG_RATE_LIMITED


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_rate_limited(response) -> int:
    """The documented 429: the error body, `Retry-After` in whole seconds, repeated in
    `extra.retry_after`. Returns the seconds."""
    assert response.status_code == 429, response.content
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    assert response.json() == {"error": {"code": "rate_limited", "message": str(MSG_RATE_LIMITED),
                                         "extra": {"retry_after": seconds}}}  # fmt: skip
    return seconds
