"""Registration and password reset: both lead to identification, and only the identified
person gets (or gets back) the account (borrowers/enrolment.py). The answer to a registration
is the same whether or not the IIN has an account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from borrowers import enrolment as services
from borrowers.models import ConsentPurpose, EnrolmentPurpose
from finplatform.errors import ApplicationError
from finplatform.signin import ENROLMENTS_PER_ADDRESS, MSG_TOO_MANY_REQUESTS, client_ip
from portal.forms import CodeForm, PasswordResetForm, RegistrationForm
from portal.views import identity
from portal.views.account import METHODS
from portal.views.consents import offered_texts

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
SESSION_KEY = "enrolment"
MSG_WELCOME = _("You are identified and signed in. You can now apply.")
MSG_PASSWORD_CHANGED = _("You are identified and your new password is set.")
MSG_CODE_SENT = _("We sent a new code by SMS.")
MSG_PHONE_CONFIRMED = _("Your phone is confirmed. Now confirm who you are.")


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
    _send_code(request, enrolment)
    return redirect("borrowers:enrol")


def _send_code(request, enrolment) -> bool:
    try:
        services.send_phone_code(enrolment=enrolment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    return True


def _phone_step(request, enrolment):
    """Step 2: the code texted to the phone given proves the person holds it (it identifies
    nobody; identification comes next)."""
    action = request.POST.get("action") if request.method == "POST" else None
    form = CodeForm()
    if action == "resend_code":
        if _send_code(request, enrolment):
            messages.info(request, MSG_CODE_SENT)
        return redirect("borrowers:enrol")
    if action == "confirm_phone":
        form = CodeForm(data=request.POST)
        if form.is_valid():
            try:
                services.confirm_phone(enrolment=enrolment, code=form.cleaned_data["code"])
            except ApplicationError as exc:
                form.add_error("code", exc.message)
            else:
                messages.success(request, MSG_PHONE_CONFIRMED)
                return redirect("borrowers:enrol")
    context = {"enrolment": enrolment, "code_form": form, "phone_step": True,
               "dev_inbox": settings.LOCAL, "phone_masked": _masked(enrolment.phone)}  # fmt: skip
    return render(request, "portal/enrol.html", context)


def _masked(phone: str) -> str:
    return phone[:5] + "•••" + phone[-2:]


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
    texts = offered_texts(ConsentPurpose.PROCESSING)
    return render(request, "portal/register.html", {"form": form, "consent_texts": texts})


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


def enrol_view(request):
    """After the phone is confirmed by the texted code, identification for a registration or
    reset: EDS, ЦОИД biometrics or the two-factor check, each with the operator's confirmation
    that the phone given is registered to the IIN."""
    enrolment = services.open_enrolment(request.session.get(SESSION_KEY))
    if enrolment is None:
        return redirect("borrowers:register")
    action = request.POST.get("action") if request.method == "POST" else None
    if action in identity.HELP_ACTIONS:
        return identity.ask_for_help(request, action, iin=enrolment.iin, phone=enrolment.phone,
                            full_name=enrolment.full_name, language=enrolment.language,
                            redirect_to="borrowers:enrol")  # fmt: skip

    if enrolment.phone_confirmed_at is None:
        return _phone_step(request, enrolment)

    def attempt(method, challenge, answer):
        return services.enrol_identified(
            enrolment=enrolment, method=method, challenge=challenge, answer=answer
        )

    borrower, context = identity.step(request, iin=enrolment.iin, methods=METHODS, attempt=attempt)
    if borrower is not None:
        request.session.pop(SESSION_KEY, None)
        login(request, borrower.user, backend="borrowers.auth.IINBackend")
        identity.tell_legal_name(request, typed=enrolment.full_name, borrower=borrower)
        if enrolment.purpose == EnrolmentPurpose.RESET:
            messages.success(request, MSG_PASSWORD_CHANGED)
            return redirect("borrowers:portal")
        messages.success(request, MSG_WELCOME)
        return redirect("resolution:apply")
    if request.method == "POST" and context["identify_error"] is None:
        return redirect("borrowers:enrol")
    context |= {
        "enrolment": enrolment,
        "phone_masked": _masked(enrolment.phone),
    }
    return render(request, "portal/enrol.html", context)
