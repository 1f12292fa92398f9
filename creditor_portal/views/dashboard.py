"""The creditor's dashboard: cases and loans awaiting an answer, a case's page with the
answer forms, bulk confirmation at the bureau's figures, a loan's page and the signed
documents. Everything is scoped to the signed-in staff member's organisation."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from creditor_portal.forms import CaseFilterForm, CorrectionForm, DisputeForm
from creditors.selectors import creditor_for_user, loan_for_creditor, loans_for_creditor
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.middleware import query_read_by_form
from finplatform.permissions import creditor_staff_required
from finplatform.uploads import PDF, serve
from resolution.models import ConfirmationAction, ReadChannel, ReadDocumentKind
from resolution.selectors import creditor as reads
from resolution.selectors.changes import termination_document_for_creditor, termination_of
from resolution.selectors.claims import cap_warning
from resolution.services.confirmation import answer_loan, confirm_at_bureau_figures
from resolution.services.document_reads import record_document_read


@query_read_by_form  # ?status=%00 is the filter's error, not a 400
@creditor_staff_required
def dashboard(request):
    creditor = creditor_for_user(request.user)
    filters = CaseFilterForm(request.GET or None)
    status, needs_action = "", False
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        needs_action = filters.cleaned_data["needs_action"]
    now = business_now()
    cases = list(reads.dashboard_cases(creditor, status=status, needs_action=needs_action)[:200])
    for case in cases:
        answered = all(r.answered_at for r in case.my_requests) and case.my_requests
        case.urgency = "" if answered else reads.deadline_urgency(case.my_deadline, now=now)
    pending = list(reads.pending_case_loans(creditor)[:200])
    for case_loan in pending:
        case_loan.urgency = reads.deadline_urgency(case_loan.deadline, now=now)
    return render(
        request,
        "creditor_portal/dashboard.html",
        {
            "creditor": creditor,
            "filters": filters if filters.is_bound else CaseFilterForm(),
            "cases": cases,
            "pending": pending,
            "notices": reads.notices_for_creditor(creditor)[:20],
            "loans": loans_for_creditor(creditor)[:200],
        },
    )


@require_POST
@creditor_staff_required
def bulk_confirm(request):
    """Confirm the ticked loans at the bureau's figures in one request."""
    creditor = creditor_for_user(request.user)
    try:
        ids = [uuid.UUID(value) for value in request.POST.getlist("case_loan")]
    except ValueError:
        raise Http404 from None
    if not ids:
        messages.error(request, _("Tick at least one loan to confirm."))
        return redirect("creditors:dashboard")
    result = confirm_at_bureau_figures(creditor=creditor, case_loan_ids=ids, user=request.user)
    if result.confirmed:
        messages.success(
            request,
            ngettext(
                "%(count)d loan confirmed at the bureau figures.",
                "%(count)d loans confirmed at the bureau figures.",
                len(result.confirmed),
            )
            % {"count": len(result.confirmed)},
        )
    if result.skipped:
        messages.info(
            request,
            ngettext(
                "%(count)d loan was already answered and was left as it was.",
                "%(count)d loans were already answered and were left as they were.",
                len(result.skipped),
            )
            % {"count": len(result.skipped)},
        )
    return redirect("creditors:dashboard")


@creditor_staff_required
def loan_detail(request, loan_id):
    creditor = creditor_for_user(request.user)
    loan = loan_for_creditor(creditor, loan_id)  # 404 for another organisation's loan
    return render(request, "creditor_portal/loan_detail.html", {"creditor": creditor, "loan": loan})


def _render_case(request, creditor, case, bound=None, status=200):
    loans = list(reads.case_loans_for_creditor(creditor, case))
    for loan in loans:
        forms_ = (bound or {}).get(str(loan.pk), {})
        loan.correction_form = forms_.get("correct") or CorrectionForm(prefix=f"c{loan.pk.hex}")
        loan.dispute_form = forms_.get("dispute") or DisputeForm(prefix=f"d{loan.pk.hex}")
    return render(
        request,
        "creditor_portal/case_detail.html",
        {
            "creditor": creditor,
            "case": case,
            "loans": loans,
            "request_row": reads.request_for_creditor(creditor, case),
            "documents": reads.signed_documents_for_creditor(creditor, case),
            "cap_warning": cap_warning(case) if case.status == "awaiting_creditors" else None,
            "ending_documents": reads.ending_documents_for_creditor(creditor, case),
            "termination": termination_of(case) if case.status == "terminated" else None,
        },
        status=status,
    )


