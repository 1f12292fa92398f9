"""What the debt-burden ratio of a case is computed from, beyond the loans (which carry their
bureau figures in `CaseLoan.bureau_*`): the bureau's list of payments to gambling operators
and the official income from the government data, each with where and when it came from.
Written once by the eligibility check; shown only to the ombudsman (resolution/burden.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficialIncomeState(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required by the rules")
    RECEIVED = "received", _("Received from the government data")
    UNKNOWN = "unknown", _("The government data know no income")
    UNAVAILABLE = "unavailable", _("The government data did not answer")


class BurdenEvidence(models.Model):
    case = models.OneToOneField(
        "resolution.Case", on_delete=models.CASCADE, related_name="burden_evidence"
    )
    bureau_report_id = models.CharField(_("bureau report"), max_length=64, blank=True)
    bureau_report_at = models.DateTimeField(_("report generated at"), null=True, blank=True)
    # [{"on": ISO date, "amount_tiyn": int}]; null: the report had no such section
    gambling_payments = models.JSONField(_("payments to gambling operators"), null=True)
    official_income_state = models.CharField(
        _("official income"), max_length=16, choices=OfficialIncomeState.choices,
        default=OfficialIncomeState.NOT_REQUIRED,
    )  # fmt: skip
    official_income_why = models.CharField(_("why it was required"), max_length=200, blank=True)
    official_income_tiyn = models.BigIntegerField(
        _("official monthly income, tiyn"), null=True, blank=True
    )
    official_income_months = models.PositiveSmallIntegerField(
        _("months with income of the last six"), null=True, blank=True
    )
    official_income_source = models.CharField(_("source"), max_length=200, blank=True)
    official_income_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("debt-burden evidence")
        verbose_name_plural = _("debt-burden evidence")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(official_income_state="received")
                | models.Q(official_income_tiyn__gte=0, official_income_at__isnull=False),
                name="burdenevidence_received_has_income",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}"
