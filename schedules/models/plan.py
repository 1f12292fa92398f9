"""The plan of one case, fixed at signing: shares, instalments, their parts; the rights to
resume collection after a breach and the adjustments after a disputed loan is decided."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.table import Category, ScheduleTableVersion


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Repayment under way")
    COMPLETED = "completed", _("Paid in full")
    BREACHED = "breached", _("Breached (over 40 days late)")
    TERMINATED = "terminated", _("Terminated by the ombudsman")


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


# Shares that still take part in distribution (a decided held share is closed).
LIVE_HOLDS = (ShareHold.NONE, ShareHold.HELD)


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
    """One contracted line of the schedule; its paid state is replayed. The lines change only
    when a signed variation replaces them with a new version's (`ScheduleVersion` keeps every
    version's lines); `settled` marks what was already settled before that variation."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    settled = models.BooleanField(_("settled before a variation"), default=False)

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
    # By name: the ledger models sit above the plan models (they point at Plan).
    transaction = models.OneToOneField(
        "schedules.LedgerTransaction", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
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
