"""Who looked at what (append-only: a trigger refuses UPDATE and DELETE of every table here).

- `StaffQueueAccess`: the senior role sees every ombudsman's personal data in the admin, and
  each look outside the senior's own queue leaves a row.
- `DocumentRead`: every download of a stored document (signed documents, breach statements
  and certificates, assignment agreements, termination documents, variation agreements and
  evidence, court decisions), by whom, through which door.
- `FraudFlagEvent`: the steps of a "this loan is not mine" flag.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StaffQueueAccess(models.Model):
    """One admin page by a senior staff member that showed another queue's personal data:
    a change page (one object) or a list (the ids it showed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    own_ombudsman = models.CharField(_("own queue"), max_length=16, blank=True)
    model = models.CharField(_("model"), max_length=100)
    object_ids = models.JSONField(_("objects shown"), default=list)
    path = models.CharField(_("page"), max_length=500)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("look into another queue")
        verbose_name_plural = _("looks into other queues")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.model} {self.at:%Y-%m-%d %H:%M}"


class ReadChannel(models.TextChoices):
    """The door a document left by."""

    BORROWER_PORTAL = "borrower_portal", _("borrower portal")
    CREDITOR_DASHBOARD = "creditor_dashboard", _("creditor dashboard")
    CREDITOR_API = "creditor_api", _("creditor API")
    OMBUDSMAN_ADMIN = "ombudsman_admin", _("ombudsman admin")


class ReadDocumentKind(models.TextChoices):
    """Which stored document was read; `DocumentRead.document_id` is the pk of that row
    (for the variation's two files and the court decision: of the variation, of the flag)."""

    CASE_DOCUMENT = "case_document", _("signing package document")
    ENDING_DOCUMENT = "ending_document", _("breach statement or completion certificate")
    TERMINATION = "termination", _("document the plan was ended on")
    ASSIGNMENT = "assignment", _("assignment agreement")
    VARIATION_AGREEMENT = "variation_agreement", _("variation agreement")
    VARIATION_EVIDENCE = "variation_evidence", _("income evidence")
    COURT_DECISION = "court_decision", _("court decision")


class DocumentRead(models.Model):
    """One stored document handed out: who (a user, or a creditor's API key), for which
    organisation, through which door, which document of which case, when. Written after the
    scoping read found the document, so a refused request (404) leaves no row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("user"),
    )  # fmt: skip
    api_key = models.ForeignKey(
        "creditors.ApiKey", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("API key"),
    )  # fmt: skip
    creditor = models.ForeignKey(
        "creditors.Creditor", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("creditor"),
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=20, choices=ReadChannel.choices)
    document_kind = models.CharField(_("document"), max_length=24,
                                     choices=ReadDocumentKind.choices)  # fmt: skip
    document_id = models.CharField(_("document id"), max_length=64)
    # db_index off: the (case, read_at) index below serves every lookup by case
    case = models.ForeignKey(
        "resolution.Case", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False, verbose_name=_("case"),
    )  # fmt: skip
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("document read")
        verbose_name_plural = _("document reads")
        ordering = ["-read_at", "-pk"]
        indexes = [
            # the auditor's questions: who read this case's documents; what was read when
            models.Index(fields=["case", "read_at"], name="documentread_case_read_at"),
            models.Index(fields=["read_at"], name="documentread_read_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(api_key__isnull=False),
                name="documentread_has_reader",
            ),
            models.CheckConstraint(
                condition=Q(api_key__isnull=True) | Q(channel=ReadChannel.CREDITOR_API),
                name="documentread_api_key_only_by_api",
            ),
            models.CheckConstraint(
                condition=~Q(channel__in=[ReadChannel.CREDITOR_DASHBOARD, ReadChannel.CREDITOR_API])
                | Q(creditor__isnull=False),
                name="documentread_creditor_channels_name_the_creditor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_kind} {self.document_id} {self.read_at:%Y-%m-%d %H:%M}"


class FraudStep(models.TextChoices):
    FLAGGED = "flagged", _("Borrower flagged the loan as not theirs")
    HELD = "held", _("Loan held out of the plan")
    EXCLUDED = "excluded", _("Ombudsman left the flagged loan out")
    WRITTEN_OFF = "written_off", _("Court decision: written off")
    REJECTED = "rejected", _("Court decision: the borrower's loan")
    RETURNED = "returned", _("Loan returned to the plan")
    BUREAU_CORRECTED = "bureau_corrected", _("Credit bureau told to correct the history")


class FraudFlagEvent(models.Model):
    """Every step of a fraud flag: who, when, what (append-only, like the case trail)."""

    flag = models.ForeignKey("resolution.FraudFlag", on_delete=models.PROTECT,
                             related_name="events")  # fmt: skip
    step = models.CharField(_("step"), max_length=20, choices=FraudStep.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    actor_label = models.CharField(_("by"), max_length=100)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("fraud flag step")
        verbose_name_plural = _("fraud flag steps")
        ordering = ["at", "pk"]
