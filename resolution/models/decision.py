"""The ombudsman's decision and the document package rendered from it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # The lawful-claims check as it stood when the ombudsman decided (resolution/claims.py)
    findings = models.JSONField(default=list, blank=True)

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
