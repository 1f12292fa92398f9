"""The borrower's refunds at /portal/refund/: what is owed back (overpayments, a disputed loan
left out), the IBAN for refunds confirmed with an SMS code, the request, and each refund's
progress (requested → prepared → approved → paid in the next payout run)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from schedules import selectors
from schedules.models import RefundDetails, RefundDetailsStatus
from schedules.services import refund_iban, refunds


class RefundIbanForm(forms.Form):
    iban = forms.CharField(label=gettext_lazy("IBAN for refunds"), max_length=40,
                           help_text=gettext_lazy("A Kazakh IBAN in your name: KZ and 18 "
                                                  "letters and digits."))  # fmt: skip


class RefundCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the SMS"), max_length=6, min_length=6)


@borrower_required
@require_http_methods(["GET", "POST"])
def refund_page(request):
    borrower = request.user.borrower
    plan = selectors.plan_for_borrower(borrower)
    if plan is None:
        raise Http404
    iban_form = RefundIbanForm(request.POST if request.POST.get("step") == "iban" else None)
    code_form = RefundCodeForm(request.POST if request.POST.get("step") == "code" else None)
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "iban" and iban_form.is_valid():
                refund_iban.send_refund_iban_code(borrower=borrower, **iban_form.cleaned_data)
                messages.success(request, _("We sent a code to your phone."))
                return redirect("borrowers:refund")
            if step == "code" and code_form.is_valid():
                refund_iban.verify_refund_iban(borrower=borrower, **code_form.cleaned_data)
                messages.success(request, _("Your IBAN for refunds is confirmed."))
                return redirect("borrowers:refund")
            if step == "request":
                refunds.request_refund(plan_id=plan.pk, borrower=borrower)
                messages.success(request, _("Your refund request was received."))
                return redirect("borrowers:refund")
        except ApplicationError as error:
            (code_form if step == "code" else iban_form).add_error(None, error.message)
            if step == "request":
                messages.error(request, error.message)
    pending = RefundDetails.objects.filter(
        borrower=borrower, status=RefundDetailsStatus.PENDING
    ).first()
    context = {
        "plan": plan,
        "due": refunds.refund_due(plan),
        "verified": refund_iban.verified_refund_iban(borrower),
        "pending": pending,
        "iban_form": iban_form,
        "code_form": code_form,
        "refunds": plan.refund_payouts.order_by("-requested_at"),
    }
    return render(request, "portal/refund.html", context)
