from django.contrib import admin

from creditors.models import Creditor, CreditorStaff, Loan


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
