"""The development clock's page at /dev/clock/ (development and test only; the URL exists only
when settings.LOCAL, and every request checks that the clock is on): business time now, how far
it runs ahead of real time, buttons to move it forward or reset it; each move runs the time
sweeps at once (finplatform/devsweeps.py) so reminders, deemed confirmations, signing expiry,
a breach or a completion show up right away."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from finplatform import devclock, devsweeps
from finplatform.clock import business_now

STEPS = ("+3h", "+1d", "+3d", "+7d", "+30d", "+41d")


@require_http_methods(["GET", "POST"])
def dev_clock(request):
    if not devclock.enabled():
        raise Http404
    if request.method == "POST":
        action = request.POST.get("step", "").strip()
        try:
            if action == "reset":
                devclock.reset()
            else:
                devclock.advance(devclock.parse_step(action))
        except ValueError:
            messages.error(request, _("Not a clock step: use +41d, +3h or +90m."))
            return redirect("dev_clock")
        devsweeps.run_sweeps()
        messages.success(request, _("The clock moved and the sweeps ran."))
        return redirect("dev_clock")
    shift = int(devclock.offset().total_seconds())
    context = {
        "now": business_now(),
        "days": shift // 86400,
        "hours": shift % 86400 // 3600,
        "minutes": shift % 3600 // 60,
        "steps": STEPS,
    }
    return render(request, "portal/dev_clock.html", context)
