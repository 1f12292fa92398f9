from __future__ import annotations

import time

import requests
from celery import shared_task
from django.conf import settings

from creditors.models import WebhookDelivery
from creditors.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from finplatform.clock import business_now


class WebhookFailed(Exception):
    pass


@shared_task(
    bind=True, name="creditors.tasks.deliver_webhook", time_limit=60, soft_time_limit=50,
    max_retries=None,
)  # fmt: skip
def deliver_webhook(self, delivery_id: str) -> str:
    """POST one delivery; on failure retry with exponential backoff (2, 4, 8 ... s, capped at
    an hour) until WEBHOOK_MAX_ATTEMPTS, then mark it failed. Delivered ones are skipped."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    code, error = None, ""
    try:
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
        code = response.status_code
        ok = 200 <= code < 300
        if not ok:
            error = f"HTTP {code}"
    except requests.RequestException as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
    attempts = delivery.attempts + 1
    max_attempts = settings.RESOLUTION_POLICY["WEBHOOK_MAX_ATTEMPTS"]
    if ok:
        status = WebhookDelivery.Status.DELIVERED
    elif attempts >= max_attempts:
        status = WebhookDelivery.Status.FAILED
    else:
        status = WebhookDelivery.Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        attempts=attempts, last_status_code=code, last_error=error, status=status,
        delivered_at=business_now() if ok else None,
    )  # fmt: skip
    if status == WebhookDelivery.Status.PENDING:
        raise self.retry(countdown=min(2**attempts, 3600), exc=WebhookFailed(error))
    return status
