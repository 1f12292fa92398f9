from django.contrib import admin

from ombudsman.admin.review import ReviewMixin, ReviewQueueAdmin
from resolution.models import (
    Case,
    CaseLoan,
    CaseTransition,
    EligibilityCheck,
    EligibilityPolicy,
    Notification,
    OmbudsmanStaff,
    ReviewQueueCase,
    RuleOutcome,
)


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


class RuleOutcomeInline(admin.TabularInline):
    model = RuleOutcome
    extra = 0
    can_delete = False
    fields = ["position", "rule", "passed", "reason_text", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(admin.ModelAdmin):
    list_display = ["case", "state", "eligible", "total_tiyn", "attempts", "finished_at"]
    list_filter = ["state", "eligible"]
    search_fields = ["case__reference"]
    readonly_fields = [f.name for f in EligibilityCheck._meta.fields]
    inlines = [RuleOutcomeInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        staff = getattr(request.user, "ombudsman_staff", None)
        return qs.filter(case__ombudsman=staff.ombudsman) if staff else qs.none()


@admin.register(EligibilityPolicy)
class EligibilityPolicyAdmin(admin.ModelAdmin):
    """Versioned: a change is saved as a new version; old versions stay as they were, since
    each check points at the version it ran under."""

    list_display = ["version", "max_total_tiyn", "min_creditors", "min_overdue_days",
                    "created_at", "created_by", "note"]  # fmt: skip
    readonly_fields = ["version", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)


admin.site.register(ReviewQueueCase, ReviewQueueAdmin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["template_key", "channel", "recipient", "language", "status", "created_at",
                    "sent_at"]  # fmt: skip
    list_filter = ["channel", "status", "template_key"]
    search_fields = ["recipient", "case__reference", "dedup_key"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
