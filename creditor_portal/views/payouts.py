"""The creditor's money pages: payouts received (with the statement period form) and the
payout details, changed under maker–checker (one colleague proposes, another approves)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from creditor_portal.forms import PayoutDetailsForm, RejectForm, StatementPeriodForm
from creditors import services
from creditors.models import PayoutDetails
from creditors.selectors import (
    active_payout_details,
    creditor_for_user,
    payout_details_history,
    pending_payout_review,
)
from finplatform.errors import ApplicationError
from finplatform.permissions import creditor_staff_required
from schedules import selectors


@creditor_staff_required
def payouts(request):
    creditor = creditor_for_user(request.user)
    return render(
        request,
        "creditor_portal/payouts.html",
        {
            "creditor": creditor,
            "payout_details": active_payout_details(creditor),
            "payouts": selectors.payouts_for_creditor(creditor)[:200],
            "resumptions": selectors.resumptions_for_creditor(creditor),
            "period": StatementPeriodForm(),
        },
    )


@creditor_staff_required
def payout_details(request):
    creditor = creditor_for_user(request.user)
    # The beneficiary can only be the organisation itself: offered as the starting values.
    initial = {"beneficiary_name": creditor.name, "beneficiary_bin": creditor.bin}
    form = PayoutDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_payout_details(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Saved. A colleague must approve the new details."))
            return redirect("creditors:payout_details")
    return render(
        request,
        "creditor_portal/payout_details.html",
        {
            "creditor": creditor,
            "form": form,
            "active": active_payout_details(creditor),
            "review": pending_payout_review(creditor),
            "history": payout_details_history(creditor),
        },
    )


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
