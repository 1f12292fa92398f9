import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from creditors import services
from creditors.forms import (
    CaseFilterForm,
    CorrectionForm,
    DisputeForm,
    PayoutDetailsForm,
    RejectForm,
)
from creditors.models import PayoutDetails
from creditors.selectors import (
    active_payout_details,
    creditor_for_user,
    loan_for_creditor,
    loans_for_creditor,
    payout_details_history,
)
from finplatform.clock import business_now
from finplatform.csvexport import csv_attachment
from finplatform.errors import ApplicationError
from finplatform.money import tiyn_to_decimal
from finplatform.permissions import creditor_staff_required
from resolution.models import ConfirmationAction
from resolution.selectors import creditor as dash
from resolution.selectors import creditor as sel
from resolution.services.confirmation import answer_loan, confirm_at_bureau_figures


@creditor_staff_required
def dashboard(request):
    creditor = creditor_for_user(request.user)
    filters = CaseFilterForm(request.GET or None)
    status, needs_action = "", False
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        needs_action = filters.cleaned_data["needs_action"]
    now = business_now()
    cases = list(dash.dashboard_cases(creditor, status=status, needs_action=needs_action)[:200])
    for case in cases:
        answered = all(r.answered_at for r in case.my_requests) and case.my_requests
        case.urgency = "" if answered else dash.deadline_urgency(case.my_deadline, now=now)
    pending = list(dash.pending_case_loans(creditor)[:200])
    for case_loan in pending:
        case_loan.urgency = dash.deadline_urgency(case_loan.deadline, now=now)
    return render(
        request,
        "creditors/dashboard.html",
        {
            "creditor": creditor,
            "filters": filters if filters.is_bound else CaseFilterForm(),
            "cases": cases,
            "pending": pending,
            "notices": sel.notices_for_creditor(creditor)[:20],
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


def _money(tiyn: int | None) -> str:
    return "" if tiyn is None else str(tiyn_to_decimal(tiyn))


@creditor_staff_required
def cases_csv(request):
    """One row per loan of the organisation in a case; money as plain decimal tenge."""
    creditor = creditor_for_user(request.user)
    response, writer = csv_attachment(f"cases-{creditor.bin}.csv")
    writer.writerow([
        "case_reference", "case_status", "submitted_at", "contract_number", "included",
        "bureau_principal_kzt", "bureau_interest_kzt", "bureau_penalty_kzt", "bureau_total_kzt",
        "confirmation_status", "confirmed_total_kzt", "answer_deadline",
    ])  # fmt: skip
    for cl in dash.case_loans_for_export(creditor).iterator(chunk_size=500):
        writer.writerow([
            cl.case.reference, cl.case.status,
            cl.case.submitted_at.isoformat() if cl.case.submitted_at else "",
            cl.loan.contract_number, "yes" if cl.included else "no",
            _money(cl.bureau_principal_tiyn), _money(cl.bureau_interest_tiyn),
            _money(cl.bureau_penalty_tiyn), _money(cl.bureau_total_tiyn),
            cl.confirmation_status, _money(cl.confirmed_total_tiyn),
            cl.deadline.isoformat() if cl.deadline else "",
        ])  # fmt: skip
    return response


@creditor_staff_required
def loan_detail(request, loan_id):
    creditor = creditor_for_user(request.user)
    loan = loan_for_creditor(creditor, loan_id)  # 404 for another organisation's loan
    return render(request, "creditors/loan_detail.html", {"creditor": creditor, "loan": loan})


@creditor_staff_required
def payout_details(request):
    creditor = creditor_for_user(request.user)
    form = PayoutDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_payout_details(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved. A colleague must approve the new details."))
            return redirect("creditors:payout_details")
    return render(
        request,
        "creditors/payout_details.html",
        {
            "creditor": creditor,
            "form": form,
            "active": active_payout_details(creditor),
            "history": payout_details_history(creditor),
        },
    )


def _render_case(request, creditor, case, bound=None, status=200):
    loans = list(sel.case_loans_for_creditor(creditor, case))
    for loan in loans:
        forms_ = (bound or {}).get(str(loan.pk), {})
        loan.correction_form = forms_.get("correct") or CorrectionForm(prefix=f"c{loan.pk.hex}")
        loan.dispute_form = forms_.get("dispute") or DisputeForm(prefix=f"d{loan.pk.hex}")
    return render(
        request,
        "creditors/case_detail.html",
        {
            "creditor": creditor,
            "case": case,
            "loans": loans,
            "request_row": sel.request_for_creditor(creditor, case),
            "documents": sel.signed_documents_for_creditor(creditor, case),
        },
        status=status,
    )


@creditor_staff_required
def case_detail(request, case_id):
    creditor = creditor_for_user(request.user)
    return _render_case(request, creditor, sel.case_for_creditor(creditor, case_id))


@require_POST
@creditor_staff_required
def payout_details_decide(request, details_id, decision):
    if decision not in {"approve", "reject"}:
        raise Http404
    try:
        if decision == "approve":
            services.approve_payout_details(user=request.user, details_id=details_id)
            messages.success(request, _("The new payout details are now active."))
        else:
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give a reason for the rejection."))
                return redirect("creditors:payout_details")
            services.reject_payout_details(
                user=request.user, details_id=details_id, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The proposed details were rejected."))
    except PayoutDetails.DoesNotExist:
        raise Http404 from None
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("creditors:payout_details")


@require_POST
@creditor_staff_required
def answer(request, case_loan_id, action):
    creditor = creditor_for_user(request.user)
    case_loan = sel.case_loan_for_creditor(creditor, case_loan_id)  # 404 for other orgs
    case = case_loan.case
    fields = {}
    form = None
    if action == ConfirmationAction.CORRECT:
        form = CorrectionForm(request.POST, prefix=f"c{case_loan.pk.hex}")
        if form.is_valid():
            fields = {"principal_tiyn": form.cleaned_data["principal"],
                      "interest_tiyn": form.cleaned_data["interest"],
                      "penalty_tiyn": form.cleaned_data["penalty"],
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
    return redirect("creditors:case_detail", case.pk)


@creditor_staff_required
def document_download(request, case_id, document_id):

    creditor = creditor_for_user(request.user)
    doc = sel.signed_document_for_creditor(creditor, case_id, document_id)
    doc = type(doc).objects.get(pk=doc.pk)
    response = HttpResponse(bytes(doc.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response
