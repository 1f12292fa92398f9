"""The platform's own tables in the admin: outside-system exchanges, the outbox and the
working-day calendar."""

from django.contrib import admin

from bureau_gateway.models import BureauExchange
from finplatform.models import CalendarOverride
from outbox.models import OutboxMessage


@admin.register(BureauExchange)
class BureauExchangeAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "service", "method", "endpoint", "status", "duration_ms"]
    list_filter = ["service", "status"]
    search_fields = ["subject_hash", "endpoint"]
    readonly_fields = [f.name for f in BureauExchange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "task_name", "created_at", "dispatched_at", "attempts")
    list_filter = ("task_name",)
    search_fields = ("task_name", "dedup_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
