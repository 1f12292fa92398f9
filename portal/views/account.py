"""The borrower's account: sign-in, the portal home, and identification of an account made
before registration required it (registration and reset: portal/views/enrolment.py)."""

from uuid import uuid4

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from borrowers import services
from creditors.selectors import loans_for_borrower_iin
from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from portal.forms import BiometricForm, IINLoginForm, OtpForm
from portal.journey import journey_for_borrower
from portal.views.enrolment import HELP_ACTIONS, ask_for_help

MSG_CODE_SENT = _("We sent a one-time code by SMS to your phone.")
MSG_IDENTIFIED = _("You are identified. You can now apply.")


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
    """Remote identification: a one-time code to an operator-confirmed phone, or biometrics
    with liveness."""
    borrower = request.user.borrower
    if borrower.is_identified:
        return redirect("resolution:apply")
    otp_form, bio_form = OtpForm(), BiometricForm(initial={"selfie_token": f"live:{uuid4()}"})
    code_sent = borrower.identification_challenges.filter(confirmed_at__isnull=True).exists()
    action = request.POST.get("action") if request.method == "POST" else None
    send_error = last_error_code = None
    if action in HELP_ACTIONS:
        return ask_for_help(request, action, iin=borrower.iin, phone=borrower.phone,
                            full_name=borrower.full_name, language=borrower.preferred_language,
                            redirect_to="borrowers:identify", borrower=borrower)  # fmt: skip
    try:
        if action == "send_code":
            services.start_phone_identification(borrower=borrower)
            messages.info(request, MSG_CODE_SENT)
            return redirect("borrowers:identify")
        if action == "confirm_code":
            otp_form = OtpForm(data=request.POST)
            if otp_form.is_valid():
                services.confirm_phone_identification(
                    borrower=borrower, code=otp_form.cleaned_data["code"]
                )
                messages.success(request, MSG_IDENTIFIED)
                return redirect("resolution:apply")
        if action == "biometric":
            bio_form = BiometricForm(data=request.POST)
            if bio_form.is_valid():
                services.identify_by_biometrics(
                    borrower=borrower, selfie_token=bio_form.cleaned_data["selfie_token"]
                )
                messages.success(request, MSG_IDENTIFIED)
                return redirect("resolution:apply")
    except ApplicationError as exc:
        last_error_code = exc.code
        if action == "confirm_code":
            otp_form.add_error("code", exc.message)
        elif action == "biometric":
            bio_form.add_error(None, exc.message)
        else:
            send_error = exc.message
    context = {
        "borrower": borrower,
        "otp_form": otp_form,
        "bio_form": bio_form,
        "code_sent": code_sent,
        "send_error": send_error,
        "last_error_code": last_error_code,
        "phone_masked": borrower.phone[:5] + "•••" + borrower.phone[-2:],
    }
    return render(request, "portal/identify.html", context)
