"""Webhooks to creditors' back offices.

Each event becomes one `WebhookDelivery` per active endpoint of the organisation (unique per
endpoint and event id, so an event raised twice is delivered once) and is POSTed by a Celery
task that retries with exponential backoff and logs every attempt's outcome.

Signature (verify it before trusting a body):

    X-Finkelisim-Timestamp: <unix seconds>
    X-Finkelisim-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

Reject a request whose timestamp is more than a few minutes old (replay protection).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from django.db import IntegrityError, transaction

from creditors.models import Creditor, WebhookDelivery, WebhookEndpoint
from finplatform.clock import business_now
from outbox import services as outbox

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


@transaction.atomic
def register_endpoint(*, creditor: Creditor, url: str) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (returned once to the caller to store)."""
    return WebhookEndpoint.objects.create(creditor=creditor, url=url, secret=secrets.token_hex(32))


@transaction.atomic
def deactivate_endpoint(*, endpoint: WebhookEndpoint) -> None:
    endpoint.active = False
    endpoint.save(update_fields=["active"])


def enqueue_event(*, creditor: Creditor, event: str, event_id: str, payload: dict) -> list:
    """Record the event for every active endpoint and deliver it after commit."""
    from creditors.tasks import deliver_webhook

    body = json.dumps(
        {"id": event_id, "event": event, "created_at": business_now().isoformat(),
         "data": payload},
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip
    created = []
    for endpoint in WebhookEndpoint.objects.filter(creditor=creditor, active=True):
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, event=event, event_id=event_id, body=body
                )
        except IntegrityError:
            continue
        outbox.enqueue(deliver_webhook, str(delivery.pk), dedup_key=f"webhook:{delivery.pk}")
        created.append(delivery)
    return created
