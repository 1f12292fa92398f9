from django.contrib import admin

from creditors.api_keys import revoke_api_key
from creditors.models import ApiKey, Creditor, CreditorStaff, Loan, PayoutDetails, WebhookDelivery


class StaffInline(admin.TabularInline):
    model = CreditorStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    list_display = ["name", "bin", "kind", "ombudsman"]
    list_filter = ["kind", "ombudsman"]
    search_fields = ["name", "bin"]
    inlines = [StaffInline]


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["contract_number", "creditor", "kind", "secured", "total_tiyn", "overdue_days"]
    list_filter = ["kind", "secured", "creditor"]
    search_fields = ["contract_number", "borrower_iin"]


@admin.register(PayoutDetails)
class PayoutDetailsAdmin(admin.ModelAdmin):
    """Read-only for staff: changes go through the creditor's own maker–checker."""

    list_display = ["creditor", "iban", "status", "proposed_by", "decided_by", "proposed_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in PayoutDetails._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued with `manage.py create_api_key` (shown once); here they are listed and
    revoked. The hash never leaves the database."""

    list_display = ["prefix", "creditor", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["creditor"]
    fields = ["creditor", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            revoke_api_key(api_key=key)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log of creditor webhooks."""

    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "created_at",
                    "delivered_at"]  # fmt: skip
    list_filter = ["status", "event"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
