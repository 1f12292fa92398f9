""" "This loan is not mine": the borrower's statement that a loan of their case was taken out
in their name by someone else (the regulator's letter on remote identification: interest
accrual and claims work stop; after a court decision the debt is written off and the credit
history corrected). One flag per loan of a case; its every step is on `FraudFlagEvent`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedBinaryField


class FraudFlagStatus(models.TextChoices):
    OPEN = "open", _("Open: awaiting a court decision")
    WRITTEN_OFF = "written_off", _("Court: not the borrower's loan, written off")
    REJECTED = "rejected", _("Court: the borrower's loan, flag rejected")


class FraudFlag(models.Model):
    """The borrower's flag on one loan of their case and, once uploaded by the ombudsman, the
    court decision on it (document, date, number). While OPEN the loan is held out of the plan
    like an undecided dispute; WRITTEN_OFF leaves it out for good and the credit bureau is
    told to correct the history (`BureauReport` event "corrected"); REJECTED returns it to the
    creditors' answers and the dispute rules."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case_loan = models.OneToOneField(
        "resolution.CaseLoan", on_delete=models.PROTECT, related_name="fraud_flag"
    )
    statement = models.TextField(_("the borrower's statement"))
    flagged_at = models.DateTimeField(_("flagged at"))
    # From this day the creditor stops interest accrual and claims work on the loan.
    accrual_stopped_on = models.DateField(_("interest accrual and claims work stopped on"))
    status = models.CharField(
        _("status"), max_length=16, choices=FraudFlagStatus.choices, default=FraudFlagStatus.OPEN
    )
    court_decision_number = models.CharField(_("court decision number"), max_length=100,
                                             blank=True)  # fmt: skip
    court_decision_date = models.DateField(_("court decision date"), null=True, blank=True)
    court_document = EncryptedBinaryField(_("court decision document"), null=True, blank=True)
    court_document_name = models.CharField(_("file name"), max_length=200, blank=True)
    court_document_sha256 = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField(_("court decision recorded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("fraud flag")
        verbose_name_plural = _("fraud flags (this loan is not mine)")
        ordering = ["-flagged_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(statement=""), name="fraudflag_has_statement"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="open", court_decision_date__isnull=True, decided_at__isnull=True
                )
                | (
                    models.Q(
                        status__in=["written_off", "rejected"],
                        court_decision_date__isnull=False,
                        decided_at__isnull=False,
                    )
                    & ~models.Q(court_decision_number="")
                    & ~models.Q(court_document_sha256="")
                ),
                name="fraudflag_decided_with_court_decision",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.case_loan_id} {self.status}"
