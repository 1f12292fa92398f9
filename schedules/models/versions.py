"""The versions of a plan's timetable. Version 1 is the timetable signed with the plan; each
signed variation adds the next version. The plan's live `Instalment` rows are always the
latest version's lines (what replay, reminders and the pages read); every version keeps its
own copy of its lines here, so a past timetable stays readable. Shares never change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.plan import Plan


class VersionKind(models.TextChoices):
    SIGNED = "signed", _("As signed")
    HOLIDAY = "holiday", _("Payment holiday")
    LOWER = "lower", _("Lower instalment")
    CATCH_UP = "catch_up", _("Arrears catch-up")


class ScheduleVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=VersionKind.choices)
    effective_on = models.DateField(_("effective from"))
    term_months = models.PositiveSmallIntegerField(_("term, months"))
    monthly_tiyn = models.BigIntegerField(_("monthly payment, tiyn"))
    outstanding_tiyn = models.BigIntegerField(_("outstanding when it took effect, tiyn"))
    # what made it (e.g. "variation:<uuid>"): the same source never makes two versions
    source_key = models.CharField(_("source"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="schedule_version_unique"),
            models.UniqueConstraint(
                fields=["plan", "source_key"], name="schedule_version_source_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=VersionKind.values), name="schedule_version_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class VersionInstalment(models.Model):
    """One line of one version; `settled` lines carry what was already settled when the
    version took effect (paid or lowered), the others re-time what was owed."""

    version = models.ForeignKey(ScheduleVersion, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount_tiyn = models.BigIntegerField(_("amount, tiyn"))
    settled = models.BooleanField(_("settled before this version"), default=False)

    class Meta:
        verbose_name = _("version instalment")
        verbose_name_plural = _("version instalments")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="version_line_unique"),
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0), name="version_line_amount_positive"
            ),
        ]
