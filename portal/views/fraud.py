""" "This loan is not mine": the borrower flags a loan of their own case with a statement
(`resolution.services.fraud`); reached from the case page."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from resolution.selectors import borrower as selectors
from resolution.services import fraud

MSG_FLAGGED = _(
    "Your statement is recorded. The loan is held out of your plan and the creditor is told to "
    "stop interest and collection on it."
)


class FraudStatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"), max_length=5_000,
        help_text=_(
            "When and how you learnt of this loan, why it is not yours, and whether you have "
            "reported it to the police (give the report's number if you have one)."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": fraud.MSG_STATEMENT_REQUIRED},
    )  # fmt: skip


@borrower_required
def loan_not_mine(request, reference: str, case_loan_id):
    case = selectors.case_for_borrower_by_reference(request.user.borrower, reference)
    case_loan = get_object_or_404(selectors.case_loans(case), pk=case_loan_id)
    flag = selectors.fraud_flags(case).get(case_loan.pk)
    form = FraudStatementForm(data=request.POST or None)
    if request.method == "POST" and flag is None and form.is_valid():
        try:
            fraud.flag_loan_as_fraud(
                borrower=request.user.borrower, case_loan_id=case_loan.pk,
                statement=form.cleaned_data["statement"], user=request.user,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, MSG_FLAGGED)
            return redirect("resolution:case", reference=case.reference)
    return render(request, "portal/loan_not_mine.html", {
        "case": case, "cl": case_loan, "flag": flag, "form": form,
        "can_flag": flag is None and case_loan.included and selectors.can_flag_fraud(case),
    })  # fmt: skip
