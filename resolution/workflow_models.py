"""Models of the resolution workflow after the eligibility check: creditors' answers, the
ombudsman's decision, the document package, the signature and the notifications.

They live beside `resolution.models` (imported from there) so the core models stay small.
Money is integer tiyn; every outside input carrying an idempotency key lands in a row with a
unique constraint on it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditorRequest(models.Model):
    """The loan list sent to one creditor for one case, with its answer deadline."""

    case = models.ForeignKey(
        "resolution.Case", on_delete=models.CASCADE, related_name="creditor_requests"
    )
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="case_requests"
    )
    sent_at = models.DateTimeField(_("sent at"))
    deadline = models.DateTimeField(_("answer deadline"))
    answered_at = models.DateTimeField(_("fully answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    deemed_at = models.DateTimeField(_("deemed confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to a creditor")
        verbose_name_plural = _("requests to creditors")
        constraints = [
            models.UniqueConstraint(fields=["case", "creditor"], name="creditorrequest_once"),
        ]
        indexes = [models.Index(fields=["answered_at", "deadline"])]


class ConfirmationAction(models.TextChoices):
    CONFIRM = "confirm", _("Confirmed the bureau figures")
    CORRECT = "correct", _("Corrected the figures")
    DISPUTE = "dispute", _("Disputed the loan")
    DEEMED = "deemed", _("Deemed confirmed after the deadline")
    INCLUDE = "include", _("Ombudsman included the disputed loan")
    EXCLUDE = "exclude", _("Ombudsman left the disputed loan out")


class DebtConfirmation(models.Model):
    """One answer about one loan in a case, recorded beside the bureau's figures (which stay
    in `CaseLoan.bureau_*`). Rows are never updated: the latest one per loan counts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_loan = models.ForeignKey(
        "resolution.CaseLoan", on_delete=models.CASCADE, related_name="confirmations"
    )
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=ConfirmationAction.choices)
    principal_tiyn = models.BigIntegerField(_("principal, tiyn"), null=True, blank=True)
    interest_tiyn = models.BigIntegerField(_("interest, tiyn"), null=True, blank=True)
    penalty_tiyn = models.BigIntegerField(_("penalties, tiyn"), null=True, blank=True)
    total_tiyn = models.BigIntegerField(_("total, tiyn"), null=True, blank=True)
    comment = models.TextField(_("comment or reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    via = models.CharField(_("channel"), max_length=16, default="dashboard")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("debt confirmation")
        verbose_name_plural = _("debt confirmations")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="debtconfirmation_idempotency_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(total_tiyn__isnull=True) | models.Q(total_tiyn__gte=0),
                name="debtconfirmation_total_not_negative",
            ),
            # A correction carries all three components and they add up to the total.
            models.CheckConstraint(
                condition=~models.Q(action="correct")
                | models.Q(
                    principal_tiyn__gte=0,
                    interest_tiyn__gte=0,
                    penalty_tiyn__gte=0,
                    total_tiyn=models.F("principal_tiyn")
                    + models.F("interest_tiyn")
                    + models.F("penalty_tiyn"),
                ),
                name="debtconfirmation_correction_consistent",
            ),
            models.CheckConstraint(
                condition=~models.Q(action="dispute") | ~models.Q(comment=""),
                name="debtconfirmation_dispute_has_reason",
            ),
        ]


class CaseDecision(models.Model):
    """The ombudsman's approval: the terms the case was decided under (kept even if the
    schedule table changes later)."""

    case = models.OneToOneField(
        "resolution.Case", on_delete=models.CASCADE, related_name="decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    total_tiyn = models.BigIntegerField()
    term_months = models.PositiveIntegerField()
    monthly_tiyn = models.BigIntegerField()
    table_version_id = models.BigIntegerField(null=True, blank=True)
    first_due = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ombudsman decision")
        verbose_name_plural = _("ombudsman decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_tiyn__gt=0, monthly_tiyn__gt=0, term_months__gt=0),
                name="casedecision_positive_terms",
            ),
        ]


class DocumentPackage(models.Model):
    """What the borrower signs: the documents rendered from one immutable snapshot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("resolution.Case", on_delete=models.CASCADE, related_name="package")
    snapshot = models.JSONField(help_text=_("the case as decided; documents render from this"))
    language = models.CharField(max_length=2)
    package_hash = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    signing_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document package")
        verbose_name_plural = _("document packages")


class DocumentKind(models.TextChoices):
    PROTOCOL = "protocol", _("Protocol of the ombudsman's decision")
    SCHEDULE = "schedule", _("Unified repayment schedule")
    MEDIATOR = "mediator", _("Agreement with the mediator")
    CREDITOR = "creditor", _("Mediated agreement with a creditor")


class CaseDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    package = models.ForeignKey(DocumentPackage, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    content = models.BinaryField(help_text=_("the PDF bytes (kept in the database with the case)"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "kind", "creditor"],
                name="casedocument_once_per_kind",
                nulls_distinct=False,
            ),
        ]


class SigningMethod(models.TextChoices):
    SMS_CODE = "sms_code", _("One-time code by SMS")
    EDS = "eds", _("Electronic digital signature (EDS)")


class SigningCode(models.Model):
    """A one-time code for signing; only its hash is stored."""

    package = models.ForeignKey(DocumentPackage, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


class Signature(models.Model):
    package = models.OneToOneField(
        DocumentPackage, on_delete=models.PROTECT, related_name="signature"
    )
    method = models.CharField(max_length=16, choices=SigningMethod.choices)
    package_hash = models.CharField(max_length=64)
    document_hashes = models.JSONField()
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    eds_signature = models.TextField(blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")


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


from resolution.models import Case  # noqa: E402  (defined before this module is imported)


class ReviewQueueCase(Case):
    """The ombudsman's queue in the admin: the same cases, filtered to those waiting for
    creditors or for the ombudsman's decision."""

    class Meta:
        proxy = True
        verbose_name = _("case in the review queue")
        verbose_name_plural = _("review queue")
