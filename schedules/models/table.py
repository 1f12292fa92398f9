"""The schedule table as data: a version owns its brackets (SPEC §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    # Same values as resolution.Category; schedules must not import resolution.
    GENERAL = "general", _("General terms")
    VULNERABLE = "vulnerable", _("Socially vulnerable / ASP")


class ScheduleTableVersion(models.Model):
    """One version of the schedule table. The newest active version whose `effective_from`
    has come is current; a plan keeps the version it was decided under."""

    label = models.CharField(_("label"), max_length=100)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule table version")
        verbose_name_plural = _("schedule table versions")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.effective_from:%Y-%m-%d})"

    @property
    def is_used(self) -> bool:
        return self.plans.exists()


class ScheduleBracket(models.Model):
    """Debts of `category` from `debt_from_tiyn` to `debt_to_tiyn` (both inclusive) are
    repaid over `term_months`; `ceil(debt / term)` must not exceed `max_monthly_tiyn`."""

    version = models.ForeignKey(
        ScheduleTableVersion, on_delete=models.CASCADE, related_name="brackets"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    debt_from_tiyn = models.BigIntegerField(_("debt from, tiyn"))
    debt_to_tiyn = models.BigIntegerField(_("debt to, tiyn"))
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    max_monthly_tiyn = models.BigIntegerField(_("max monthly payment, tiyn"))

    class Meta:
        verbose_name = _("schedule bracket")
        verbose_name_plural = _("schedule brackets")
        ordering = ["version", "category", "debt_from_tiyn"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "debt_from_tiyn"], name="bracket_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    debt_from_tiyn__gte=1, debt_to_tiyn__gte=models.F("debt_from_tiyn")
                ),
                name="bracket_range_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1, term_months__lte=84),
                name="bracket_term_1_to_84",
            ),
            models.CheckConstraint(
                condition=models.Q(max_monthly_tiyn__gt=0), name="bracket_max_monthly_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} ≤ {self.debt_to_tiyn}: {self.term_months} m"

    def clean(self):
        if self.debt_to_tiyn and self.term_months and self.max_monthly_tiyn:
            even = -(-self.debt_to_tiyn // self.term_months)
            if even > self.max_monthly_tiyn:
                raise ValidationError(
                    {
                        "max_monthly_tiyn": _(
                            "The top of the bracket over this term needs %(even)s tiyn a month."
                        )
                        % {"even": even}
                    }
                )
