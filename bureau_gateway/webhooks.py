"""Outgoing webhooks to creditors' back offices: signing and the HTTP client.

Which events go to which endpoint, and the retry bookkeeping, live in the domain
(`creditors.webhooks`, `creditors.tasks`); this module is the edge that talks HTTP.

Signature (a receiver verifies it before trusting a body):

    X-Finkelisim-Timestamp: <unix seconds>
    X-Finkelisim-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

Reject a request whose timestamp is more than a few minutes old (replay protection).
"""

from __future__ import annotations

import hashlib
import hmac
import time

import requests
from django.conf import settings

from bureau_gateway.interfaces import WebhookOutcome

SIGNATURE_HEADER = "X-Finkelisim-Signature"
TIMESTAMP_HEADER = "X-Finkelisim-Timestamp"
EVENT_HEADER = "X-Finkelisim-Event"
DELIVERY_HEADER = "X-Finkelisim-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    try:
        expected = sign(secret, int(timestamp), body)
    except (TypeError, ValueError):  # a malformed timestamp is a failed check, not a crash
        return False
    return hmac.compare_digest(expected.encode(), str(signature).encode())


class HttpWebhookSender:
    """POSTs a signed body with settings.WEBHOOK_TIMEOUT_SECONDS; one attempt per call (the
    delivery task retries with backoff and logs every attempt)."""

    def __init__(self, *, timeout: float | None = None, session: requests.Session | None = None):
        self.timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
        self.session = session or requests.Session()

    def deliver(
        self, *, url: str, secret: str, event: str, delivery_id: str, body: bytes
    ) -> WebhookOutcome:
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
        }
        try:
            response = self.session.post(url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return WebhookOutcome(False, None, f"{type(exc).__name__}: {exc}"[:500])
        code = response.status_code
        if 200 <= code < 300:
            return WebhookOutcome(True, code)
        return WebhookOutcome(False, code, f"HTTP {code}")
