"""The borrower's complaints: the list with a form to file one, and one complaint's thread."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from borrowers import complaints
from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from portal.forms import ComplaintForm, ComplaintMessageForm


@borrower_required
def complaint_list(request):
    borrower = request.user.borrower
    form = ComplaintForm(request.POST or None, initial={"language": borrower.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaints.file_complaint(borrower=borrower, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your complaint is registered. The answer is due by %(due)s.")
                % {"due": date_format(complaint.due_on, "DATE_FORMAT")},
            )
            return redirect("borrowers:complaint", complaint_id=complaint.pk)
    return render(
        request,
        "portal/complaints.html",
        {"form": form, "complaints": complaints.complaints_for_borrower(borrower)},
    )


@borrower_required
def complaint_detail(request, complaint_id):
    borrower = request.user.borrower
    complaint = get_object_or_404(complaints.complaints_for_borrower(borrower), pk=complaint_id)
    form = ComplaintMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaints.add_borrower_message(
            complaint=complaint, borrower=borrower, body=form.cleaned_data["body"]
        )
        return redirect("borrowers:complaint", complaint_id=complaint.pk)
    return render(
        request,
        "portal/complaint_detail.html",
        {"complaint": complaint, "thread": complaint.messages.all(), "form": form},
    )
