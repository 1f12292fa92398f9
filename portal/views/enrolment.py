"""Registration and password reset: both lead to identification, and only the identified
person gets (or gets back) the account (borrowers/enrolment.py). The answer to a registration
is the same whether or not the IIN has an account."""

from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from borrowers import enrolment as services
from borrowers.models import EnrolmentPurpose, HelpKind
from borrowers.services import MSG_HELP_REQUESTED, MSG_VISIT_REQUESTED, request_help
from finplatform.errors import ApplicationError
from finplatform.signin import ENROLMENTS_PER_ADDRESS, MSG_TOO_MANY_REQUESTS, client_ip
from portal.forms import BiometricForm, OtpForm, PasswordResetForm, RegistrationForm

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
SESSION_KEY = "enrolment"
MSG_CODE_SENT = _("We sent a one-time code by SMS to your phone.")
MSG_WELCOME = _("You are identified and signed in. You can now apply.")
MSG_PASSWORD_CHANGED = _("You are identified and your new password is set.")


def _start(request, form, purpose: str):
    """Start an enrolment from a valid form; returns a redirect, or None with a form error."""
    if ENROLMENTS_PER_ADDRESS.hit(client_ip(request)) > ENROLMENTS_PER_ADDRESS.limit:
        form.add_error(None, MSG_TOO_MANY_REQUESTS)
        return None
    data = form.cleaned_data
    language = get_language()[:2] if get_language()[:2] in LANGUAGE_CODES else "ru"
    try:
        enrolment = services.start_enrolment(
            purpose=purpose, iin=data["iin"], phone=data["phone"], password=data["password"],
            full_name=data.get("full_name", ""), email=data.get("email", ""),
            consent=data.get("consent", False), language=language,
        )  # fmt: skip
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None
    request.session[SESSION_KEY] = str(enrolment.pk)
    return redirect("borrowers:enrol")


@sensitive_post_parameters("password", "password_again")
@never_cache
def register_view(request):
    """Step 1 of SPEC §2: the account's details; identification comes next."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _start(request, form, EnrolmentPurpose.REGISTER)
        if response is not None:
            return response
    return render(request, "portal/register.html", {"form": form})


@sensitive_post_parameters("password", "password_again")
@never_cache
def forgot_password_view(request):
    """A new password, set once the borrower passes identification (this also ends a
    sign-in wait)."""
    form = PasswordResetForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _start(request, form, EnrolmentPurpose.RESET)
        if response is not None:
            return response
    return render(request, "portal/forgot_password.html", {"form": form})


HELP_ACTIONS = {"help_callback": HelpKind.CALLBACK, "help_visit": HelpKind.VISIT}


def ask_for_help(request, action, *, iin, phone, full_name, language, redirect_to,
                 borrower=None):  # fmt: skip
    """The fallback of identification: a call-back or a visit, a task for staff."""
    kind = HELP_ACTIONS[action]
    request_help(
        kind=kind, iin=iin, phone=phone, full_name=full_name, language=language,
        reason=request.POST.get("reason", "")[:40], borrower=borrower,
    )  # fmt: skip
    messages.success(request, MSG_VISIT_REQUESTED if kind == HelpKind.VISIT else MSG_HELP_REQUESTED)
    return redirect(redirect_to)


def enrol_view(request):
    """Identification for a registration or reset: a code to the phone given, if the mobile
    operator confirms it is registered to the IIN, or biometrics with liveness."""
    enrolment = services.open_enrolment(request.session.get(SESSION_KEY))
    if enrolment is None:
        return redirect("borrowers:register")
    otp_form, bio_form = OtpForm(), BiometricForm(initial={"selfie_token": f"live:{uuid4()}"})
    action = request.POST.get("action") if request.method == "POST" else None
    send_error = borrower = last_error_code = None
    if action in HELP_ACTIONS:
        return ask_for_help(request, action, iin=enrolment.iin, phone=enrolment.phone,
                            full_name=enrolment.full_name, language=enrolment.language,
                            redirect_to="borrowers:enrol")  # fmt: skip
    try:
        if action == "send_code":
            services.send_enrolment_code(enrolment=enrolment)
            messages.info(request, MSG_CODE_SENT)
            return redirect("borrowers:enrol")
        if action == "confirm_code":
            otp_form = OtpForm(data=request.POST)
            if otp_form.is_valid():
                borrower = services.confirm_enrolment_code(
                    enrolment=enrolment, code=otp_form.cleaned_data["code"]
                )
        if action == "biometric":
            bio_form = BiometricForm(data=request.POST)
            if bio_form.is_valid():
                borrower = services.enrol_by_biometrics(
                    enrolment=enrolment, selfie_token=bio_form.cleaned_data["selfie_token"]
                )
    except ApplicationError as exc:
        last_error_code = exc.code
        if action == "confirm_code":
            otp_form.add_error("code", exc.message)
        elif action == "biometric":
            bio_form.add_error(None, exc.message)
        else:
            send_error = exc.message
    if borrower is not None:
        request.session.pop(SESSION_KEY, None)
        login(request, borrower.user, backend="borrowers.auth.IINBackend")
        if enrolment.purpose == EnrolmentPurpose.RESET:
            messages.success(request, MSG_PASSWORD_CHANGED)
            return redirect("borrowers:portal")
        messages.success(request, MSG_WELCOME)
        return redirect("resolution:apply")
    context = {
        "enrolment": enrolment,
        "otp_form": otp_form,
        "bio_form": bio_form,
        "code_sent": bool(enrolment.code_hash),
        "send_error": send_error,
        "last_error_code": last_error_code,
        "phone_masked": enrolment.phone[:5] + "•••" + enrolment.phone[-2:],
    }
    return render(request, "portal/enrol.html", context)
