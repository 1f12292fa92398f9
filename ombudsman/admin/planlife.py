"""A plan's later life in the admin: payoff quotes (read-only) and refunds to borrowers."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin
from schedules.models import PayoffQuote
from schedules.services import payoff


@admin.register(PayoffQuote)
class PayoffQuoteAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["reference", "plan", "amount_tiyn", "quoted_on", "valid_until", "state",
                    "requested_by"]  # fmt: skip
    search_fields = ["reference", "plan__case__reference"]
    list_select_related = ["plan", "plan__case"]

    def queue_filter(self, queue):
        return Q(plan__case__ombudsman=queue)

    @admin.display(description=_("state"))
    def state(self, obj):
        return payoff.STATE_LABELS[payoff.quote_state(obj, obj.plan)]
