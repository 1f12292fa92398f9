from django.contrib import admin
from django.db.models import Q

from creditors.api_keys import revoke_api_key
from creditors.models import ApiKey, Creditor, CreditorStaff, Loan, PayoutDetails, WebhookDelivery
from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin, queue_loan_ids


class StaffInline(admin.TabularInline):
    model = CreditorStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Creditor)
class CreditorAdmin(admin.ModelAdmin):
    list_display = ["name", "bin", "kind", "ombudsman", "notification_language"]
    list_filter = ["kind", "ombudsman", "notification_language"]
    search_fields = ["name", "bin"]
    inlines = [StaffInline]


@admin.register(Loan)
class LoanAdmin(QueueScoped, ServiceOnlyAdmin):
    """A loan belongs to the queue of the cases it is in; one in no case, to seniors only."""

    list_display = ["contract_number", "creditor", "kind", "secured", "total_tiyn", "overdue_days"]
    list_filter = ["kind", "secured", "creditor"]
    search_fields = ["contract_number", "borrower_iin"]

    def queue_filter(self, queue):
        return Q(pk__in=queue_loan_ids(queue))


@admin.register(PayoutDetails)
class PayoutDetailsAdmin(ServiceOnlyAdmin):
    """Read-only for staff: changes go through the creditor's own maker–checker."""

    list_display = [
        "creditor", "iban", "bank_bic", "beneficiary_name", "status", "proposed_by",
        "decided_by", "proposed_at",
    ]  # fmt: skip
    list_filter = ["status"]


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceOnlyAdmin):
    """Keys are issued with `manage.py create_api_key` (shown once); here they are listed and
    revoked. The hash never leaves the database."""

    list_display = ["prefix", "creditor", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["creditor"]
    fields = ["creditor", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return request.user.has_perm("creditors.change_apikey")

    @admin.action(description="Revoke the selected keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        for key in queryset:
            revoke_api_key(api_key=key)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceOnlyAdmin):
    """The delivery log of creditor webhooks."""

    list_display = ["event", "endpoint", "status", "attempts", "last_status_code", "created_at",
                    "delivered_at"]  # fmt: skip
    list_filter = ["status", "event"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
