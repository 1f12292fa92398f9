"""The ombudsman's queue of "this loan is not mine" flags: each flag with the borrower's
statement, its steps (the audit rows) and, while open, the form to upload the court decision
(document, date, number, outcome), which calls `resolution.services.fraud` and nothing else."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from finplatform.uploads import PDF_OR_IMAGE, UploadField, content_type_of, serve
from ombudsman.admin.base import QueueScoped, ReadOnlyInline, ServiceOnlyAdmin, record_admin_read
from resolution.models import FraudFlag, FraudFlagEvent, FraudFlagStatus, ReadDocumentKind
from resolution.services import fraud as svc


class CourtDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("The court found"), choices=[
        (FraudFlagStatus.WRITTEN_OFF, _("not the borrower's loan: write it off, correct the "
                                        "credit history")),
        (FraudFlagStatus.REJECTED, _("the borrower's loan: reject the flag")),
    ])  # fmt: skip
    number = forms.CharField(label=_("Court decision number"), max_length=100)
    decided_on = forms.DateField(label=_("Court decision date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    document = UploadField(label=_("Court decision (PDF or scan)"), allowed=PDF_OR_IMAGE)


class FraudFlagFilter(admin.SimpleListFilter):
    """On the case lists: cases with a loan the borrower flagged as not theirs."""

    title = _("loan flagged as not the borrower's")
    parameter_name = "fraud"

    def lookups(self, request, model_admin):
        return [("open", _("awaiting a court decision")), ("any", _("any flag"))]

    def queryset(self, request, queryset):
        flags = FraudFlag.objects.filter(case_loan__case=OuterRef("pk"))
        if self.value() == "open":
            return queryset.filter(Exists(flags.filter(status=FraudFlagStatus.OPEN)))
        if self.value() == "any":
            return queryset.filter(Exists(flags))
        return queryset


class FraudFlagEventInline(ReadOnlyInline):
    model = FraudFlagEvent
    fields = ["at", "step", "actor_label", "detail"]
    readonly_fields = fields


@admin.register(FraudFlag)
class FraudFlagAdmin(QueueScoped, ServiceOnlyAdmin):
    list_display = ["case_reference", "contract", "creditor", "status", "flagged_at",
                    "court_decision_number", "review_link"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["case_loan__case__reference", "case_loan__loan__contract_number"]
    fields = ["case_reference", "contract", "creditor", "status", "statement", "flagged_at",
              "accrual_stopped_on", "court_decision_number", "court_decision_date",
              "court_document_link", "decided_at", "decided_by"]  # fmt: skip
    readonly_fields = fields
    inlines = [FraudFlagEventInline]
    change_form_template = "admin/resolution/fraudflag/change_form.html"

    def queue_filter(self, queue):
        return Q(case_loan__case__ombudsman=queue)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "case_loan__case", "case_loan__loan", "case_loan__creditor"
        ).defer("court_document")  # fmt: skip

    def get_urls(self):
        return [
            path("<uuid:flag_id>/court-decision/",
                 self.admin_site.admin_view(self.court_decision_view),
                 name="resolution_fraudflag_court_decision"),
            path("<uuid:flag_id>/court-document/",
                 self.admin_site.admin_view(self.court_document_view),
                 name="resolution_fraudflag_court_document"),
            *super().get_urls(),
        ]  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # scoped like the page itself (which records a senior's look once, in get_object)
        open_flag = self.get_queryset(request).filter(pk=object_id, status=FraudFlagStatus.OPEN)
        can = self._may_decide(request) and open_flag.exists()
        extra = {**(extra_context or {}), "court_form": CourtDecisionForm() if can else None}
        return super().change_view(request, object_id, form_url, extra)

    def _may_decide(self, request) -> bool:
        return request.user.has_perm("resolution.change_case")

    def _flag(self, request, flag_id) -> FraudFlag:
        flag = get_object_or_404(self.get_queryset(request), pk=flag_id)
        self.audit_outside_queue(request, [flag.pk])
        return flag

    def court_decision_view(self, request, flag_id):
        if not self._may_decide(request) or request.method != "POST":
            raise PermissionDenied
        flag = self._flag(request, flag_id)
        form = CourtDecisionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.record_court_decision(
                    flag_id=flag.pk, fraud_confirmed=data["outcome"] == FraudFlagStatus.WRITTEN_OFF,
                    number=data["number"], decided_on=data["decided_on"],
                    document=data["document"],
                    user=request.user,
                )  # fmt: skip
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The court decision is recorded."))
                return redirect("admin:resolution_fraudflag_change", flag.pk)
        else:
            messages.error(request, _("Check the court decision: %(errors)s") % {
                "errors": form.errors})  # fmt: skip
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "flag": flag, "court_form": form, "title": _("Court decision")}  # fmt: skip
        return TemplateResponse(request, "admin/resolution/fraudflag/court_decision.html", context)

    def court_document_view(self, request, flag_id):
        flag = self._flag(request, flag_id)
        row = FraudFlag.objects.get(pk=flag.pk)
        if row.court_document is None:
            raise PermissionDenied
        record_admin_read(request, kind=ReadDocumentKind.COURT_DECISION, document_id=flag.pk,
                          case_id=flag.case_loan.case_id)  # fmt: skip
        content = bytes(row.court_document)
        kind = content_type_of(content) or "application/octet-stream"
        return serve(content, name=row.court_document_name, content_type=kind)

    @admin.display(description=_("case"))
    def case_reference(self, obj):
        return obj.case_loan.case.reference

    @admin.display(description=_("contract"))
    def contract(self, obj):
        return obj.case_loan.loan.contract_number

    @admin.display(description=_("creditor"))
    def creditor(self, obj):
        return obj.case_loan.creditor.name

    @admin.display(description=_("court decision document"))
    def court_document_link(self, obj):
        if not obj.court_document_sha256:
            return "—"
        url = reverse("admin:resolution_fraudflag_court_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a> (SHA-256 {})', url, obj.court_document_name,
                           obj.court_document_sha256[:16])  # fmt: skip

    @admin.display(description=_("review"))
    def review_link(self, obj):
        url = reverse("admin:resolution_case_review", args=[obj.case_loan.case_id])
        return format_html('<a href="{}">{}</a>', url, _("Review"))