@creditor_staff_required
def case_detail(request, case_id):
    creditor = creditor_for_user(request.user)
    return _render_case(request, creditor, reads.case_for_creditor(creditor, case_id))


@require_POST
@creditor_staff_required
def answer(request, case_loan_id, action):
    creditor = creditor_for_user(request.user)
    case_loan = reads.case_loan_for_creditor(creditor, case_loan_id)  # 404 for other orgs
    case = case_loan.case
    fields = {}
    form = None
    if action == ConfirmationAction.CORRECT:
        form = CorrectionForm(request.POST, prefix=f"c{case_loan.pk.hex}")
        if form.is_valid():
            fields = {"principal_tiyn": form.cleaned_data["principal"],
                      "interest_tiyn": form.cleaned_data["interest"],
                      "penalty_tiyn": form.cleaned_data["penalty"],
                      "overdue_principal_tiyn": form.cleaned_data["overdue_principal"],
                      "overdue_interest_tiyn": form.cleaned_data["overdue_interest"],
                      "comment": form.cleaned_data["comment"]}  # fmt: skip
    elif action == ConfirmationAction.DISPUTE:
        form = DisputeForm(request.POST, prefix=f"d{case_loan.pk.hex}")
        if form.is_valid():
            fields = {"comment": form.cleaned_data["reason"]}
    elif action != ConfirmationAction.CONFIRM:
        return redirect("creditors:case_detail", case.pk)
    if form is not None and not form.is_valid():
        return _render_case(request, creditor, case, {str(case_loan.pk): {action: form}}, 400)
    try:
        answer_loan(creditor=creditor, case_loan_id=case_loan.pk, action=action,
                    user=request.user, via="dashboard", **fields)  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer was recorded."))
        warning = cap_warning(case)
        if warning is not None:
            messages.warning(request, warning.creditor_text())
    return redirect("creditors:case_detail", case.pk)


def record_dashboard_read(request, creditor, kind: ReadDocumentKind, document_id, case_id):
    """The dashboard's door into the document-read audit: the staff member and their
    organisation, after the scoping read found the document."""
    record_document_read(
        channel=ReadChannel.CREDITOR_DASHBOARD, kind=kind, document_id=document_id,
        case_id=case_id, user=request.user, creditor=creditor,
    )  # fmt: skip


@creditor_staff_required
def document_download(request, case_id, document_id):
    creditor = creditor_for_user(request.user)
    doc = reads.signed_document_for_creditor(creditor, case_id, document_id)
    record_dashboard_read(request, creditor, ReadDocumentKind.CASE_DOCUMENT, doc.pk, case_id)
    doc = type(doc).objects.get(pk=doc.pk)
    return serve(doc.content, name=doc.filename, content_type=PDF)


@creditor_staff_required
def ending_document_download(request, document_id):
    """The creditor's own breach statement (its lines only); another's is not found."""
    creditor = creditor_for_user(request.user)
    doc = reads.ending_document_for_creditor(creditor, document_id)
    doc = type(doc).objects.select_related("ending").get(pk=doc.pk)
    record_dashboard_read(
        request, creditor, ReadDocumentKind.ENDING_DOCUMENT, doc.pk, doc.ending.case_id
    )
    return serve(doc.content, name=doc.filename, content_type=PDF)


@creditor_staff_required
def termination_document(request, case_id):
    """The document the plan was ended on, to the creditors with a share in it (else 404)."""
    creditor = creditor_for_user(request.user)
    termination = termination_document_for_creditor(creditor, case_id)
    record_dashboard_read(request, creditor, ReadDocumentKind.TERMINATION, termination.pk, case_id)
    return serve(termination.document, name=termination.document_name, content_type=PDF)
