"""A plan's later life in the admin: claim transfers (recorded by a creditor or by staff,
approved by another person) and terminations (recorded by one staff member, approved by
another). The lists are view-only; the pages call the services, which check who approves."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from finplatform.uploads import PDF, UploadField, serve
from ombudsman.admin.base import QueueScoped, ServiceOnlyAdmin, record_admin_read
from resolution.models import CaseLoan, ReadDocumentKind
from resolution.selectors.ombudsman import cases_for_ombudsman_staff
from resolution.services import termination as ending_svc
from resolution.services import transfers as transfer_svc
from schedules.models import ChangeStatus, ClaimTransfer, PlanTermination, TerminationReason

MSG_NO_LOAN = _("No included loan with this contract number in this case of your queue.")


class TransferRecordForm(forms.Form):
    case_reference = forms.CharField(label=_("Case reference"), max_length=16)
    contract_number = forms.CharField(label=_("Loan contract number"), max_length=64)
    buyer_bin = forms.RegexField(r"^\d{12}$", label=_("Buyer's BIN"))
    effective_on = forms.DateField(label=_("Sold from"),
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    document = UploadField(label=_("Assignment agreement (PDF)"))


class TerminationRecordForm(forms.Form):
    case_reference = forms.CharField(label=_("Case reference"), max_length=16)
    reason = forms.ChoiceField(label=_("Ground"), choices=TerminationReason.choices)
    details = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    document = UploadField(label=_("Document (PDF): death certificate, court ruling, finding"))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ChangeAdmin(QueueScoped, ServiceOnlyAdmin):
    """What both screens share: a record page, a decide page, the document download. A
    screen names its `record_form` and `related` rows and calls its services in the hooks
    `record(request, data)` (a ValidationError for a field, an ApplicationError for the
    form), `approve(row, user, note)` and `reject(row, user, note)`; `details(row)` lists
    what the decide page shows."""

    change_list_template = "admin/schedules/change_list_with_record.html"
    exclude = ["document"]
    record_form: type[forms.Form]
    record_title = ""
    document_kind: ReadDocumentKind
    related: tuple[str, ...] = ("plan__case",)

    def queue_filter(self, queue: str) -> Q:
        return Q(plan__case__ombudsman=queue)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related).defer("document")

    @admin.display(description=_("case"))
    def case_reference(self, obj):
        return obj.plan.case.reference

    def _may_decide(self, request):
        if not request.user.has_perm("resolution.change_case"):
            raise PermissionDenied

    def _name(self, view: str) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_{view}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("record/", wrap(self.record_view), name=self._name("record")),
            path("<uuid:pk>/decide/", wrap(self.decide_view), name=self._name("decide")),
            path("<uuid:pk>/document/", wrap(self.document_view), name=self._name("document")),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"record_url": reverse(f"admin:{self._name('record')}"),
                 "record_label": self.record_title}  # fmt: skip
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.display(description=_("decide"))
    def decide_link(self, obj):
        if obj.status != ChangeStatus.PENDING:
            return "—"
        url = reverse(f"admin:{self._name('decide')}", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Approve or reject"))

    def _row(self, request, pk):
        row = get_object_or_404(self.get_queryset(request), pk=pk)
        self.audit_outside_queue(request, [row.pk])
        return row

    def document_view(self, request, pk):
        row = self._row(request, pk)
        record_admin_read(request, kind=self.document_kind, document_id=row.pk,
                          case_id=row.plan.case_id)  # fmt: skip
        return serve(row.document, name=row.document_name, content_type=PDF)

    def _page(self, request, title, form, details=(), row=None):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": title, "form": form, "details": details, "row": row}  # fmt: skip
        if row is not None:
            context["document_url"] = reverse(f"admin:{self._name('document')}", args=[row.pk])
        return TemplateResponse(request, "admin/schedules/change_page.html", context)

    def record_view(self, request):
        self._may_decide(request)
        form = self.record_form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                self.record(request, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)  # a dict of field errors lands on those fields
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Recorded: another member of staff approves it."))
                return redirect(f"admin:{self._name('changelist')}")
        return self._page(request, self.record_title, form)

    def decide_view(self, request, pk):
        self._may_decide(request)
        row = self._row(request, pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if request.POST.get("action") == "approve":
                    self.approve(row, request.user, note)
                    messages.success(request, _("Approved."))
                else:
                    self.reject(row, request.user, note)
                    messages.success(request, _("Rejected."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                return redirect(f"admin:{self._name('changelist')}")
        return self._page(request, str(row), form, self.details(row), row)


@admin.register(ClaimTransfer)
class ClaimTransferAdmin(ChangeAdmin):
    list_display = [
        "recorded_at", "case_reference", "from_creditor", "to_creditor", "effective_on",
        "status", "recorded_via", "moved_tiyn", "decide_link",
    ]  # fmt: skip
    list_filter = ["status", "recorded_via"]
    search_fields = ["plan__case__reference", "from_creditor__bin", "to_creditor__bin"]
    record_form = TransferRecordForm
    record_title = _("Record a claim transfer")
    document_kind = ReadDocumentKind.ASSIGNMENT
    related = ("plan__case", "from_creditor", "to_creditor")

    def details(self, t):
        return [(_("Case"), t.plan.case.reference), (_("Loan"), t.case_loan.loan.contract_number),
                (_("Seller"), f"{t.from_creditor.name} ({t.from_creditor.bin})"),
                (_("Buyer"), f"{t.to_creditor.name} ({t.to_creditor.bin})"),
                (_("Sold from"), t.effective_on.strftime("%d.%m.%Y")),
                (_("Recorded via"), t.get_recorded_via_display()),
                (_("Recorded by"), t.recorded_by or t.from_creditor.name),
                (_("Status"), t.get_status_display())]  # fmt: skip

    def approve(self, row, user, note):
        transfer_svc.approve_transfer(transfer_id=row.pk, user=user, note=note)

    def reject(self, row, user, note):
        transfer_svc.reject_transfer(transfer_id=row.pk, user=user, note=note)

    def record(self, request, data):
        loans = CaseLoan.objects.filter(
            case__reference=data["case_reference"].strip().upper(),
            loan__contract_number=data["contract_number"].strip(), included=True,
        )  # fmt: skip
        case_loan = loans.filter(case__in=cases_for_ombudsman_staff(request.user)).first()
        if case_loan is None:
            raise ValidationError({"contract_number": MSG_NO_LOAN})
        transfer_svc.record_transfer(
            case_loan_id=case_loan.pk, buyer_bin=data["buyer_bin"],
            effective_on=data["effective_on"], document=data["document"],
            via="admin", user=request.user,
        )  # fmt: skip


@admin.register(PlanTermination)
class PlanTerminationAdmin(ChangeAdmin):
    list_display = ["requested_at", "case_reference", "reason", "status", "terminated_on",
                    "requested_by", "decided_by", "decide_link"]  # fmt: skip
    list_filter = ["status", "reason"]
    search_fields = ["plan__case__reference"]
    record_form = TerminationRecordForm
    record_title = _("Record a termination")
    document_kind = ReadDocumentKind.TERMINATION

    def details(self, t):
        return [(_("Case"), t.plan.case.reference), (_("Ground"), t.get_reason_display()),
                (_("Reason"), t.details), (_("Recorded by"), t.requested_by),
                (_("Status"), t.get_status_display())]  # fmt: skip

    def approve(self, row, user, note):
        ending_svc.approve_termination(termination_id=row.pk, user=user, note=note)

    def reject(self, row, user, note):
        ending_svc.reject_termination(termination_id=row.pk, user=user, note=note)

    def record(self, request, data):
        case_id = (
            cases_for_ombudsman_staff(request.user)
            .filter(reference=data["case_reference"].strip().upper())
            .values_list("pk", flat=True)
            .first()
        )
        if case_id is None:
            raise ValidationError({"case_reference": _("No such case in your queue.")})
        ending_svc.request_termination(
            case_id=case_id, reason=data["reason"], details=data["details"],
            document=data["document"], user=request.user,
        )  # fmt: skip
