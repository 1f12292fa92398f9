"""Schedules and the ledger.

Design, in short:

* The schedule table (SPEC §3) is data: a `ScheduleTableVersion` owns `ScheduleBracket` rows.
  A version that a plan uses is frozen (the admin refuses edits); a change is a new version.
* A `Plan` is the unified schedule of one case, fixed at signing: the creditors' debts
  (`CreditorShare`), the contracted `Instalment`s and each instalment's expected split
  (`InstalmentPart`). These rows never change after creation. What has been paid is *derived*
  by replaying the plan's payments (`schedules.engine.replay`), not stored on instalments.
* The ledger is double-entry in PostgreSQL: `LedgerTransaction` with `LedgerEntry` legs, each a
  positive integer of tiyn with a side (debit `D` / credit `C`). The database enforces (see
  migration 0003): legs of a transaction balance (sum of debits = sum of credits, a DEFERRABLE
  INITIALLY DEFERRED constraint trigger checked at COMMIT), legs and transactions are never
  updated or deleted, amounts are positive integers. Corrections are reversing transactions.
* Every incoming payment is an `IncomingPayment` row, unique per (source, idempotency_key).
* `CreditorShare.received_tiyn` and `Plan.paid_tiyn` are caches of the ledger kept for speed
  under the plan's row lock; `reconcile` checks them against the legs.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # Same values as resolution.Category; schedules must not import resolution.
    GENERAL = "general", _("General terms")
    VULNERABLE = "vulnerable", _("Socially vulnerable / ASP")


# --- the schedule table -------------------------------------------------------------------


class ScheduleTableVersion(models.Model):
    """One version of the schedule table. The newest active version whose `effective_from`
    has come is current; a plan keeps the version it was decided under."""

    label = models.CharField(_("label"), max_length=100)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule table version")
        verbose_name_plural = _("schedule table versions")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.effective_from:%Y-%m-%d})"

    @property
    def is_used(self) -> bool:
        return self.plans.exists()


class ScheduleBracket(models.Model):
    """Debts of `category` from `debt_from_tiyn` to `debt_to_tiyn` (both inclusive) are
    repaid over `term_months`; `ceil(debt / term)` must not exceed `max_monthly_tiyn`."""

    version = models.ForeignKey(
        ScheduleTableVersion, on_delete=models.CASCADE, related_name="brackets"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    debt_from_tiyn = models.BigIntegerField(_("debt from, tiyn"))
    debt_to_tiyn = models.BigIntegerField(_("debt to, tiyn"))
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    max_monthly_tiyn = models.BigIntegerField(_("max monthly payment, tiyn"))

    class Meta:
        verbose_name = _("schedule bracket")
        verbose_name_plural = _("schedule brackets")
        ordering = ["version", "category", "debt_from_tiyn"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "debt_from_tiyn"], name="bracket_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    debt_from_tiyn__gte=1, debt_to_tiyn__gte=models.F("debt_from_tiyn")
                ),
                name="bracket_range_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1, term_months__lte=84),
                name="bracket_term_1_to_84",
            ),
            models.CheckConstraint(
                condition=models.Q(max_monthly_tiyn__gt=0), name="bracket_max_monthly_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} ≤ {self.debt_to_tiyn}: {self.term_months} m"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.debt_to_tiyn and self.term_months and self.max_monthly_tiyn:
            even = -(-self.debt_to_tiyn // self.term_months)
            if even > self.max_monthly_tiyn:
                raise ValidationError(
                    {
                        "max_monthly_tiyn": _(
                            "The top of the bracket over this term needs %(even)s tiyn a month."
                        )
                        % {"even": even}
                    }
                )


# --- the plan (fixed at signing) ----------------------------------------------------------


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Repayment under way")
    COMPLETED = "completed", _("Paid in full")
    BREACHED = "breached", _("Breached (over 40 days late)")


class Plan(models.Model):
    """The unified repayment schedule of one case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("resolution.Case", on_delete=models.PROTECT, related_name="plan")
    table_version = models.ForeignKey(
        ScheduleTableVersion, on_delete=models.PROTECT, related_name="plans"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    total_tiyn = models.BigIntegerField(_("total debt, tiyn"))
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    monthly_tiyn = models.BigIntegerField(_("monthly payment, tiyn"))
    first_due = models.DateField(_("first due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    # Cache of the ledger (sum applied to this plan), kept under the plan's row lock.
    paid_tiyn = models.BigIntegerField(_("paid, tiyn"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    breached_on = models.DateField(_("breached on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_tiyn__gt=0), name="plan_total_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_tiyn__gte=0, paid_tiyn__lte=models.F("total_tiyn")),
                name="plan_paid_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_tiyn__gt=0, term_months__gte=1),
                name="plan_terms_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PlanStatus.values), name="plan_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.case_id}"

    @property
    def outstanding_tiyn(self) -> int:
        return self.total_tiyn - self.paid_tiyn


class ShareHold(models.TextChoices):
    """A share is regular, or the provisional share of a loan still disputed at signing
    (held: its parts go to a held account, never paid out) until the ombudsman decides."""

    NONE = "", _("Regular")
    HELD = "held", _("Held: dispute undecided")
    INCLUDED = "included", _("Dispute decided: included")
    EXCLUDED = "excluded", _("Dispute decided: left out")


class CreditorShare(models.Model):
    """A creditor's confirmed debt in a plan; its share = debt / plan total, fixed at signing.

    A loan still disputed when the ombudsman approved has its own share (`case_loan`,
    `hold=HELD`) at its provisional figure. When the dispute is decided that share is closed
    (`hold` INCLUDED or EXCLUDED, debt and received moved to the creditor's regular share or
    to the others) and its row stays for the record."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares")
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="plan_shares"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    debt_tiyn = models.BigIntegerField(_("confirmed debt, tiyn"))
    # Cache of the ledger (credits to this creditor from this plan's payments).
    received_tiyn = models.BigIntegerField(_("received, tiyn"), default=0)
    hold = models.CharField(
        _("hold"), max_length=10, choices=ShareHold.choices, default=ShareHold.NONE, blank=True
    )
    case_loan = models.OneToOneField(
        "resolution.CaseLoan", on_delete=models.PROTECT, null=True, blank=True,
        related_name="plan_share",
    )  # fmt: skip
    provisional_tiyn = models.BigIntegerField(_("provisional debt, tiyn"), null=True, blank=True)
    decided_tiyn = models.BigIntegerField(_("decided debt, tiyn"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("creditor share")
        verbose_name_plural = _("creditor shares")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "creditor"],
                condition=models.Q(case_loan__isnull=True),
                name="share_once_per_plan",
            ),  # fmt: skip
            models.UniqueConstraint(fields=["plan", "position"], name="share_position_unique"),
            models.CheckConstraint(
                condition=models.Q(debt_tiyn__gt=0)
                | models.Q(debt_tiyn=0, hold__in=["included", "excluded"]),
                name="share_debt_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(hold="", case_loan__isnull=True, provisional_tiyn__isnull=True)
                | models.Q(
                    hold__in=["held", "included", "excluded"],
                    case_loan__isnull=False,
                    provisional_tiyn__gt=0,
                ),
                name="share_hold_has_loan",
            ),
            models.CheckConstraint(
                condition=~models.Q(hold="held") | models.Q(debt_tiyn=models.F("provisional_tiyn")),
                name="share_held_at_provisional",
            ),
            models.CheckConstraint(
                condition=models.Q(received_tiyn__gte=0, received_tiyn__lte=models.F("debt_tiyn")),
                name="share_received_within_debt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creditor}: {self.debt_tiyn}"


class Instalment(models.Model):
    """One contracted line of the schedule. Never changes; its paid state is replayed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0), name="instalment_amount_positive"
            ),
        ]


class InstalmentPart(models.Model):
    """What each creditor receives out of one instalment when the schedule is kept."""

    instalment = models.ForeignKey(Instalment, on_delete=models.CASCADE, related_name="parts")
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))

    class Meta:
        verbose_name = _("instalment part")
        verbose_name_plural = _("instalment parts")
        constraints = [
            models.UniqueConstraint(fields=["instalment", "creditor"], name="part_once"),
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gte=0), name="part_amount_not_negative"
            ),
        ]


