"""The case: one borrower's application and the procedure that follows, its loans, its audit
trail, and the ombudsman staff who see it."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from creditors.models import Ombudsman
from finplatform.language import Language


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHECKING = "checking", _("Eligibility check")
    INELIGIBLE = "ineligible", _("Not eligible")
    AWAITING_CREDITORS = "awaiting_creditors", _("Awaiting creditors")
    UNDER_REVIEW = "under_review", _("Under ombudsman review")
    REJECTED = "rejected", _("Rejected by the ombudsman")
    DOCUMENTS_ISSUED = "documents_issued", _("Documents issued for signing")
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused (not signed)")
    ACTIVE = "active", _("Repayment under way")
    COMPLETED = "completed", _("Completed")
    BREACHED = "breached", _("Breached (over 40 days late)")
    TERMINATED = "terminated", _("Terminated by the ombudsman")


# A borrower may hold at most one case outside these states: so one in progress at a time,
# and none at all after a case reached signing (repeat participation is not allowed).
CLOSED_BEFORE_SIGNING = (CaseStatus.INELIGIBLE, CaseStatus.REJECTED, CaseStatus.REFUSED)


class Category(models.TextChoices):
    GENERAL = "general", _("General terms")
    VULNERABLE = "vulnerable", _("Socially vulnerable / ASP")


def new_reference() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone
    return "FK-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Case(models.Model):
    """One borrower's application and, if it goes ahead, the whole procedure that follows.

    `status` changes only through `resolution.workflow.transition`, which locks the row and
    writes a `CaseTransition` in the same transaction.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_reference, editable=False
    )
    borrower = models.ForeignKey(
        "borrowers.Borrower", on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    ombudsman = models.CharField(
        _("ombudsman"), max_length=16, choices=Ombudsman.choices, blank=True
    )
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.GENERAL
    )
    data_consent_at = models.DateTimeField(_("consent to data collection"), null=True)
    declared_vulnerable = models.BooleanField(_("declares vulnerable status or ASP"), default=False)
    declared_monthly_income_tiyn = models.BigIntegerField(
        _("declared monthly income, tiyn"), null=True, blank=True
    )
    total_debt_tiyn = models.BigIntegerField(_("total included debt, tiyn"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["borrower"],
                condition=~models.Q(status__in=[s.value for s in CLOSED_BEFORE_SIGNING]),
                name="case_one_open_or_signed_per_borrower",
                violation_error_message=_(
                    "You already have an application in progress or a signed procedure."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(total_debt_tiyn__isnull=True) | models.Q(total_debt_tiyn__gte=0),
                name="case_total_debt_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ConfirmationStatus(models.TextChoices):
    """Where a loan's debt stands: the creditor's answer, then the ombudsman's decision on a
    disputed (or fraud-flagged) loan, which replaces it — so "disputed" always means not
    decided yet. The latest `DebtConfirmation` row gives the same answer."""

    PENDING = "pending", _("Awaiting the creditor")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected by the creditor")
    DISPUTED = "disputed", _("Disputed")
    DEEMED_CONFIRMED = "deemed_confirmed", _("Deemed confirmed (no answer by the deadline)")
    INCLUDED = "included", _("Included by the ombudsman")
    EXCLUDED = "excluded", _("Left out by the ombudsman")


class CaseLoan(models.Model):
    """A loan as it stands in one case: the bureau's figures at check time (a snapshot that is
    never overwritten), whether it is included, and the creditor's answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="loans")
    loan = models.ForeignKey("creditors.Loan", on_delete=models.PROTECT, related_name="case_loans")
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, related_name="case_loans"
    )
    included = models.BooleanField(_("included"), default=True)
    exclusion_reason = models.TextField(_("why left out"), blank=True)
    bureau_principal_tiyn = models.BigIntegerField(_("bureau principal, tiyn"))
    bureau_interest_tiyn = models.BigIntegerField(_("bureau interest, tiyn"))
    bureau_penalty_tiyn = models.BigIntegerField(_("bureau penalties, tiyn"))
    bureau_total_tiyn = models.BigIntegerField(_("bureau total, tiyn"))
    # What the bureau says of the accrual (for the lawful-claims check, resolution/claims.py)
    bureau_interest_after_90_tiyn = models.BigIntegerField(
        _("bureau interest accrued after day 90 overdue, tiyn"), default=0
    )
    bureau_penalty_after_90_tiyn = models.BigIntegerField(
        _("bureau penalties accrued after day 90 overdue, tiyn"), default=0
    )
    bureau_penalty_charges = models.JSONField(
        _("penalties charged per instalment (due date, paid on, amount)"), default=list,
        blank=True,
    )  # fmt: skip
    # For the debt-burden ratio (resolution/burden.py); None where the report had none
    bureau_monthly_payment_tiyn = models.BigIntegerField(
        _("bureau monthly payment, tiyn"), null=True, blank=True
    )
    bureau_overdue_payments_tiyn = models.BigIntegerField(
        _("bureau overdue payments, tiyn"), null=True, blank=True
    )
    bureau_max_overdue_days_12m = models.PositiveIntegerField(
        _("longest delay in the last 12 months, days"), null=True, blank=True
    )
    bureau_restructurings = models.JSONField(
        _("restructurings (date, debt then, debt six months later)"), default=list, blank=True
    )
    confirmation_status = models.CharField(
        _("status of the debt"), max_length=20, choices=ConfirmationStatus.choices,
        default=ConfirmationStatus.PENDING,
    )  # fmt: skip
    confirmed_total_tiyn = models.BigIntegerField(_("confirmed total, tiyn"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan in a case")
        verbose_name_plural = _("loans in a case")
        constraints = [
            models.UniqueConstraint(fields=["case", "loan"], name="caseloan_once_per_case"),
            models.CheckConstraint(
                condition=models.Q(
                    bureau_principal_tiyn__gte=0,
                    bureau_interest_tiyn__gte=0,
                    bureau_penalty_tiyn__gte=0,
                    bureau_total_tiyn=models.F("bureau_principal_tiyn")
                    + models.F("bureau_interest_tiyn")
                    + models.F("bureau_penalty_tiyn"),
                ),
                name="caseloan_bureau_figures_consistent",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=models.Q(confirmed_total_tiyn__isnull=True)
                | models.Q(confirmed_total_tiyn__gte=0),
                name="caseloan_confirmed_not_negative",
            ),
        ]


class CaseTransition(models.Model):
    """The audit trail: every state change of a case, append-only (a trigger refuses
    UPDATE and DELETE)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=24, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=24, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    actor_label = models.CharField(
        max_length=100, help_text=_("'system', a job name, or the user's role and name")
    )
    reason = models.TextField(blank=True)
    # why, as a stable code and its data (resolution/trail.py): the timeline shows its label
    # in the reader's language; `reason` stays the audit text
    reason_code = models.CharField(max_length=40, blank=True, default="")
    reason_args = models.JSONField(blank=True, default=dict)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "pk"]


class OmbudsmanStaff(models.Model):
    """A staff member of one ombudsman: sees that ombudsman's cases in the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ombudsman_staff"
    )
    ombudsman = models.CharField(_("ombudsman"), max_length=16, choices=Ombudsman.choices)
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RUSSIAN,
        help_text=_("The interface after sign-in and emails to this person are in this language."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("ombudsman staff member")
        verbose_name_plural = _("ombudsman staff")
        # The senior role: sees every queue in the admin, each look at another queue's
        # personal data written to StaffQueueAccess.
        permissions = [("view_all_queues", "Can see every ombudsman's queue (audited)")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_ombudsman_display()})"
