"""A plan's later life in the admin: payoff quotes (read-only) and refunds to borrowers."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from finplatform.money import format_tenge
from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin
from schedules.models import PayoffQuote, RefundDetails, RefundPayout
from schedules.services import payoff, refunds


@admin.register(PayoffQuote)
class PayoffQuoteAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["reference", "plan", "amount", "quoted_on", "valid_until", "state",
                    "requested_by"]  # fmt: skip
    search_fields = ["reference", "plan__case__reference"]
    list_select_related = ["plan", "plan__case"]

    def queue_filter(self, queue):
        return Q(plan__case__ombudsman=queue)

    @admin.display(description=_("Amount"))
    def amount(self, obj):
        return format_tenge(obj.amount_tiyn)

    @admin.display(description=_("state"))
    def state(self, obj):
        return payoff.STATE_LABELS[payoff.quote_state(obj, obj.plan)]


@admin.register(RefundDetails)
class RefundDetailsAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["borrower", "iban", "status", "created_at", "verified_at", "identified_by"]
    list_filter = ["status"]
    search_fields = ["borrower__iin", "iban"]
    exclude = ["identification"]
    readonly_fields = ["identified_by"]
    list_select_related = ["borrower", "identification"]

    @admin.display(description=_("identification"))
    def identified_by(self, obj):
        ident = obj.identification
        if ident is None:
            return "—"
        return f"{ident.get_method_display()} · {localtime(ident.identified_at):%d.%m.%Y %H:%M}"

    def queue_filter(self, queue):
        return Q(borrower__cases__ombudsman=queue)


@admin.register(RefundPayout)
class RefundPayoutAdmin(QueueScoped, ServiceOnlyAdmin):
    """The refunds queue: prepare (the maker), approve (the checker, another person); the daily
    payout run pays what is approved. Nothing is edited by hand."""

    list_display = ["requested_at", "plan", "amount", "iban", "status", "prepared_by",
                    "approved_by", "paid_on"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["plan__case__reference", "iban"]
    list_select_related = ["plan", "plan__case", "prepared_by", "approved_by"]
    actions = ["prepare", "approve", "reject"]

    def queue_filter(self, queue):
        return Q(plan__case__ombudsman=queue)

    @admin.display(description=_("Amount"))
    def amount(self, obj):
        return format_tenge(obj.amount_tiyn)

    def _each(self, request, queryset, step, done_text):
        done = 0
        for refund in queryset.order_by("pk"):
            try:
                step(refund_id=refund.pk, user=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{refund.plan}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_text % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Prepare the selected refunds (maker)"), permissions=["view"])
    def prepare(self, request, queryset):
        self._each(request, queryset, refunds.prepare_refund, _("Prepared: %(n)s."))

    @admin.action(description=_("Approve the selected refunds (checker)"), permissions=["view"])
    def approve(self, request, queryset):
        self._each(request, queryset, refunds.approve_refund, _("Approved: %(n)s."))

    @admin.action(description=_("Reject the selected refunds"), permissions=["view"])
    def reject(self, request, queryset):
        def step(*, refund_id, user):
            refunds.reject_refund(refund_id=refund_id, user=user, reason=f"rejected by {user}")

        self._each(request, queryset, step, _("Rejected: %(n)s."))
