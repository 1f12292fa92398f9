"""The identification step shared by the identify page, registration, password reset and the
phone change: the person picks a method, the platform keeps that method's challenge in the
session (borrowers/identification.py), and the answer spends it. In production the camera
widget (ЦОИД SDK) and NCALayer produce the answer; here the page's camera stand-in fills the
live answer to the challenge shown, and an EDS signature is pasted (tests get one from the
simulator's dev-only /_control/identity/eds-signatures)."""

from uuid import uuid4

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from borrowers import identification
from borrowers.models import HelpKind, IdentificationMethod
from borrowers.services import MSG_HELP_REQUESTED, MSG_VISIT_REQUESTED, request_help
from finplatform.errors import ApplicationError

SESSION_KEY = "identity_challenge"
MSG_CHOOSE_METHOD = _("Choose an identification method.")
MOVEMENTS = {
    "turn_left": _("turn your head left"), "turn_right": _("turn your head right"),
    "blink": _("blink"), "smile": _("smile"), "nod": _("nod"), "look_up": _("look up"),
}  # fmt: skip
HELP_ACTIONS = {"help_callback": HelpKind.CALLBACK, "help_visit": HelpKind.VISIT}
MSG_NAME_FROM_REGISTER = _(
    "Your documents will name you %(name)s, as the state register holds it, not as typed "
    "on the form."
)


class AnswerForm(forms.Form):
    selfie_token = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    challenge_answer = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    certificate = forms.CharField(label=_("EDS certificate (PEM)"), max_length=8000,
                                  required=False, widget=forms.Textarea)  # fmt: skip
    signature = forms.CharField(label=_("Signature of the text above (Base64)"), max_length=2000,
                                required=False)  # fmt: skip


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


def tell_legal_name(request, *, typed: str, borrower) -> None:
    """Say so when the identification named the borrower otherwise than they had typed (the
    legal name comes from the identity source: borrowers/identification.py)."""
    if typed and not identification.same_name(typed, borrower.full_name):
        messages.info(request, str(MSG_NAME_FROM_REGISTER) % {"name": borrower.full_name})


def camera_stand_in(challenge: dict | None) -> dict:
    """What the simulated camera returns for a face challenge: the movements done, in order,
    and the nonce shown (bureau_gateway/simulator/identity.py computes the same)."""
    if not challenge or challenge.get("method") == IdentificationMethod.EDS:
        return {}
    answer = "-".join(challenge["movements"]) + ":" + challenge["nonce"]
    return {"selfie_token": f"live:{uuid4()}", "challenge_answer": answer}


def step(request, *, iin: str, methods, attempt):
    """Handle the identification actions of a POST. `attempt(method, challenge, answer)` runs
    the service and returns its result. Returns (result or None, context for
    portal/_identification.html)."""
    challenge = request.session.get(SESSION_KEY)
    if challenge and challenge.get("iin") != iin:
        challenge = None
    action = request.POST.get("action") if request.method == "POST" else None
    error, error_code, result = None, None, None
    try:
        if action == "start":
            method = request.POST.get("method")
            if method not in methods:
                raise ApplicationError(MSG_CHOOSE_METHOD, code="unknown_method")
            challenge = identification.new_challenge(iin=iin, method=method)
            request.session[SESSION_KEY] = challenge
        elif action == "identify":
            form = AnswerForm(data=request.POST)
            spent = request.session.pop(SESSION_KEY, None)  # one attempt per challenge
            challenge = None
            data = form.cleaned_data if form.is_valid() else {}
            method = (spent or {}).get("method", "")
            result = attempt(method, spent, identification.Answer(**data))
    except ApplicationError as exc:
        error, error_code = exc.message, exc.code
    context = {
        "challenge": challenge,
        "movements": [MOVEMENTS.get(m, m) for m in (challenge or {}).get("movements", [])],
        "methods": [(m, IdentificationMethod(m).label) for m in methods],
        "answer_form": AnswerForm(initial=camera_stand_in(challenge)),
        "identify_error": error,
        "last_error_code": error_code,
    }
    return result, context
