"""Money in and out: payment providers, incoming payments (one per source and
idempotency key) and daily payouts to creditors."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.ledger import LedgerTransaction
from schedules.models.plan import Plan


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PaymentProvider(models.Model):
    """A payment provider allowed to post payments. Its API key is stored only hashed."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment provider")
        verbose_name_plural = _("payment providers")

    def __str__(self) -> str:
        return self.name

    def set_new_key(self) -> str:
        """Generate a key, keep its hash; the clear key is returned once and never stored."""
        key = "pk_" + secrets.token_urlsafe(32)
        self.key_prefix = key[:10]
        self.key_hash = hash_api_key(key)
        return key


class PaymentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied to a schedule")
    SUSPENSE = "suspense", _("Held: payer not identified")
    REFUND = "refund", _("Owed back: schedule already paid")
    REVERSED = "reversed", _("Reversed")


class IncomingPayment(models.Model):
    """Every incoming payment lands here first; (source, idempotency_key) is unique, so a
    payment sent twice is booked once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("source"), max_length=60)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    request_hash = models.CharField(max_length=64)
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    paid_at = models.DateTimeField(_("credited at"))
    paid_on = models.DateField(_("business date credited"))
    payer_iin = models.CharField(_("payer IIN"), max_length=12, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=32, blank=True)
    # No index of its own: Meta's (plan, paid_on) serves every look-up by plan, and one index
    # fewer is one write fewer for every payment booked.
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
        db_index=False,
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices)
    applied_tiyn = models.BigIntegerField(_("applied to the schedule, tiyn"), default=0)
    refund_tiyn = models.BigIntegerField(_("owed back, tiyn"), default=0)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="payment"
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("incoming payment")
        verbose_name_plural = _("incoming payments")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["plan", "paid_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "idempotency_key"], name="payment_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    applied_tiyn__gte=0,
                    refund_tiyn__gte=0,
                    amount_tiyn__gte=models.F("applied_tiyn") + models.F("refund_tiyn"),
                ),
                name="payment_parts_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.idempotency_key}"


class Payout(models.Model):
    """One day's transfer to one creditor of everything owed to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="payouts"
    )
    payout_date = models.DateField(_("payout date"))
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="payout"
    )
    # The approved (maker-checker) details the money was sent to, and the IBAN as it was then.
    payout_details = models.ForeignKey(
        "creditors.PayoutDetails", on_delete=models.PROTECT, null=True, blank=True,
        related_name="payouts",
    )  # fmt: skip
    iban = models.CharField(_("IBAN"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-payout_date"]
        constraints = [
            models.UniqueConstraint(fields=["creditor", "payout_date"], name="payout_once_a_day"),
            models.CheckConstraint(condition=models.Q(amount_tiyn__gt=0), name="payout_positive"),
        ]
