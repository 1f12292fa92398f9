"""Consent as data (issue 19 point 5): which version of which consent text a borrower
accepted, when and how, and its withdrawal. The texts are versioned rows (`ConsentText`);
the one offered is the latest in force. Whether a withdrawal is allowed while a case is in
progress is the workflow's question (`resolution.services.consents`); this module only
records."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from borrowers.consent_texts import INITIAL_TEXTS
from borrowers.models import (
    Borrower,
    ConsentAcceptance,
    ConsentMethod,
    ConsentPurpose,
    ConsentText,
)
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError

MSG_UNKNOWN_PURPOSE = _("Unknown consent.")
MSG_NOT_GIVEN = _("This consent is not in force, so there is nothing to withdraw.")
# Withdrawable at any time; the others only when no case is in progress (the workflow says).
ALWAYS_WITHDRAWABLE = frozenset({ConsentPurpose.NOTIFICATIONS})


def current_text(purpose: str) -> ConsentText:
    """The version offered now: the latest in force; version 1 restored if the table is
    empty (a database emptied after its data migration ran)."""
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(MSG_UNKNOWN_PURPOSE, code="unknown_consent")
    text = (
        ConsentText.objects.filter(purpose=purpose, effective_from__lte=business_now())
        .order_by("-effective_from", "-version")
        .first()
    )
    if text is not None:
        return text
    words = INITIAL_TEXTS[purpose]
    text, _created = ConsentText.objects.get_or_create(
        purpose=purpose, version=1,
        defaults={"text_ru": words["ru"], "text_kk": words["kk"], "text_en": words["en"],
                  "effective_from": business_now()},
    )  # fmt: skip
    return text


@transaction.atomic
def accept_consent(*, borrower: Borrower, purpose: str, method: str, at=None) -> ConsentAcceptance:
    """Record that `borrower` accepted the current text of `purpose` by `method` at `at`
    (now by default). Idempotent: the same version already in force is returned as it is."""
    if method not in ConsentMethod.values:
        raise ApplicationError(MSG_UNKNOWN_PURPOSE, code="unknown_consent")
    text = current_text(purpose)
    existing = ConsentAcceptance.objects.filter(
        borrower=borrower, text=text, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ConsentAcceptance.objects.create(
                borrower=borrower, purpose=purpose, text=text, method=method,
                accepted_at=at or business_now(),
            )  # fmt: skip
    except IntegrityError:  # accepted at the same moment by another request
        return ConsentAcceptance.objects.get(borrower=borrower, text=text, withdrawn_at=None)


def in_force(borrower: Borrower) -> dict[str, ConsentAcceptance]:
    """{purpose: the latest active acceptance} of the borrower."""
    rows = ConsentAcceptance.objects.filter(borrower=borrower, withdrawn_at__isnull=True)
    found: dict[str, ConsentAcceptance] = {}
    for row in rows.select_related("text").order_by("accepted_at", "pk"):
        found[row.purpose] = row
    return found


def has_consent(borrower: Borrower, purpose: str) -> bool:
    return ConsentAcceptance.objects.filter(
        borrower=borrower, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


@dataclass(frozen=True)
class ConsentLine:
    """One consent as the cabinet and the application record show it."""

    purpose: str
    label: str
    text: ConsentText  # the version accepted, or the one offered
    acceptance: ConsentAcceptance | None


def consent_lines(borrower: Borrower) -> list[ConsentLine]:
    active = in_force(borrower)
    return [
        ConsentLine(
            purpose=p.value,
            label=str(p.label),
            text=active[p].text if p in active else current_text(p),
            acceptance=active.get(p),
        )  # fmt: skip
        for p in ConsentPurpose
    ]


@transaction.atomic
def withdraw_consent(*, borrower: Borrower, purpose: str) -> int:
    """Withdraw every active acceptance of `purpose` (the caller decided it may be withdrawn
    now). Returns how many rows were closed; nothing in force is a ConflictError."""
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(MSG_UNKNOWN_PURPOSE, code="unknown_consent")
    rows = ConsentAcceptance.objects.select_for_update().filter(
        borrower=borrower, purpose=purpose, withdrawn_at__isnull=True
    )
    if not rows.exists():
        raise ConflictError(MSG_NOT_GIVEN, code="consent_not_in_force")
    return rows.update(withdrawn_at=business_now())
