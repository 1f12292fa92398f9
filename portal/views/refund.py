"""The borrower's refunds at /portal/refund/: what is owed back (overpayments, a disputed loan
left out), the IBAN for refunds — set or changed only with a fresh identification by
biometrics or EDS plus the operator check (SPEC §7; the shared step of portal/views/identity.py,
as for the phone change) —, the request, and each refund's progress (requested → prepared →
approved → paid in the next payout run)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from portal.views import identity
from schedules import selectors
from schedules.services import refund_iban, refunds

IBAN_KEY = "refund_iban"


class RefundIbanForm(forms.Form):
    iban = forms.CharField(label=gettext_lazy("IBAN for refunds"), max_length=40,
                           help_text=gettext_lazy("A Kazakh IBAN in your name: KZ and 18 "
                                                  "letters and digits."))  # fmt: skip

    def clean_iban(self):
        try:
            return refund_iban.clean_iban(self.cleaned_data["iban"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None


@borrower_required
@require_http_methods(["GET", "POST"])
def refund_page(request):
    borrower = request.user.borrower
    plan = selectors.plan_for_borrower(borrower)
    if plan is None:
        raise Http404
    if request.method == "POST" and request.POST.get("step") == "request":
        try:
            refunds.request_refund(plan_id=plan.pk, borrower=borrower)
            messages.success(request, _("Your refund request was received."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("borrowers:refund")
    starting = request.method == "POST" and request.POST.get("action") == "start"
    form = RefundIbanForm(data=request.POST if starting else None,
                          initial={"iban": request.session.get(IBAN_KEY)})  # fmt: skip
    if starting and form.is_valid():
        request.session[IBAN_KEY] = form.cleaned_data["iban"]
    new_iban = request.session.get(IBAN_KEY, "")

    def attempt(method, challenge, answer):
        return refund_iban.identify_and_set_refund_iban(
            borrower=borrower, iban=new_iban, method=method, challenge=challenge, answer=answer
        )

    if starting and not form.is_valid():  # no check starts for an IBAN that cannot be used
        done, context = None, {"challenge": None, "answer_form": identity.AnswerForm()}
    else:
        done, context = identity.step(request, iin=borrower.iin, methods=refund_iban.METHODS,
                                      attempt=attempt)  # fmt: skip
    if done is not None:
        request.session.pop(IBAN_KEY, None)
        messages.success(request, _("Your IBAN for refunds is set."))
        return redirect("borrowers:refund")
    context["methods"] = [(m, m.label) for m in refund_iban.METHODS]
    context |= {
        "plan": plan,
        "due": refunds.refund_due(plan),
        "verified": refund_iban.verified_refund_iban(borrower),
        "start_form": form,
        "phone_masked": borrower.phone[:5] + "•••" + borrower.phone[-2:],
        "refunds": plan.refund_payouts.order_by("-requested_at"),
    }
    return render(request, "portal/refund.html", context)
