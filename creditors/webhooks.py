"""Webhook endpoints and events for creditors' back offices (the domain side).

Each event becomes one `WebhookDelivery` per active endpoint of the organisation (unique per
endpoint and event id, so an event raised twice is delivered once) and is delivered by the
`creditors.tasks.deliver_webhook` task through the outbox, which POSTs it through the edge
(`bureau_gateway.webhooks`: signing and HTTP), retries with exponential backoff and logs every
attempt's outcome.
"""

from __future__ import annotations

import json
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bureau_gateway.webhooks import UrlRefused, guard_url
from creditors.models import Creditor, WebhookDelivery, WebhookEndpoint
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from outbox import services as outbox

DELIVER_TASK = "creditors.tasks.deliver_webhook"
MSG_URL_REFUSED = _(
    "Webhooks go only to public https addresses; this URL is refused (private, loopback, "
    "link-local or reserved address, another scheme, or a host that does not resolve)."
)


@transaction.atomic
def register_endpoint(*, creditor: Creditor, url: str) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (returned once to the caller to store). The URL must
    pass the edge's guard (public https address); it is checked again at every delivery."""
    try:
        guard_url(url)
    except UrlRefused:
        raise ApplicationError(MSG_URL_REFUSED, code="webhook_url_refused") from None
    return WebhookEndpoint.objects.create(creditor=creditor, url=url, secret=secrets.token_hex(32))


@transaction.atomic
def deactivate_endpoint(*, endpoint: WebhookEndpoint) -> None:
    endpoint.active = False
    endpoint.save(update_fields=["active"])


def enqueue_event(*, creditor: Creditor, event: str, event_id: str, payload: dict) -> list:
    """Record the event for every active endpoint; each is delivered after COMMIT."""
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
        outbox.enqueue(DELIVER_TASK, str(delivery.pk), dedup_key=f"webhook:{delivery.pk}")
        created.append(delivery)
    return created
