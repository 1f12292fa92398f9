"""What staff looked at outside their own queue: the senior role sees every ombudsman's
personal data in the admin, and each such look leaves a row here (append-only)."""

from django.conf import settings
from django.db import models
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
