from django.contrib import admin
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from ombudsman.admin.base import CaseColumns, QueueScoped, ReadOnlyInline, ServiceOnlyAdmin
from ombudsman.admin.fraud import FraudFlagFilter
from ombudsman.admin.help import NeedsPersonFilter
from ombudsman.admin.review import ReviewMixin, ReviewQueueAdmin
from resolution.models import (
    Case,
    CaseLoan,
    CaseTransition,
    DocumentRead,
    EligibilityCheck,
    EligibilityPolicy,
    Notification,
    ReviewQueueCase,
    RuleOutcome,
    StaffQueueAccess,
)
from resolution.selectors import ombudsman as reads
from schedules.table import terms_for


class CaseLoanInline(ReadOnlyInline):
    model = CaseLoan
    fields = ["creditor", "loan", "included", "exclusion_reason", "bureau_total_tiyn",
              "confirmation_status", "confirmed_total_tiyn"]  # fmt: skip
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = CaseTransition
    fields = ["at", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReviewMixin, CaseColumns, QueueScoped, ServiceOnlyAdmin):
    """View only: status, category, declared vulnerability and income, the ombudsman change
    through the workflow services (the review page: approve, reject, reassign), each with a
    row on the audit trail."""

    list_display = ["reference", "review_link", "borrower_name", "status", "ombudsman",
                    "total_debt_tiyn", "created"]  # fmt: skip
    list_filter = [NeedsPersonFilter, FraudFlagFilter, "status", "ombudsman", "category"]
    search_fields = ["reference", "borrower__full_name", "borrower__iin"]
    inlines = [CaseLoanInline, TransitionInline]
    readonly_fields = ["debt_burden"]

    def queue_filter(self, queue):
        return Q(ombudsman=queue)

    @admin.display(description=_("debt burden"))
    def debt_burden(self, obj):
        """The ratio with each input and its source (only staff see it: a warning sign)."""
        total = reads.confirmed_total(obj) + reads.provisional_total(obj) or obj.total_debt_tiyn
        plan = getattr(obj, "plan", None)
        monthly = plan.monthly_tiyn if plan is not None else None
        if plan is None and total:
            try:
                monthly = terms_for(total_tiyn=total, category=obj.category).monthly_tiyn
            except ApplicationError:  # over the table: no schedule, the ratio says so
                monthly = None
        result = reads.debt_burden(obj, monthly)["burden"]
        return render_to_string("admin/resolution/case/burden.html", {"b": result})


class RuleOutcomeInline(ReadOnlyInline):
    model = RuleOutcome
    fields = ["position", "rule", "passed", "reason_text", "data"]
    readonly_fields = fields


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["case", "state", "eligible", "total_tiyn", "attempts", "finished_at"]
    list_filter = ["state", "eligible"]
    search_fields = ["case__reference"]
    inlines = [RuleOutcomeInline]

    def queue_filter(self, queue):
        return Q(case__ombudsman=queue)


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
class NotificationAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["template_key", "channel", "recipient", "language", "status", "created_at",
                    "sent_at"]  # fmt: skip
    list_filter = ["channel", "status", "template_key"]
    search_fields = ["recipient", "case__reference", "dedup_key"]

    def queue_filter(self, queue):
        return Q(case__ombudsman=queue)


@admin.register(StaffQueueAccess)
class StaffQueueAccessAdmin(ServiceOnlyAdmin):
    """The audit of seniors' looks into other queues (append-only)."""

    list_display = ["at", "staff_member", "own_ombudsman", "model", "path"]

    @admin.display(description=_("staff member"), ordering="user__username")
    def staff_member(self, obj):
        return obj.user

    list_filter = ["model", "own_ombudsman"]


@admin.register(DocumentRead)
class DocumentReadAdmin(ServiceOnlyAdmin):
    """The audit of stored documents handed out, through every door (append-only)."""

    list_display = ["read_at", "channel", "document_kind", "case_reference", "reader",
                    "creditor", "document_id"]  # fmt: skip
    list_filter = ["channel", "document_kind"]  # not "read_at": its "today" is the real clock's
    date_hierarchy = "read_at"  # by year, month, day of the rows themselves
    search_fields = ["case__reference"]
    list_select_related = ["case", "user", "api_key", "creditor"]

    @admin.display(description=_("case"), ordering="case__reference")
    def case_reference(self, obj):
        return obj.case.reference if obj.case else "—"

    @admin.display(description=_("read by"))
    def reader(self, obj):
        if obj.api_key is not None:
            return f"{_('API key')} {obj.api_key.prefix} ({obj.api_key.name})"
        return obj.user
