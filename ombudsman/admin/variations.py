"""Plan variations and schedule versions in the admin. The list is the queue of variations
(filter by status: requested ones wait for a proposal, objected ones for a look); the work
page shows the request, the evidence, the timetable before and after, the objections and the
agreement, and proposes or declines through the services (which lock and audit)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from finplatform.money import format_tenge
from finplatform.uploads import serve
from ombudsman.admin.base import QueueScoped, ReadOnlyInline, ServiceOnlyAdmin, record_admin_read
from resolution.models import ReadDocumentKind, Variation, VariationStatus
from resolution.selectors.variations import schedule_versions
from resolution.services.variations import decline_variation, propose_variation
from schedules.models import ScheduleVersion, VersionInstalment


class ProposeForm(forms.Form):
    anchor_due = forms.DateField(
        label=_("New timetable from"), required=False,
        help_text=_("Empty: the first due date after the objection window and the 72 hours "
                    "to sign."),
    )  # fmt: skip


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the borrower reads it)"), widget=forms.Textarea)


@admin.register(Variation)
class VariationAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["reference", "kind", "status", "requested_at", "objection_deadline",
                    "signing_deadline", "version_number", "work_link"]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["case__reference", "case__borrower__iin"]
    exclude = ["evidence", "document", "eds_signature"]

    def queue_filter(self, queue):
        return Q(case__ombudsman=queue)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case").defer("evidence", "document")

    def has_propose_permission(self, request):
        return request.user.has_perm("resolution.change_variation")

    @admin.display(description=_("case"), ordering="case__reference")
    def reference(self, obj):
        return obj.case.reference

    @admin.display(description=_("work"))
    def work_link(self, obj):
        url = reverse("admin:resolution_variation_work", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<uuid:variation_id>/work/", view(self.work_view),
                 name="resolution_variation_work"),
            path("<uuid:variation_id>/file/<str:which>/", view(self.file_view),
                 name="resolution_variation_file"),
            *super().get_urls(),
        ]  # fmt: skip

    def _variation(self, request, variation_id) -> Variation:
        if not self.has_view_permission(request):
            raise PermissionDenied
        variation = get_object_or_404(self.get_queryset(request), pk=variation_id)
        self.audit_outside_queue(request, [variation.pk])
        return variation

    def file_view(self, request, variation_id, which):
        variation = self._variation(request, variation_id)
        row = Variation.objects.get(pk=variation.pk)
        if which == "evidence":
            content, kind, name = row.evidence, row.evidence_type, row.evidence_name
            read = ReadDocumentKind.VARIATION_EVIDENCE
        elif which == "agreement" and row.document:
            content, kind = row.document, "application/pdf"
            name = f"{row.case.reference}-variation.pdf"
            read = ReadDocumentKind.VARIATION_AGREEMENT
        else:
            raise PermissionDenied
        record_admin_read(request, kind=read, document_id=row.pk, case_id=row.case_id)
        return serve(content, name=name, content_type=kind)

    def work_view(self, request, variation_id):
        variation = self._variation(request, variation_id)
        propose_form, decline_form = ProposeForm(), DeclineForm()
        if request.method == "POST":
            if not self.has_propose_permission(request):
                raise PermissionDenied
            action = request.POST.get("action")
            try:
                if action == "propose":
                    propose_form = ProposeForm(request.POST)
                    if propose_form.is_valid():
                        anchor = propose_form.cleaned_data["anchor_due"]
                        propose_variation(
                            variation_id=variation.pk, staff=request.user, anchor_due=anchor
                        )
                        messages.success(request, _("Proposed: creditors may now object."))
                        return redirect("admin:resolution_variation_work", variation.pk)
                elif action == "decline":
                    decline_form = DeclineForm(request.POST)
                    if decline_form.is_valid():
                        decline_variation(variation_id=variation.pk, staff=request.user,
                                          reason=decline_form.cleaned_data["reason"])  # fmt: skip
                        messages.success(request, _("The request was declined."))
                        return redirect("admin:resolution_variation_work", variation.pk)
            except ApplicationError as exc:
                messages.error(request, exc.message)
        proposal = variation.proposal or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Variation of %(ref)s") % {"ref": variation.case.reference},
            "variation": variation,
            "proposal": proposal,
            "outstanding": format_tenge(proposal.get("outstanding_tiyn") or 0),
            "objections": variation.objections.select_related("creditor"),
            "versions": schedule_versions(variation.case),
            "can_propose": variation.status == VariationStatus.REQUESTED
            and self.has_propose_permission(request),
            "can_decline": variation.status in (VariationStatus.REQUESTED,
                                                VariationStatus.PROPOSED)
            and self.has_propose_permission(request),
            "propose_form": propose_form,
            "decline_form": decline_form,
        }  # fmt: skip
        return TemplateResponse(request, "admin/resolution/variation/work.html", context)


class VersionLineInline(ReadOnlyInline):
    model = VersionInstalment
    fields = ["number", "due_date", "amount_tiyn", "settled"]


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["plan", "number", "kind", "effective_on", "term_months", "monthly"]
    list_filter = ["kind"]
    inlines = [VersionLineInline]

    def queue_filter(self, queue):
        return Q(plan__case__ombudsman=queue)

    @admin.display(description=_("monthly payment"))
    def monthly(self, obj):
        return format_tenge(obj.monthly_tiyn)
