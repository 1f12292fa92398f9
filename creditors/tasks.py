from __future__ import annotations

from celery import shared_task
from django.conf import settings

from bureau_gateway.adapters import get_adapter
from creditors.models import WebhookDelivery
from finplatform.clock import business_now


class WebhookFailed(Exception):
    pass


@shared_task(
    bind=True, name="creditors.tasks.deliver_webhook", time_limit=60, soft_time_limit=50,
    max_retries=None,
)  # fmt: skip
def deliver_webhook(self, delivery_id: str) -> str:
    """POST one delivery through the edge; on failure retry with exponential backoff (2, 4,
    8 ... s, capped at an hour) until WEBHOOK_MAX_ATTEMPTS, then mark it failed. Delivered
    ones are skipped."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    outcome = get_adapter("webhooks").deliver(
        url=delivery.endpoint.url, secret=delivery.endpoint.secret, event=delivery.event,
        delivery_id=str(delivery.pk), body=delivery.body.encode(),
    )  # fmt: skip
    attempts = delivery.attempts + 1
    max_attempts = settings.RESOLUTION_POLICY["WEBHOOK_MAX_ATTEMPTS"]
    if outcome.delivered:
        status = WebhookDelivery.Status.DELIVERED
    elif attempts >= max_attempts:
        status = WebhookDelivery.Status.FAILED
    else:
        status = WebhookDelivery.Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        attempts=attempts, last_status_code=outcome.status_code, last_error=outcome.error,
        status=status, delivered_at=business_now() if outcome.delivered else None,
    )  # fmt: skip
    if status == WebhookDelivery.Status.PENDING:
        raise self.retry(countdown=min(2**attempts, 3600), exc=WebhookFailed(outcome.error))
    return status
