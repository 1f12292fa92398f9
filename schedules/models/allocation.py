"""What each creditor's part of each payment paid, by component (`schedules.allocation`):
overdue principal, overdue interest, penalty, current principal, current interest, costs.

Filled after booking by a set-based job (`resolution.services.allocation`), never by the
booking itself: one row per (ledger transaction, share, loan, component), the rows of one
part summing to the part (negative for a reversal). Append-only like the ledger: a row is
never changed, and a (transaction, share) pair is allocated once (the unique constraint
makes a second run of the job a no-op)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.ledger import LedgerTransaction
from schedules.models.plan import CreditorShare


class AllocationComponent(models.TextChoices):
    OVERDUE_PRINCIPAL = "overdue_principal", _("Overdue principal")
    OVERDUE_INTEREST = "overdue_interest", _("Overdue interest")
    PENALTY = "penalty", _("Penalty")
    CURRENT_PRINCIPAL = "current_principal", _("Current principal")
    CURRENT_INTEREST = "current_interest", _("Current interest")
    COSTS = "costs", _("Costs of collection")
    UNALLOCATED = "unallocated", _("Above the confirmed components")


class PartAllocation(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="allocations"
    )
    share = models.ForeignKey(CreditorShare, on_delete=models.PROTECT, related_name="allocations")
    # By name: the case loans sit above (resolution); null only for UNALLOCATED.
    case_loan = models.ForeignKey(
        "resolution.CaseLoan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    component = models.CharField(_("component"), max_length=20, choices=AllocationComponent.choices)
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    booked_on = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("allocated at"))

    class Meta:
        verbose_name = _("allocation of a part")
        verbose_name_plural = _("allocations of parts")
        ordering = ["booked_on", "transaction", "share", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "share", "case_loan", "component"],
                nulls_distinct=False,
                name="allocation_once",
            ),
            models.CheckConstraint(condition=~models.Q(amount_tiyn=0), name="allocation_not_zero"),
            models.CheckConstraint(
                condition=models.Q(component__in=AllocationComponent.values),
                name="allocation_component_known",
            ),
        ]
        indexes = [models.Index(fields=["share", "transaction"])]


class AllocationProgress(models.Model):
    """How far the allocation job has read (one row): every ledger transaction written by a
    database transaction below `below_xact_id` has been allocated or needed nothing."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    below_xact_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("allocation progress")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="allocation_progress_one_row")
        ]
