from django.contrib import admin

from bureau_gateway.models import BureauExchange


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
