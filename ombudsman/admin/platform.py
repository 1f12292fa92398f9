"""The platform's own tables in the admin: outside-system exchanges, the outbox and the
working-day calendar."""

from django.contrib import admin
from django.db.models import Q
from django_celery_beat import models as beat

from bureau_gateway.models import BureauExchange
from finplatform.models import CalendarOverride
from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin, queue_subject_hashes
from outbox.models import OutboxMessage


@admin.register(BureauExchange)
class BureauExchangeAdmin(QueueScoped, ServiceOnlyAdmin):
    """An exchange belongs to the queue of the borrower it was about (by the keyed hash of the
    IIN); one about nobody in a queue, to seniors only."""

    list_display = ["requested_at", "service", "method", "endpoint", "status", "duration_ms"]
    list_filter = ["service", "status"]
    search_fields = ["subject_hash", "endpoint"]

    def queue_filter(self, queue):
        return Q(subject_hash__in=queue_subject_hashes(queue))


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ServiceOnlyAdmin):
    list_display = ("pk", "task_name", "created_at", "dispatched_at", "attempts")
    list_filter = ("task_name",)
    search_fields = ("task_name", "dedup_key")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


# Beat's tables hold the schedule of finplatform/celery.py, written there at every beat start:
# the schedule lives in that one place, so the admin shows the tasks and their last runs and
# edits nothing (django-celery-beat registers editable screens of its own).
for _model in (beat.PeriodicTask, beat.IntervalSchedule, beat.CrontabSchedule,
               beat.SolarSchedule, beat.ClockedSchedule):  # fmt: skip
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(beat.PeriodicTask)
class PeriodicTaskAdmin(ServiceOnlyAdmin):
    list_display = ["name", "task", "crontab", "interval", "last_run_at", "total_run_count"]
