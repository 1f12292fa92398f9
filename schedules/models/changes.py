"""What happens to a signed plan during its life besides payments: a creditor's claim sold
to another creditor (`ClaimTransfer`), and the plan ended by the ombudsman for death,
bankruptcy or fraud (`PlanTermination`).

Both are recorded first and take effect only when a member of the ombudsman's staff who did
not record them approves (maker-checker). Both keep the uploaded document (assignment
agreement; death certificate, court ruling or fraud finding) with its SHA-256, in the database
with the plan, like the signed documents.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedBinaryField
from schedules.models.ledger import LedgerTransaction
from schedules.models.plan import CreditorShare, Plan


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the ombudsman's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RecordedVia(models.TextChoices):
    DASHBOARD = "dashboard", _("Creditor dashboard")
    API = "api", _("Creditor API")
    ADMIN = "admin", _("Ombudsman (admin)")


class Document(models.Model):
    """An uploaded document kept with its hash (abstract: each change holds its own)."""

    document = EncryptedBinaryField(_("document"))  # names the borrower: encrypted at rest
    document_name = models.CharField(_("file name"), max_length=200)
    document_sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        abstract = True


class ClaimTransfer(Document):
    """A creditor's claim in a plan (its `CreditorShare`, i.e. its loan in the case) sold to
    another registered creditor from `effective_on`.

    On approval: the share's creditor becomes the buyer (future parts and payouts go to the
    buyer), the loan's creditor too (API access follows), and one TRANSFER ledger transaction
    moves to the buyer what was credited to the seller for this plan on or after
    `effective_on` and is not yet paid out (`moved_tiyn`). What the seller received up to
    then stays with it (`kept_tiyn`, its history); what it was already paid out for money
    received on or after the date (`paid_to_seller_tiyn`) is for seller and buyer to settle
    under their assignment agreement. `kept_tiyn` is what reconciliation counts to the
    seller rather than to the share's present creditor."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="claim_transfers")
    share = models.ForeignKey(CreditorShare, on_delete=models.PROTECT, related_name="transfers")
    case_loan = models.ForeignKey(
        "resolution.CaseLoan", on_delete=models.PROTECT, related_name="transfers"
    )
    from_creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="claims_sold",
        verbose_name=_("seller"),
    )  # fmt: skip
    to_creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="claims_bought",
        verbose_name=_("buyer"),
    )  # fmt: skip
    effective_on = models.DateField(_("sold from"))
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    recorded_via = models.CharField(_("recorded via"), max_length=10, choices=RecordedVia.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    kept_tiyn = models.BigIntegerField(_("kept by the seller, tiyn"), default=0)
    moved_tiyn = models.BigIntegerField(_("moved to the buyer, tiyn"), default=0)
    paid_to_seller_tiyn = models.BigIntegerField(
        _("paid out to the seller after the date, tiyn"), default=0
    )
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("claim transfer")
        verbose_name_plural = _("claim transfers")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_creditor=models.F("to_creditor")),
                name="transfer_to_another_creditor",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ChangeStatus.values), name="transfer_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kept_tiyn__gte=0, moved_tiyn__gte=0, paid_to_seller_tiyn__gte=0),
                name="transfer_amounts_not_negative",
            ),
            models.UniqueConstraint(
                fields=["share"],
                condition=models.Q(status="pending"),
                name="transfer_one_pending_per_share",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.from_creditor} → {self.to_creditor} ({self.effective_on})"


class TerminationReason(models.TextChoices):
    DEATH = "death", _("Death of the borrower")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy of the borrower")
    FRAUD = "fraud", _("Fraud found by the ombudsman")


class PlanTermination(Document):
    """The ombudsman ends a plan before it completes. Once approved the plan is TERMINATED:
    nothing further is distributed and money received afterwards goes to suspense."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="terminations")
    reason = models.CharField(_("ground"), max_length=12, choices=TerminationReason.choices)
    details = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("recorded at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan termination")
        verbose_name_plural = _("plan terminations")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ChangeStatus.values),
                name="termination_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=TerminationReason.values),
                name="termination_reason_known",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="termination_once_per_plan",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(terminated_on__isnull=False),
                name="termination_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.reason}"
