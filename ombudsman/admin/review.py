"""The ombudsman's review in the Django admin: a page per case with everything needed to
decide (loans, bureau figures, creditors' answers and disputes, late creditors, the proposed
terms and schedule, the debt-burden warning) and forms that call the decision services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from creditors.models import Ombudsman
from finplatform.errors import ApplicationError
from finplatform.money import format_tenge, tenge_to_tiyn
from ombudsman.admin.base import CaseQueueProxy, QueueScoped
from ombudsman.admin.fraud import FraudFlagFilter
from resolution import trail
from resolution.claims import Finding
from resolution.models import Case, CaseStatus
from resolution.selectors import ombudsman as reads
from resolution.selectors.borrower import current_policy, fraud_flags
from resolution.selectors.claims import claims_findings
from resolution.selectors.creditor import answers_with_who
from resolution.selectors.plans import held_case_loan_ids
from resolution.selectors.timeline import OMBUDSMAN, case_timeline
from resolution.services import decision as svc


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note for the protocol"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    ombudsman = forms.ChoiceField(label=_("Ombudsman"), choices=Ombudsman.choices)


class DisputeDecisionForm(forms.Form):
    include = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1",
        choices=[("1", _("Include with the amount")), ("0", _("Leave out"))],
    )  # fmt: skip
    amount = forms.CharField(label=_("Amount, ₸"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args, max_tiyn: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_tiyn = max_tiyn  # the loan's bureau figure: a dispute cannot raise the debt

    def clean(self):
        data = super().clean()
        amount = data.get("amount")
        if data.get("include") and amount is not None and self.max_tiyn is not None:
            if amount > self.max_tiyn:
                self.add_error("amount", svc.MSG_AMOUNT_ABOVE_BUREAU % {
                    "max": format_tenge(self.max_tiyn)})  # fmt: skip
        return data

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if not value:
            return None
        try:
            return tenge_to_tiyn(value)
        except ValueError:
            raise forms.ValidationError(_("Enter an amount in tenge.")) from None


def plain_errors(form: forms.Form) -> str:
    """A form's errors as one line of plain text for a message: each field's label, then its
    messages ("Amount, ₸: Enter an amount in tenge."); errors not of a field, as they are."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        text = " ".join(str(e) for e in errors)
        parts.append(f"{field.label}: {text}" if field is not None and field.label else text)
    return "; ".join(parts)


def _claims_context(case: Case) -> dict:
    """The lawful-claims check: recorded with the decision once decided, else as it stands."""
    decision = getattr(case, "decision", None)
    if decision is not None:
        findings = [Finding.from_json(f) for f in decision.findings]
    else:
        findings = claims_findings(case)
    return {
        "claims": [{"text": f.text(), "blocking": f.blocking, "code": f.code} for f in findings],
        "claims_recorded": decision is not None,
        "claims_blocking": any(f.blocking for f in findings),
        "debt_cap_tiyn": current_policy().max_total_tiyn,
        "claims_total_tiyn": reads.confirmed_total(case) + reads.provisional_total(case),
    }


