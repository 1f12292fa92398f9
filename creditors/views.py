from django.shortcuts import render

from creditors.selectors import creditor_for_user, loan_for_creditor, loans_for_creditor
from finplatform.permissions import creditor_staff_required


@creditor_staff_required
def dashboard(request):
    creditor = creditor_for_user(request.user)
    return render(
        request,
        "creditors/dashboard.html",
        {"creditor": creditor, "loans": loans_for_creditor(creditor)[:200]},
    )


@creditor_staff_required
def loan_detail(request, loan_id):
    creditor = creditor_for_user(request.user)
    loan = loan_for_creditor(creditor, loan_id)  # 404 for another organisation's loan
    return render(request, "creditors/loan_detail.html", {"creditor": creditor, "loan": loan})
