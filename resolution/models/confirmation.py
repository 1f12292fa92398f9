"""The creditors' side of a case: the loan list sent to each creditor and every answer about
a loan, recorded beside the bureau's figures. Every outside input carrying an idempotency key
lands in a row with a unique constraint on it."""

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
    WRITE_OFF = "write_off", _("Written off after a court decision (not the borrower's loan)")


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
    # Of principal and interest, the part overdue (MFO rules: a payment pays overdue before
    # current). Optional: when a creditor gives none, the loan's bureau overdue days decide
    # (`schedules.allocation.loan_components`).
    overdue_principal_tiyn = models.BigIntegerField(
        _("overdue principal, tiyn"), null=True, blank=True
    )
    overdue_interest_tiyn = models.BigIntegerField(
        _("overdue interest, tiyn"), null=True, blank=True
    )
    comment = models.TextField(_("comment or reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    via = models.CharField(_("channel"), max_length=16, default="dashboard")
    # The creditor's API key an answer through the API came by (`by` stays empty: no person
    # signs in with a key). PROTECT: a revoked key keeps its row, and the answer keeps
    # pointing at it, as `DocumentRead.api_key` does.
    api_key = models.ForeignKey(
        "creditors.ApiKey", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("API key"),
    )  # fmt: skip
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
                condition=(
                    models.Q(overdue_principal_tiyn__isnull=True)
                    | models.Q(
                        overdue_principal_tiyn__gte=0,
                        overdue_principal_tiyn__lte=models.F("principal_tiyn"),
                    )
                )
                & (
                    models.Q(overdue_interest_tiyn__isnull=True)
                    | models.Q(
                        overdue_interest_tiyn__gte=0,
                        overdue_interest_tiyn__lte=models.F("interest_tiyn"),
                    )
                ),
                name="debtconfirmation_overdue_within_components",
            ),
            models.CheckConstraint(
                condition=~models.Q(action="dispute") | ~models.Q(comment=""),
                name="debtconfirmation_dispute_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(api_key__isnull=True) | models.Q(via="api"),
                name="debtconfirmation_api_key_only_by_api",
            ),
        ]
