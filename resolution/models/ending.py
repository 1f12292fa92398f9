"""How a procedure ended (SPEC §2 steps 10–11): a breach (over 40 days late) or completion
(paid in full). One `CaseEnding` per case and kind holds a JSON snapshot of each creditor's
confirmed debt, received and outstanding at that moment; its PDFs (the breach statement, the
completion certificate) render from that snapshot, so re-rendering gives the same bytes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class EndingKind(models.TextChoices):
    BREACHED = "breached", _("Breach")
    COMPLETED = "completed", _("Completion")
    TERMINATED = "terminated", _("Termination by the ombudsman")


class CaseEnding(models.Model):
    """A case's breach or completion, recorded once per (case, kind)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("resolution.Case", on_delete=models.PROTECT, related_name="endings")
    kind = models.CharField(_("kind"), max_length=16, choices=EndingKind.choices)
    on = models.DateField(_("business date"))
    snapshot = models.JSONField(help_text=_("each creditor's debt, received and outstanding"))
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("end of a procedure")
        verbose_name_plural = _("ends of procedures")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="ending_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.on}"


class EndingDocument(models.Model):
    """One PDF of an ending: the borrower's (every creditor; `creditor` empty) or one
    creditor's own lines, in one language; `sha256` is the hash of `content`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ending = models.ForeignKey(CaseEnding, on_delete=models.CASCADE, related_name="documents")
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=2)
    title = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("end-of-procedure document")
        verbose_name_plural = _("end-of-procedure documents")
        ordering = ["ending", "creditor", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["ending", "creditor", "language"], nulls_distinct=False,
                name="ending_document_once",
            ),
        ]  # fmt: skip
