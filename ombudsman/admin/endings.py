"""The ombudsman's queue of breached procedures: who is late since when and what is still
owed, each with a link to the case's review page (with its timeline)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from finplatform.money import format_tenge
from ombudsman.admin.base import CaseQueueProxy
from resolution.models import BreachedCase
from resolution.selectors.endings import breached_queue


@admin.register(BreachedCase)
class BreachedQueueAdmin(CaseQueueProxy, admin.ModelAdmin):
    list_display = ["reference", "borrower_name", "ombudsman", "breached", "outstanding",
                    "creditors", "review_link"]  # fmt: skip
    list_filter = ["ombudsman"]
    search_fields = ["reference", "borrower__full_name", "borrower__iin"]

    def get_queryset(self, request):
        return breached_queue(request.user)

    @admin.display(description=_("breached on"), ordering="breached_on")
    def breached(self, obj):
        return obj.breached_on

    @admin.display(description=_("outstanding"), ordering="outstanding_tiyn")
    def outstanding(self, obj):
        return format_tenge(obj.outstanding_tiyn)

    @admin.display(description=_("creditors"))
    def creditors(self, obj):
        return obj.creditor_count

    @admin.display(description=_("review"))
    def review_link(self, obj):
        url = reverse("admin:resolution_case_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Timeline"))
