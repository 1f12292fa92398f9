"""Refunds to borrowers: money on the refund liability (overpayments, a disputed loan left
out after the borrower paid towards it) paid back to the borrower's verified IBAN.

* `RefundDetails`: the borrower's IBAN for refunds. Verified means set right after a fresh
  remote identification of the borrower for this purpose (SPEC §7: payout details need
  biometrics again; an EDS or ЦОИД biometric check plus the operator check, the
  `Identification` row with purpose `payout_details`, used once: the database refuses a
  verified row without one). No SMS code confirms it. A newly verified IBAN supersedes the old
  one; open refunds not yet approved move to it and start the four-eyes check again.
* `RefundPayout`: one refund, four eyes and a payout run. The borrower asks (REQUESTED); an
  ombudsman's staff member prepares it (PREPARED, the maker); another approves it (APPROVED,
  the checker, never the maker: the database refuses it); the daily payout run, the same run
  that pays creditors, pays it with one ledger transaction (debit the refund liability,
  credit the bank; kind `refund_payout`, which PostgreSQL lets debit only the refund account,
  never below zero: migration 0008) and it is PAID, once: the transaction is one-to-one and
  the run takes only APPROVED rows under a row lock.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.plan import Plan


class RefundDetailsStatus(models.TextChoices):
    VERIFIED = "verified", _("Verified by the borrower")
    SUPERSEDED = "superseded", _("Replaced by newer details")


class RefundDetails(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borrower = models.ForeignKey(
        "borrowers.Borrower", on_delete=models.PROTECT, related_name="refund_details"
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    status = models.CharField(
        _("status"), max_length=12, choices=RefundDetailsStatus.choices,
        default=RefundDetailsStatus.VERIFIED,
    )  # fmt: skip
    identification = models.OneToOneField(
        "borrowers.Identification", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("identification"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("borrower's refund IBAN")
        verbose_name_plural = _("borrowers' refund IBANs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["borrower"],
                condition=models.Q(status="verified"),
                name="one_verified_refund_iban",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(identification__isnull=False),
                name="verified_refund_iban_identified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iban[:4]}…{self.iban[-4:]}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the borrower")
    PREPARED = "prepared", _("Prepared, awaiting a second approval")
    APPROVED = "approved", _("Approved, paid in the next payout run")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


OPEN_REFUND_STATUSES = (RefundStatus.REQUESTED, RefundStatus.PREPARED, RefundStatus.APPROVED)


class RefundPayout(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="refund_payouts")
    details = models.ForeignKey(RefundDetails, on_delete=models.PROTECT, related_name="+")
    iban = models.CharField(_("IBAN"), max_length=34)  # as it was when requested
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    status = models.CharField(
        _("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    transaction = models.OneToOneField(
        "schedules.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="refund_payout",
    )  # fmt: skip

    class Meta:
        verbose_name = _("refund to a borrower")
        verbose_name_plural = _("refunds to borrowers")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0), name="refund_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status__in=OPEN_REFUND_STATUSES),
                name="one_open_refund_per_plan",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("prepared_by")),
                name="refund_checker_is_not_maker",
            ),
            models.CheckConstraint(
                condition=models.Q(status="paid", transaction__isnull=False, paid_on__isnull=False)
                | (~models.Q(status="paid") & models.Q(transaction__isnull=True)),
                name="refund_paid_iff_booked",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount_tiyn} → {self.iban}"