class CollectionResumption(models.Model):
    """A creditor's right to resume collection after a breach (over 40 days late)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="resumptions")
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="collection_resumptions"
    )
    oldest_unpaid_due = models.DateField(_("oldest unpaid due date"))
    days_late = models.PositiveIntegerField(_("days late"))
    granted_on = models.DateField(_("granted on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("right to resume collection")
        verbose_name_plural = _("rights to resume collection")
        constraints = [
            models.UniqueConstraint(fields=["plan", "creditor"], name="resumption_once"),
        ]


# --- the ledger ---------------------------------------------------------------------------


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

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["booked_on"])]
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

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
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


# --- payments in and out ------------------------------------------------------------------


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
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
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


class PlanAdjustment(models.Model):
    """The plan shrank after signing: a disputed loan was left out, or included at less than
    its provisional figure. `reduction_tiyn` comes off the remaining instalments from the end
    on `booked_on` (replayed like an overpayment); `refund_tiyn` is what the borrower had
    already paid beyond the new total, now owed back."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="adjustments")
    share = models.OneToOneField(CreditorShare, on_delete=models.PROTECT, related_name="adjustment")
    booked_on = models.DateField(_("business date"))
    total_drop_tiyn = models.BigIntegerField(_("plan total lowered by, tiyn"))
    reduction_tiyn = models.BigIntegerField(_("remaining instalments lowered by, tiyn"))
    refund_tiyn = models.BigIntegerField(_("owed back, tiyn"), default=0)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan adjustment")
        verbose_name_plural = _("plan adjustments")
        ordering = ["plan", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    reduction_tiyn__gte=0,
                    refund_tiyn__gte=0,
                    total_drop_tiyn=models.F("reduction_tiyn") + models.F("refund_tiyn"),
                ),
                name="adjustment_parts_add_up",
            ),
        ]
