"""A variation of an active plan (issue 14): the borrower asks, the ombudsman proposes a new
timetable, creditors may object within a window of working days (silence is consent), the
borrower signs the variation agreement within 72 hours, and the plan gets its next schedule
version. One open variation per case at a time."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedBinaryField, EncryptedTextField
from finplatform.models import OneTimeCode
from resolution.models.case import Case


class VariationKind(models.TextChoices):
    HOLIDAY = "holiday", _("Payment holiday")
    LOWER = "lower", _("Lower instalment")
    CATCH_UP = "catch_up", _("Arrears catch-up")


class VariationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the borrower")
    PROPOSED = "proposed", _("Proposed: creditors may object")
    OBJECTED = "objected", _("Blocked by a creditor's objection")
    DECLINED = "declined", _("Declined by the ombudsman")
    AWAITING_SIGNATURE = "awaiting_signature", _("Agreement issued for signing")
    SIGNED = "signed", _("Signed: new schedule in force")
    EXPIRED = "expired", _("Not signed in time")
    # the plan ended while the variation was open: closed without a decision, nothing changed
    PLAN_COMPLETED = "plan_completed", _("Closed: the plan was paid in full")
    PLAN_BREACHED = "plan_breached", _("Closed: the plan was breached (over 40 days late)")
    PLAN_TERMINATED = "plan_terminated", _("Closed: the ombudsman ended the plan")


OPEN_STATUSES = (
    VariationStatus.REQUESTED,
    VariationStatus.PROPOSED,
    VariationStatus.AWAITING_SIGNATURE,
)


class Variation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="variations")
    kind = models.CharField(_("kind"), max_length=16, choices=VariationKind.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=VariationStatus.choices,
        default=VariationStatus.REQUESTED,
    )  # fmt: skip
    reason = models.TextField(_("reason"))
    monthly_income_tiyn = models.BigIntegerField(_("monthly income now, tiyn"))
    evidence = EncryptedBinaryField(_("income evidence"))
    evidence_name = models.CharField(_("evidence file"), max_length=200)
    evidence_type = models.CharField(max_length=40)
    holiday_months = models.PositiveSmallIntegerField(_("holiday, months"), default=0)
    proposed_monthly_tiyn = models.BigIntegerField(
        _("proposed instalment, tiyn"), null=True, blank=True
    )
    catch_up_months = models.PositiveSmallIntegerField(_("arrears spread over, months"), default=3)
    requested_at = models.DateTimeField(_("requested at"))
    # the ombudsman's proposal: the new timetable from `anchor_due`, before and after
    anchor_due = models.DateField(_("new timetable from"), null=True, blank=True)
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    objection_deadline = models.DateTimeField(_("objections until"), null=True, blank=True)
    decline_reason = models.TextField(_("reason declined"), blank=True)
    # the variation agreement (PDF in the borrower's language) and its signature
    document = models.BinaryField(_("variation agreement"), null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    document_language = models.CharField(max_length=2, blank=True)
    issued_at = models.DateTimeField(_("agreement issued at"), null=True, blank=True)
    signing_deadline = models.DateTimeField(_("sign by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature_method = models.CharField(_("signed by"), max_length=16, blank=True)
    eds_signature = EncryptedTextField(blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    version_number = models.PositiveSmallIntegerField(_("schedule version"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # the request form's one-off key and a hash of what was asked: a double submit answers
    # with this variation instead of an error (finplatform/idempotency.py)
    request_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    request_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("plan variation")
        verbose_name_plural = _("plan variations")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="variation_one_open_per_case",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["case", "request_key"], name="variation_request_key_once_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VariationStatus.values), name="variation_status"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=VariationKind.values), name="variation_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(holiday_months__lte=3), name="variation_holiday_at_most_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"


class VariationObjection(models.Model):
    """A creditor's objection within the window: it blocks the variation."""

    variation = models.ForeignKey(Variation, on_delete=models.PROTECT, related_name="objections")
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("objection to a variation")
        verbose_name_plural = _("objections to variations")
        constraints = [
            models.UniqueConstraint(fields=["variation", "creditor"], name="objection_once"),
        ]


class VariationCode(OneTimeCode):
    """A one-time code for signing a variation agreement; only its HMAC is stored."""

    variation = models.ForeignKey(Variation, on_delete=models.CASCADE, related_name="codes")