class ReviewMixin:
    """Mixed into CaseAdmin: the review page, its forms, and thin list actions."""

    actions = ["approve_selected", "reassign_to_other"]

    def has_decide_permission(self, request, obj=None):
        # The change form is read-only; deciding is the services' work, for whom may decide.
        return request.user.has_perm("resolution.change_case")

    def get_urls(self):
        return [
            path(
                "<uuid:case_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="resolution_case_review",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    @admin.display(description=_("review"))
    def review_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:resolution_case_review", args=[obj.pk]),
            _("Review"),
        )  # fmt: skip

    def _case(self, request, case_id) -> Case:
        if not self.has_decide_permission(request):
            raise PermissionDenied
        case = get_object_or_404(reads.cases_for_ombudsman_staff(request.user), pk=case_id)
        self.audit_outside_queue(request, [case.pk])
        return case

    def review_view(self, request, case_id):
        case = self._case(request, case_id)
        forms_ = {"approve": ApproveForm(), "reject": RejectForm(),
                  "reassign": ReassignForm(initial={"ombudsman": case.ombudsman})}  # fmt: skip
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                done = self._handle(request, case, action, forms_)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                done = False
            if done:  # the page after the redirect reads the case afresh; the message says so
                if not reads.cases_for_ombudsman_staff(request.user).filter(pk=case.pk).exists():
                    # handed to the other queue: its review page is no longer this person's
                    return redirect("admin:resolution_reviewqueuecase_changelist")
                case.refresh_from_db(fields=["status", "ombudsman"])
                messages.info(request, _("%(ref)s is now: %(status)s.") % {
                    "ref": case.reference, "status": case.get_status_display()})  # fmt: skip
                return redirect("admin:resolution_case_review", case.pk)
        loans = list(
            case.loans.select_related("creditor", "loan").prefetch_related(answers_with_who())
        )
        held = held_case_loan_ids(case)
        flags = fraud_flags(case)
        undecided = {cl.pk for cl in reads.undecided_disputes(case)}
        for cl in loans:
            cl.fraud = flags.get(cl.pk)
            cl.decidable = cl.pk in held or (
                case.status == CaseStatus.UNDER_REVIEW and cl.pk in undecided
            )
            prefix, bound = f"l{cl.pk.hex}", forms_.get("decide")
            if bound is None or bound.prefix != prefix:
                bound = DisputeDecisionForm(prefix=prefix, max_tiyn=cl.bureau_total_tiyn)
            cl.decision_form = bound
            cl.share_held = cl.pk in held  # in the signed plan, its share held until decided
        try:
            proposal = reads.proposal(case)
            preview_error = None
        except Exception as exc:  # noqa: BLE001 - the page must show even without a schedule
            proposal, preview_error = None, str(exc)
        context = {
            **self.admin_site.each_context(request),
            **_claims_context(case),
            "opts": self.model._meta,
            "title": _("Review of %(ref)s") % {"ref": case.reference},
            "case": case,
            "loans": loans,
            "proposal": proposal,
            "preview_error": preview_error,
            "requests": case.creditor_requests.select_related("creditor"),
            # each row with its reason in the reader's language (the audit text beside it)
            "transitions": [(t, trail.reason_text(t)) for t in case.transitions.all()],
            "timeline": case_timeline(case, audience=OMBUDSMAN),
            "forms": forms_,
            "can_decide": case.status == CaseStatus.UNDER_REVIEW,
        }
        return TemplateResponse(request, "admin/resolution/case/review.html", context)

    def _handle(self, request, case, action, forms_) -> bool:
        if action == "approve":
            form = forms_["approve"] = ApproveForm(request.POST)
            if form.is_valid():
                svc.approve_case(case_id=case.pk, user=request.user,
                                 note=form.cleaned_data["note"])  # fmt: skip
                messages.success(request, _("Approved: the documents are being generated."))
                return True
        elif action == "reject":
            form = forms_["reject"] = RejectForm(request.POST)
            if form.is_valid():
                svc.reject_case(case_id=case.pk, reason=form.cleaned_data["reason"],
                                user=request.user)  # fmt: skip
                messages.success(request, _("The case was rejected."))
                return True
        elif action == "reassign":
            form = forms_["reassign"] = ReassignForm(request.POST)
            if form.is_valid():
                svc.reassign_case(case_id=case.pk, ombudsman=form.cleaned_data["ombudsman"],
                                  user=request.user)  # fmt: skip
                messages.success(request, _("%(ref)s was handed to: %(ombudsman)s.") % {
                    "ref": case.reference,
                    "ombudsman": Ombudsman(form.cleaned_data["ombudsman"]).label})  # fmt: skip
                return True
        elif action == "decide_loan":
            case_loan = get_object_or_404(case.loans, pk=request.POST.get("case_loan"))
            form = DisputeDecisionForm(
                request.POST, prefix=f"l{case_loan.pk.hex}", max_tiyn=case_loan.bureau_total_tiyn
            )
            if form.is_valid():
                svc.decide_disputed_loan(
                    case_loan_id=case_loan.pk, include=form.cleaned_data["include"],
                    amount_tiyn=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                    user=request.user,
                )  # fmt: skip
                messages.success(request, _("The disputed loan was decided."))
                return True
            forms_["decide"] = form  # shown bound, with its errors, in the loan's row
            messages.error(request, _("Check the decision: %(errors)s") % {
                "errors": plain_errors(form)})  # fmt: skip
        return False

    @admin.action(description=_("Approve the selected cases under review"),
                  permissions=["decide"])  # fmt: skip
    def approve_selected(self, request, queryset):
        for case in queryset.filter(status=CaseStatus.UNDER_REVIEW):
            try:
                svc.approve_case(case_id=case.pk, user=request.user)
            except ApplicationError as exc:
                messages.error(request, f"{case.reference}: {exc.message}")

    @admin.action(description=_("Hand the selected cases to the other ombudsman"),
                  permissions=["decide"])  # fmt: skip
    def reassign_to_other(self, request, queryset):
        for case in queryset:
            other = (Ombudsman.MICROFINANCE if case.ombudsman == Ombudsman.BANKING
                     else Ombudsman.BANKING)  # fmt: skip
            svc.reassign_case(case_id=case.pk, ombudsman=other, user=request.user)


class ReviewQueueAdmin(CaseQueueProxy, QueueScoped, admin.ModelAdmin):
    """Cases waiting for the ombudsman's decision, for the staff member's ombudsman (a
    superuser sees all), with who is late and what is disputed at a glance."""

    # the review link right after the reference, so it is on screen at 1366 px
    list_display = ["reference", "review_link", "borrower_name", "status", "ombudsman", "answered",
                    "late", "disputed"]  # fmt: skip
    list_filter = ["status", "ombudsman", FraudFlagFilter]
    search_fields = ["reference", "borrower__full_name", "borrower__iin"]
    ordering = ["created_at"]

    def queue_filter(self, queue):
        return Q(ombudsman=queue)

    def get_queryset(self, request):
        return reads.review_queue(request.user).select_related("borrower").annotate(
            n_loans=Count("loans", filter=Q(loans__included=True), distinct=True),
            n_pending=Count("loans", filter=Q(loans__included=True,
                                              loans__confirmation_status="pending"),
                            distinct=True),
            n_disputed=Count("loans", filter=Q(loans__included=True,
                                               loans__confirmation_status="disputed",
                                               loans__confirmed_total_tiyn__isnull=True),
                             distinct=True),
            n_late=Count("creditor_requests", filter=Q(creditor_requests__late=True,
                                                       creditor_requests__answered_at__isnull=True),
                         distinct=True),
        )  # fmt: skip

    @admin.display(description=_("answered"))
    def answered(self, obj):
        return f"{obj.n_loans - obj.n_pending} / {obj.n_loans}"

    @admin.display(description=_("late creditors"))
    def late(self, obj):
        return obj.n_late

    @admin.display(description=_("undecided disputes"))
    def disputed(self, obj):
        return obj.n_disputed

    @admin.display(description=_("review"))
    def review_link(self, obj):
        url = reverse("admin:resolution_case_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Review"))
