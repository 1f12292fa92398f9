"""The double-entry ledger: accounts, balanced transactions and their legs (append-only;
the database enforces it, see migration 0003)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.plan import CreditorShare, Plan


class AccountKind(models.TextChoices):
    BANK = "bank", _("Settlement bank account (asset)")
    CREDITOR_PAYABLE = "creditor_payable", _("Owed to a creditor, awaiting payout (liability)")
    SUSPENSE = "suspense", _("Unidentified payments (liability)")
    REFUND = "refund", _("Owed back to borrowers (liability)")
    HELD = "held", _("Held for a disputed loan until the ombudsman decides (liability)")


class Account(models.Model):
    """A ledger account. Balances are derived from the legs, never stored."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    creditor = models.OneToOneField(
        "creditors.Creditor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_account",
    )
    # A held account belongs to one held share (one disputed loan in one plan).
    share = models.OneToOneField(
        CreditorShare, on_delete=models.PROTECT, null=True, blank=True,
        related_name="held_account",
    )  # fmt: skip

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="creditor_payable", creditor__isnull=False)
                | (~models.Q(kind="creditor_payable") & models.Q(creditor__isnull=True)),
                name="account_creditor_iff_payable",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="held", share__isnull=False)
                | (~models.Q(kind="held") & models.Q(share__isnull=True)),
                name="account_share_iff_held",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment distributed")
    SUSPENSE = "suspense", _("Unidentified payment held")
    REFUND = "refund", _("Payment after completion (owed back)")
    PAYOUT = "payout", _("Payout to a creditor")
    REVERSAL = "reversal", _("Reversal")
    RELEASE = "release", _("Held share released after the ombudsman's decision")
    TRANSFER = "transfer", _("Claim transferred to another creditor")
    REFUND_PAYOUT = "refund_payout", _("Refund paid to a borrower")


class WritingTransactionId(models.Func):
    """The id of the database transaction that inserts the row (`pg_current_xact_id()`, an
    xid8 — epoch and xid — as a bigint), as a column default."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()
    allowed_default = True


class LedgerTransaction(models.Model):
    """One balanced movement of money. Append-only (database triggers)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    booked_on = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("created at"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Set by the database, never by code: the allocation job reads only the transactions
    # written since its last run and certainly committed or gone (below every open one).
    xact_id = models.BigIntegerField(db_default=WritingTransactionId(), editable=False)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["booked_on"]),
            models.Index(fields=["xact_id"], name="ledger_tx_xact_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TransactionKind.values), name="ledger_tx_kind_known"
            ),
        ]


class Side(models.TextChoices):
    DEBIT = "D", _("Debit")
    CREDIT = "C", _("Credit")


class LedgerEntry(models.Model):
    """One leg: a positive amount of tiyn on the debit or credit side of an account."""

    # No database FOREIGN KEY (one deferred check per leg at COMMIT): the ledger check of
    # migration 0007_set_based_ledger_checks refuses a leg whose transaction is missing, once
    # per transaction, and transactions are append-only (0003).
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", db_constraint=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0), name="entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=["D", "C"]), name="entry_side_known"
            ),
        ]
