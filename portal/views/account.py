"""The borrower's account: sign-in, the portal home, and identification of an account made
before registration required it (registration and reset: portal/views/enrolment.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from borrowers import services
from borrowers.models import IdentificationMethod
from creditors.selectors import loans_for_borrower_iin
from finplatform.permissions import borrower_required
from portal.forms import IINLoginForm, PhoneChangeForm
from portal.journey import journey_for_borrower
from portal.views import identity

MSG_IDENTIFIED = _("You are identified. You can now apply.")
MSG_PHONE_CHANGED = _("Your phone number is changed.")
METHODS = [
    IdentificationMethod.BIOMETRIC,
    IdentificationMethod.TWO_FACTOR,
    IdentificationMethod.EDS,
]
PHONE_METHODS = [IdentificationMethod.BIOMETRIC, IdentificationMethod.EDS]
PHONE_KEY = "new_phone"


@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = IINLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user(), backend="borrowers.auth.IINBackend")
        return redirect(_safe_next(request) or "home")
    return render(request, "portal/login.html", {"form": form})


def _safe_next(request) -> str | None:
    """`next` only if it stays on this site (no open redirect to another host or scheme)."""
    target = request.POST.get("next") or request.GET.get("next")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else None


@borrower_required
def portal_home(request):
    borrower = request.user.borrower
    return render(
        request,
        "portal/portal_home.html",
        {
            "borrower": borrower,
            "cases": borrower.cases.order_by("-created_at"),
            "loans": loans_for_borrower_iin(borrower.iin),
            "journey": journey_for_borrower(borrower),
        },
    )


@borrower_required
def identify_view(request):
    """Remote identification of an account made before registration required it: EDS, ЦОИД
    biometrics or the two-factor check, each with the operator check of the phone."""
    borrower = request.user.borrower
    if borrower.is_identified:
        return redirect("resolution:apply")
    typed = borrower.full_name
    if request.method == "POST" and request.POST.get("action") in identity.HELP_ACTIONS:
        return identity.ask_for_help(request, request.POST["action"], iin=borrower.iin,
                            phone=borrower.phone, full_name=borrower.full_name,
                            language=borrower.preferred_language,
                            redirect_to="borrowers:identify", borrower=borrower)  # fmt: skip

    def attempt(method, challenge, answer):
        return services.identify_borrower(
            borrower=borrower, method=method, challenge=challenge, answer=answer
        )

    done, context = identity.step(request, iin=borrower.iin, methods=METHODS, attempt=attempt)
    if done is not None:
        messages.success(request, MSG_IDENTIFIED)
        identity.tell_legal_name(request, typed=typed, borrower=done)
        return redirect("resolution:apply")
    if request.method == "POST" and context["identify_error"] is None:
        return redirect("borrowers:identify")
    context |= {
        "borrower": borrower,
        "phone_masked": borrower.phone[:5] + "•••" + borrower.phone[-2:],
    }
    return render(request, "portal/identify.html", context)


@borrower_required
def change_phone_view(request):
    """SPEC §7: a new phone only with a fresh EDS or biometric identification and the
    operator's confirmation that the new phone is registered to the IIN."""
    borrower = request.user.borrower
    starting = request.method == "POST" and request.POST.get("action") == "start"
    form = PhoneChangeForm(
        data=request.POST if starting else None, initial={"phone": request.session.get(PHONE_KEY)}
    )
    if starting:
        if not form.is_valid():
            methods = [(m, IdentificationMethod(m).label) for m in PHONE_METHODS]
            context = {"form": form, "methods": methods, "phone_masked": ""}
            return render(request, "portal/change_phone.html", context)
        request.session[PHONE_KEY] = form.cleaned_data["phone"]
    new_phone = request.session.get(PHONE_KEY, "")

    def attempt(method, challenge, answer):
        return services.change_phone(borrower=borrower, new_phone=new_phone, method=method,
                                     challenge=challenge, answer=answer)  # fmt: skip

    done, context = identity.step(request, iin=borrower.iin, methods=PHONE_METHODS,
                                  attempt=attempt)  # fmt: skip
    if done is not None:
        request.session.pop(PHONE_KEY, None)
        messages.success(request, MSG_PHONE_CHANGED)
        return redirect("borrowers:portal")
    context |= {"form": form, "phone_masked": (new_phone or borrower.phone)[:5] + "•••"
                + (new_phone or borrower.phone)[-2:]}  # fmt: skip
    return render(request, "portal/change_phone.html", context)
