from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from borrowers.forms import IINLoginForm
from creditors.selectors import loans_for_borrower_iin
from finplatform.permissions import borrower_required


@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = IINLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user(), backend="borrowers.auth.IINBackend")
        return redirect(request.GET.get("next") or "home")
    return render(request, "borrowers/login.html", {"form": form})


@borrower_required
def portal_home(request):
    borrower = request.user.borrower
    return render(
        request,
        "borrowers/portal_home.html",
        {
            "borrower": borrower,
            "cases": borrower.cases.order_by("-created_at"),
            "loans": loans_for_borrower_iin(borrower.iin),
        },
    )
