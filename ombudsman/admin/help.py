"""The "needs a person" lists: help requests (a call-back or an in-person visit asked for when
identification failed online) and, on the cases list, the checks that gave up
(NeedsPersonFilter)."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from borrowers.models import HelpRequest
from borrowers.services import mark_help_handled
from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin, queue_borrower_ids
from resolution.models import CaseStatus, CheckState

MSG_MARKED = _("Marked as handled.")


class NeedsPersonFilter(admin.SimpleListFilter):
    """Cases whose eligibility check gave up (the bureau never answered, or its answer could
    not be read): the borrower has been told staff will contact them."""

    title = _("needs a person")
    parameter_name = "needs_person"

    def lookups(self, request, model_admin):
        return [("yes", _("Check gave up"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status=CaseStatus.CHECKING, eligibility_check__state=CheckState.ERROR
            )
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Waiting for staff")), ("no", _("Handled"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(handled_at__isnull=self.value() == "yes")
        return queryset


@admin.register(HelpRequest)
class HelpRequestAdmin(QueueScoped, ServiceOnlyAdmin):
    """Waiting call-backs and visits. A person with no case yet is nobody's queue, so every
    ombudsman clerk sees them; a borrower with a case belongs to that case's queue."""

    list_display = ["created_at", "kind", "full_name", "phone", "iin", "reason", "language",
                    "handled_at"]  # fmt: skip
    list_filter = [OpenFilter, "kind"]
    search_fields = ["iin", "phone", "full_name"]
    actions = ["mark_handled"]

    def queue_filter(self, queue):
        return (
            Q(borrower__isnull=True)
            | Q(borrower__cases__isnull=True)
            | Q(borrower_id__in=queue_borrower_ids(queue))
        )

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request, queryset):
        mark_help_handled(queryset, user=request.user)
        self.message_user(request, MSG_MARKED, messages.SUCCESS)
