"""A creditor staff member's own language ("My language"): the interface after sign-in and
the emails addressed to them. Only the signed-in person's own preference can change."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from creditors.services import set_staff_language
from finplatform.forms import OwnLanguageForm
from finplatform.permissions import creditor_staff_required
from finplatform.signin import use_language

MSG_SAVED = _("Your language is saved.")


@creditor_staff_required
def my_language(request):
    staff = request.user.creditor_staff
    form = OwnLanguageForm(request.POST or None, initial={"language": staff.preferred_language})
    if request.method == "POST" and form.is_valid():
        staff = set_staff_language(user=request.user, language=form.cleaned_data["language"])
        response = redirect("creditors:my_language")
        use_language(response, staff.preferred_language)
        messages.success(request, MSG_SAVED)
        return response
    status = 400 if form.is_bound else 200
    return render(request, "creditor_portal/my_language.html",
                  {"form": form, "creditor": staff.creditor}, status=status)  # fmt: skip
