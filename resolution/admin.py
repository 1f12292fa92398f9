from django.contrib import admin

from resolution.admin_review import ReviewMixin
from resolution.models import Case, CaseLoan, CaseTransition, OmbudsmanStaff


class CaseLoanInline(admin.TabularInline):
    model = CaseLoan
    extra = 0
    can_delete = False
    fields = ["creditor", "loan", "included", "exclusion_reason", "bureau_total_tiyn",
              "confirmation_status", "confirmed_total_tiyn"]  # fmt: skip
    readonly_fields = fields


class TransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReviewMixin, admin.ModelAdmin):
    list_display = ["reference", "borrower", "status", "ombudsman", "total_debt_tiyn", "created_at",
                    "review_link"]  # fmt: skip
    list_filter = ["status", "ombudsman", "category"]
    search_fields = ["reference", "borrower__full_name", "borrower__iin"]
    readonly_fields = ["reference", "borrower", "status", "submitted_at", "total_debt_tiyn"]
    inlines = [CaseLoanInline, TransitionInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        staff = getattr(request.user, "ombudsman_staff", None)
        if request.user.is_superuser or staff is None:
            return qs if request.user.is_superuser else qs.none()
        return qs.filter(ombudsman=staff.ombudsman)


@admin.register(OmbudsmanStaff)
class OmbudsmanStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "ombudsman"]
