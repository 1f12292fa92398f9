"""Models of the eligibility check: the admin-editable policy (versioned: a change is a new
row, and each check keeps the version it ran under), one check per case and one outcome per
rule, so the borrower and the ombudsman see exactly what was decided and why."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from resolution.rules import RULE_TITLES, PolicyTerms, reason_for


class EligibilityPolicy(models.Model):
    """The eligibility thresholds (SPEC §2.3, policy). The newest version applies."""

    version = models.BigAutoField(primary_key=True)
    max_total_tiyn = models.BigIntegerField(
        _("maximum total of included loans, tiyn"), default=7_000_000 * 100
    )
    min_creditors = models.PositiveSmallIntegerField(_("minimum number of creditors"), default=2)
    min_overdue_days = models.PositiveIntegerField(
        _("days overdue that count as overdue"), default=1
    )
    note = models.CharField(_("why this version"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("eligibility policy")
        verbose_name_plural = _("eligibility policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_total_tiyn__gt=0), name="eligibilitypolicy_cap_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_creditors__gte=1),
                name="eligibilitypolicy_min_creditors_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(min_overdue_days__gte=1),
                name="eligibilitypolicy_min_overdue_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def terms(self) -> PolicyTerms:
        return PolicyTerms(
            max_total_tiyn=self.max_total_tiyn,
            min_creditors=self.min_creditors,
            min_overdue_days=self.min_overdue_days,
        )


class CheckState(models.TextChoices):
    RUNNING = "running", _("Checking your credit report")
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        _("The credit bureau is unavailable at the moment; we will retry automatically"),
    )
    DONE = "done", _("Check complete")
    ERROR = "error", _("The check could not be completed; our staff have been alerted")


class EligibilityCheck(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(
        "resolution.Case", on_delete=models.PROTECT, related_name="eligibility_check"
    )
    state = models.CharField(
        _("state"), max_length=24, choices=CheckState.choices, default=CheckState.RUNNING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_code = models.CharField(max_length=40, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    policy = models.ForeignKey(
        EligibilityPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bureau_report_id = models.CharField(_("bureau report"), max_length=64, blank=True)
    bureau_report_at = models.DateTimeField(_("report generated at"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible"), null=True)
    total_tiyn = models.BigIntegerField(_("total of included loans, tiyn"), null=True)
    social_status_confirmed = models.BooleanField(
        _("vulnerable status confirmed by government data"), null=True
    )
    started_at = models.DateTimeField(_("started at"))
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=CheckState.values), name="eligibilitycheck_state"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done")
                | models.Q(eligible__isnull=False, total_tiyn__gte=0),
                name="eligibilitycheck_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_state_display()}"

    @property
    def in_progress(self) -> bool:
        return self.state in (CheckState.RUNNING, CheckState.SERVICE_UNAVAILABLE)


class RuleOutcome(models.Model):
    eligibility_check = models.ForeignKey(
        EligibilityCheck, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField()
    rule = models.CharField(_("rule"), max_length=40)
    passed = models.BooleanField(_("passed"))
    params = models.JSONField(default=dict)
    data = models.JSONField(_("data used"), default=dict)
    reason_text = models.TextField(_("reason (as recorded, English)"))

    class Meta:
        verbose_name = _("rule outcome")
        verbose_name_plural = _("rule outcomes")
        ordering = ["eligibility_check", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["eligibility_check", "rule"], name="ruleoutcome_once_per_check"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {'pass' if self.passed else 'fail'}"

    @property
    def title(self) -> str:
        return RULE_TITLES.get(self.rule, self.rule)

    @property
    def reason(self) -> str:
        """In the reader's language; the recorded English text if the rule was retired."""
        try:
            return reason_for(self.rule, self.passed, self.params)
        except (KeyError, TypeError, ValueError):
            return self.reason_text
