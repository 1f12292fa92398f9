from django.contrib import admin

from creditors.models import Creditor, CreditorStaff, Loan, PayoutDetails


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
