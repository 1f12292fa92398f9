""" "My consents" in the cabinet: each consent with the version accepted, when and how, its
words, and a withdraw button where the law allows (else the reason); and the consent texts
the registration and application forms show."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from borrowers import consents as records
from borrowers.models import ConsentPurpose, ConsentText
from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from resolution.services import consents as services

MSG_WITHDRAWN = _("The consent is withdrawn.")


@dataclass(frozen=True)
class TextLine:
    label: str
    text: ConsentText
    words: str


def _language() -> str:
    language = (get_language() or "ru")[:2]
    return language if language in {"ru", "kk", "en"} else "ru"


def offered_texts(*purposes) -> list[TextLine]:
    """The current version of each consent, in the page's language (for the forms)."""
    language = _language()
    lines = []
    for purpose in purposes:
        text = records.current_text(purpose)
        lines.append(TextLine(str(ConsentPurpose(purpose).label), text, text.text(language)))
    return lines


@borrower_required
def my_consents(request):
    borrower = request.user.borrower
    language = _language()
    lines = [
        {"line": line, "words": line.text.text(language),
         "refusal": services.withdrawal_refusal(borrower, line.purpose)}
        for line in records.consent_lines(borrower)
    ]  # fmt: skip
    return render(request, "portal/consents.html", {"lines": lines})


@require_POST
@borrower_required
def withdraw(request, purpose: str):
    try:
        services.withdraw(borrower=request.user.borrower, purpose=purpose)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_WITHDRAWN)
    return redirect("borrowers:consents")


@require_POST
@borrower_required
def give(request, purpose: str):
    """Give (again) a consent from the cabinet: the notifications consent after a withdrawal."""
    if purpose != ConsentPurpose.NOTIFICATIONS:
        messages.error(request, records.MSG_UNKNOWN_PURPOSE)
    else:
        records.accept_consent(borrower=request.user.borrower, purpose=purpose,
                               method="cabinet")  # fmt: skip
    return redirect("borrowers:consents")
