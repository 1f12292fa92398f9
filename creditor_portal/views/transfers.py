"""The creditor's claim transfers: the claims it sold or bought (with the figures that stay
with the seller) and the form to record a sale for the ombudsman to approve."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from creditor_portal.forms import TransferForm
from creditor_portal.views.dashboard import record_dashboard_read
from creditors.selectors import creditor_for_user
from finplatform.errors import ApplicationError
from finplatform.permissions import creditor_staff_required
from finplatform.uploads import PDF, serve
from resolution.models import ReadDocumentKind
from resolution.selectors import changes as reads
from resolution.services.transfers import record_transfer
from schedules.models import RecordedVia

MSG_RECORDED = _("The sale is recorded. It takes effect when the ombudsman approves it.")


@creditor_staff_required
def transfers(request):
    creditor = creditor_for_user(request.user)
    loans = reads.sellable_case_loans(creditor)
    form = TransferForm(request.POST or None, request.FILES or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_transfer(
                case_loan_id=data["case_loan"].pk, buyer_bin=data["buyer_bin"],
                effective_on=data["effective_on"], document=data["document"],
                via=RecordedVia.DASHBOARD, seller=creditor, user=request.user,
            )  # fmt: skip
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, MSG_RECORDED)
            return redirect("creditors:transfers")
    rows = list(reads.transfers_for_creditor(creditor)[:200])
    for row in rows:
        row.sold = row.from_creditor_id == creditor.pk
    return render(
        request, "creditor_portal/transfers.html",
        {"creditor": creditor, "form": form, "transfers": rows},
        status=400 if form.is_bound and form.errors else 200,
    )  # fmt: skip


@creditor_staff_required
def document(request, transfer_id):
    """The assignment agreement, to the seller and the buyer only (anyone else: 404)."""
    creditor = creditor_for_user(request.user)
    transfer = reads.transfer_for_creditor(creditor, transfer_id)
    record_dashboard_read(
        request, creditor, ReadDocumentKind.ASSIGNMENT, transfer.pk, transfer.plan.case_id
    )
    return serve(transfer.document, name=transfer.document_name, content_type=PDF)
