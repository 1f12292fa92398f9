from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A one-off change to Kazakhstan's working calendar that the `holidays` package does not
    know yet: a day off moved by government decree, or a working Saturday."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class OneTimeCode(models.Model):
    """One texted code per row, kept only as its HMAC: what finplatform/onetime_codes.py's
    `issue` and `consume` read and write. Each caller adds the row it belongs to."""

    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AttemptCounter(models.Model):
    """Failed sign-ins or issued codes per (scope, hashed identity), kept in PostgreSQL so
    the limits hold while Redis is down (finplatform/throttle.py)."""

    scope = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "digest"], name="attempt_counter_identity")
        ]


class DailyRun(models.Model):
    """How far a daily job has got: the last business date it covered. A job that was not run
    for days (beat or workers down, a container recreated) covers every date since on its
    next run (finplatform/dailyruns.py)."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    covered_through = models.DateField(_("covered through"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily job")
        verbose_name_plural = _("daily jobs")

    def __str__(self) -> str:
        return f"{self.name}: {self.covered_through}"


class TaskRun(models.Model):
    """When each periodic task (the beat schedule) last finished successfully, and what it
    returned: the metrics endpoint reports how long ago each sweep ran, and the ledger
    reconciliation's latest result, without running anything at scrape time."""

    name = models.CharField(_("task"), max_length=200, unique=True)
    finished_at = models.DateTimeField(_("last finished at"))
    result = models.JSONField(_("last result"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self) -> str:
        return f"{self.name} @ {self.finished_at:%Y-%m-%d %H:%M}"
