from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from borrowers import complaints
from borrowers.models import (
    Borrower,
    Complaint,
    ComplaintMessage,
    ComplaintStatus,
    ConsentAcceptance,
    ConsentText,
)
from finplatform.clock import business_date
from finplatform.errors import ApplicationError
from finplatform.language import Language
from ombudsman.admin.base import QueueScoped, ReadOnlyInline, ServiceOnlyAdmin, queue_borrower_ids


class ConsentInline(ReadOnlyInline):
    """The consents the borrower gave: version, when, how, withdrawn (borrowers/consents.py)."""

    model = ConsentAcceptance
    fields = ["purpose", "text", "accepted_at", "method", "withdrawn_at"]
    readonly_fields = fields


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Add-only: a new wording is a new version (the latest in force is offered); a version
    once saved is never changed or deleted, so every acceptance keeps the words accepted."""

    list_display = ["purpose", "version", "effective_from"]
    list_filter = ["purpose"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Borrower)
class BorrowerAdmin(QueueScoped, ServiceOnlyAdmin):
    """View only: the IIN, the identification and the government-verified social status come
    from the identification services and the outside systems, never from staff."""

    list_display = ["full_name", "iin", "social_status", "preferred_language", "identified_at"]
    inlines = [ConsentInline]
    list_filter = ["social_status", "preferred_language"]
    search_fields = ["full_name", "iin"]

    def queue_filter(self, queue):
        return Q(pk__in=queue_borrower_ids(queue))


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("open", _("Awaiting an answer"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=complaints.overdue_complaints())
        if self.value() == "open":
            return queryset.filter(pk__in=complaints.open_complaints_queue())
        return queryset


class ComplaintAdminForm(forms.ModelForm):
    extend_with_reason = forms.CharField(
        label=_("Extend the period by 15 working days, because…"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    class Meta:
        model = Complaint
        fields = ["answer", "answer_language", "appeal_info"]


class ComplaintMessageInline(ReadOnlyInline):
    model = ComplaintMessage
    fields = ["created_at", "from_staff", "body"]
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(QueueScoped, admin.ModelAdmin):
    """The staff queue: unanswered first by deadline; overdue ones marked. The form's only
    writable fields are answered through the complaint services."""

    form = ComplaintAdminForm
    list_display = ["subject", "borrower", "language", "status", "deadline", "received_at"]
    list_filter = [OverdueFilter, "status", "language"]
    search_fields = ["subject", "borrower__full_name"]
    readonly_fields = ["borrower", "subject", "body", "language", "status", "received_at",
                       "due_on", "extended_at", "extension_reason", "answered_at"]  # fmt: skip
    fields = [*readonly_fields, "answer", "answer_language", "appeal_info", "extend_with_reason"]
    inlines = [ComplaintMessageInline]

    def has_add_permission(self, request):
        return False  # complaints come from the cabinet

    def has_delete_permission(self, request, obj=None):
        return False

    def queue_filter(self, queue):
        return Q(borrower_id__in=queue_borrower_ids(queue))

    @admin.display(description=_("answer due by"), ordering="due_on")
    def deadline(self, obj):
        if obj.status != ComplaintStatus.ANSWERED and obj.due_on < business_date():
            return format_html('<strong style="color:#b42318">{} ⚠</strong>', obj.due_on)
        return obj.due_on

    def save_model(self, request, obj, form, change):
        # Answers and extensions go through the services (deadline and language rules).
        data = form.cleaned_data
        try:
            if data.get("extend_with_reason"):
                complaints.extend_complaint(
                    complaint_id=obj.pk, reason=data["extend_with_reason"],
                    staff_user=request.user,
                )  # fmt: skip
            if data.get("answer"):
                complaints.answer_complaint(
                    complaint_id=obj.pk, answer=data["answer"],
                    language=data.get("answer_language") or Language.KAZAKH,
                    appeal_info=data.get("appeal_info", ""), staff_user=request.user,
                )  # fmt: skip
        except ApplicationError as error:
            messages.error(request, error.message)
