"""Plan variations on the creditor's dashboard: every variation of a plan the organisation has
a share in, the timetable before and after, and an objection with a reason while the window
is open (it blocks the variation). Scoped to the staff member's organisation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from creditor_portal.forms import ObjectionForm
from creditors.selectors import creditor_for_user
from finplatform.errors import ApplicationError
from finplatform.permissions import creditor_staff_required
from resolution.selectors import variations as sel
from resolution.services.variations import object_to_variation


def _page(request, creditor, bound=None, status=200):
    rows = list(sel.variations_for_creditor(creditor)[:200])
    for variation in rows:
        variation.my_objection = sel.objection_of(variation, creditor)
        variation.form = (bound or {}).get(variation.pk) or ObjectionForm(prefix=variation.pk.hex)
    return render(request, "creditor_portal/variations.html",
                  {"creditor": creditor, "variations": rows}, status=status)  # fmt: skip


@creditor_staff_required
def variations(request):
    return _page(request, creditor_for_user(request.user))


@require_POST
@creditor_staff_required
def object_to(request, variation_id):
    creditor = creditor_for_user(request.user)
    variation = sel.variation_for_creditor(creditor, variation_id)  # 404 if not ours
    form = ObjectionForm(request.POST, prefix=variation.pk.hex)
    if not form.is_valid():
        return _page(request, creditor, {variation.pk: form}, status=400)
    try:
        object_to_variation(creditor=creditor, variation_id=variation.pk, user=request.user,
                            reason=form.cleaned_data["reason"])  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your objection was recorded: the variation is blocked."))
    return redirect("creditors:variations")
