"""The transactional outbox: a follow-up task recorded in the same transaction as the state
change that calls for it, so a crash between COMMIT and the broker publish loses nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_now


class OutboxMessage(models.Model):
    """One Celery task to enqueue. `dispatched_at` is set once a publish to the broker
    succeeded (by the after-commit fast path or by the relay sweep); the task itself is
    idempotent, so a message published twice does no harm."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=business_now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # the request (or task) that caused it; published in the task's headers so the worker's
    # log records carry it (finplatform/requestid.py)
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        state = "dispatched" if self.dispatched_at else "pending"
        return f"{self.task_name}{self.args} ({state})"
