"""The borrower's payoff quote at /portal/schedule/payoff/: the amount that finishes the plan
today, valid through a date, with the details to pay it (the case reference, as for any
payment: paying it through the normal payment path completes the plan)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from finplatform.errors import ApplicationError
from finplatform.money import format_tenge
from finplatform.permissions import borrower_required
from portal.payment_details import payment_instructions
from schedules import selectors
from schedules.services import payoff


@borrower_required
@require_http_methods(["GET", "POST"])
def payoff_quote(request):
    plan = selectors.plan_for_borrower(request.user.borrower)
    if plan is None:
        raise Http404
    if request.method == "POST":
        try:
            payoff.quote_payoff(plan_id=plan.pk, requested_by="borrower")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("schedules:payoff_quote")
    plan.refresh_from_db()
    current = payoff.latest_quote(plan)
    pay = None
    if current is not None and current.state == payoff.QuoteState.VALID:
        pay = payment_instructions(
            reference=plan.case.reference, amount_text=format_tenge(current.quote.amount_tiyn)
        )
    context = {"plan": plan, "current": current, "pay": pay, "valid": payoff.QuoteState.VALID}
    return render(request, "portal/payoff_quote.html", context)
