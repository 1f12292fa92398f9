"""Messages out of the workflow: notifications to borrowers and creditors, and the reports
to the credit bureau that a procedure started."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    DASHBOARD = "dashboard", _("Dashboard notice")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no address)")


class Notification(models.Model):
    """One message to one party on one channel. `dedup_key` is unique, so a step that runs
    twice notifies once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=254)
    borrower = models.ForeignKey(
        "borrowers.Borrower", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.CASCADE, null=True, blank=True,
        related_name="notices",
    )  # fmt: skip
    case = models.ForeignKey(
        "resolution.Case", on_delete=models.CASCADE, null=True, blank=True,
        related_name="notifications",
    )  # fmt: skip
    template_key = models.CharField(max_length=64)
    language = models.CharField(max_length=2)
    context = models.JSONField(default=dict)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]


class BureauReport(models.Model):
    """A report to the credit bureau that a procedure started on a loan; sent by a retrying
    task, recorded once per (case loan, event)."""

    case_loan = models.ForeignKey(
        "resolution.CaseLoan", on_delete=models.CASCADE, related_name="bureau_reports"
    )
    event = models.CharField(max_length=16, default="started")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_loan", "event"], name="bureaureport_once"),
        ]
