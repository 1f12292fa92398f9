from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from finplatform.money import format_tenge
from ombudsman.admin.base import (
    QueueScoped,
    ReadOnlyInline,
    ServiceOnlyAdmin,
    queue_case_references,
)
from schedules import selectors
from schedules.models import (
    Account,
    CollectionResumption,
    CreditorShare,
    IncomingPayment,
    Instalment,
    LedgerEntry,
    LedgerTransaction,
    PartAllocation,
    PaymentProvider,
    Payout,
    Plan,
    PlanAdjustment,
    ScheduleBracket,
    ScheduleTableVersion,
)
from schedules.reconciliation import reconcile

ReadOnlyAdmin = ServiceOnlyAdmin  # the ledger and what hangs off it are append-only


# --- the schedule table (editable until a plan uses the version) ---------------------------


class BracketInline(admin.TabularInline):
    model = ScheduleBracket
    extra = 0
    fields = ["category", "debt_from_tiyn", "debt_to_tiyn", "term_months", "max_monthly_tiyn"]

    def _frozen(self, obj):
        return obj is not None and obj.is_used

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(ScheduleTableVersion)
class ScheduleTableVersionAdmin(admin.ModelAdmin):
    list_display = ["label", "effective_from", "is_active", "plans_count"]
    inlines = [BracketInline]
    actions = ["copy_as_new_version"]

    @admin.display(description=_("plans decided under it"))
    def plans_count(self, obj):
        return obj.plans.count()

    def get_readonly_fields(self, request, obj=None):
        # A version that decided a plan is frozen; only switching it off stays possible.
        return ["label", "effective_from", "notes"] if obj is not None and obj.is_used else []

    @admin.action(description=_("Copy as a new version (to edit)"))
    @transaction.atomic
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            brackets = list(version.brackets.all())
            copy = ScheduleTableVersion.objects.create(
                label=f"{version.label} (copy)", effective_from=version.effective_from,
                is_active=False, notes=version.notes,
            )  # fmt: skip
            for bracket in brackets:
                bracket.pk = None
                bracket.version = copy
            ScheduleBracket.objects.bulk_create(brackets)
        messages.success(request, _("Copied. Edit the copy, then activate it."))


# --- plans, payments, ledger ---------------------------------------------------------------


class ShareInline(ReadOnlyInline):
    model = CreditorShare
    fields = ["position", "creditor", "debt_tiyn", "received_tiyn", "hold", "provisional_tiyn",
              "decided_tiyn", "decided_on"]  # fmt: skip
    readonly_fields = fields


class AdjustmentInline(ReadOnlyInline):
    model = PlanAdjustment
    fk_name = "plan"
    fields = ["booked_on", "share", "total_drop_tiyn", "reduction_tiyn", "refund_tiyn"]
    readonly_fields = fields


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ["number", "due_date", "amount_tiyn"]
    readonly_fields = fields


@admin.register(Plan)
class PlanAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["case", "status", "total_tiyn", "paid_tiyn", "term_months", "first_due"]
    list_filter = ["status", "category"]
    search_fields = ["case__reference", "case__borrower__iin"]
    inlines = [ShareInline, AdjustmentInline, InstalmentInline]
    readonly_fields = ["days_late"]

    def queue_filter(self, queue):
        return Q(case__ombudsman=queue)

    @admin.display(description=_("days late today"))
    def days_late(self, obj):
        return selectors.plan_state(obj).days_late


@admin.register(IncomingPayment)
class IncomingPaymentAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["received_at", "source", "idempotency_key", "amount_tiyn", "status",
                    "case_reference", "payer_iin", "paid_on"]  # fmt: skip
    list_filter = ["status", "source"]  # status=suspense: the unidentified payments queue
    search_fields = ["idempotency_key", "case_reference", "payer_iin"]

    def queue_filter(self, queue):
        # A suspense payment belongs to the queue of the case it names, if any.
        return Q(plan__case__ombudsman=queue) | Q(
            plan__isnull=True, case_reference__in=queue_case_references(queue)
        )


class EntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ["account", "side", "amount_tiyn"]
    readonly_fields = fields


class AllocationInline(ReadOnlyInline):
    """What each creditor's part paid: overdue principal, overdue interest, penalty, current
    principal and interest (MFO rules order), per loan; filled by the allocation job."""

    model = PartAllocation
    fields = ["share", "case_loan", "component", "amount_tiyn", "created_at"]
    readonly_fields = fields


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["created_at", "kind", "booked_on", "plan", "description"]
    list_filter = ["kind", "booked_on"]
    inlines = [EntryInline, AllocationInline]

    def queue_filter(self, queue):
        # Payouts and other plan-less bookings carry no borrower; a suspense payment's
        # booking goes with the case it names.
        return (
            Q(plan__case__ombudsman=queue)
            | Q(plan__isnull=True, payment__isnull=True)
            | Q(plan__isnull=True, payment__case_reference__in=queue_case_references(queue))
        )


@admin.register(PartAllocation)
class PartAllocationAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["booked_on", "transaction", "share", "case_loan", "component", "amount_tiyn"]
    list_filter = ["component", "booked_on"]
    search_fields = ["share__plan__case__reference", "share__creditor__name"]

    def queue_filter(self, queue):
        return Q(share__plan__case__ombudsman=queue)


@admin.register(Account)
class AccountAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "balance"]
    list_filter = ["kind"]
    change_list_template = "admin/schedules/account/change_list.html"

    def queue_filter(self, queue):
        return Q(share__isnull=True) | Q(share__plan__case__ombudsman=queue)

    @admin.display(description=_("balance (credit − debit)"))
    def balance(self, obj):
        return format_tenge(selectors.account_balance(account_filter=Q(account=obj)))

    def get_urls(self):
        extra = [
            path(
                "reconcile/",
                self.admin_site.admin_view(self.reconcile_view),
                name="schedules_reconcile",
            )
        ]
        return extra + super().get_urls()

    def reconcile_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = reconcile()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reconciliation"),
            "report": report,
            "figures": [(k, format_tenge(v)) for k, v in report.figures.items()],
        }
        return TemplateResponse(request, "admin/schedules/reconcile.html", context)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["payout_date", "creditor", "amount_tiyn"]
    list_filter = ["payout_date"]


@admin.register(CollectionResumption)
class CollectionResumptionAdmin(QueueScoped, ReadOnlyAdmin):
    list_display = ["plan", "creditor", "oldest_unpaid_due", "days_late", "granted_on"]

    def queue_filter(self, queue):
        return Q(plan__case__ombudsman=queue)


@admin.register(PaymentProvider)
class PaymentProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "key_prefix", "is_active"]
    readonly_fields = ["key_prefix"]
    actions = ["rotate_key"]

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.set_new_key()
            messages.warning(request, _("API key (shown once, store it now): %s") % key)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def rotate_key(self, request, queryset):
        for provider in queryset:
            key = provider.set_new_key()
            provider.save(update_fields=["key_prefix", "key_hash"])
            messages.warning(
                request, _("%(code)s: new key %(key)s") % {"code": provider.code, "key": key}
            )
