"""Consents against the workflow (issue 19 point 5): what the application records, and when a
consent may be withdrawn. Processing of personal data and the credit-bureau request hold while
a case is in progress (the procedure cannot run without them: the data are shared with the
creditors and the ombudsman, the bureau is told of the start and the end); the notifications
consent may be withdrawn at any time. The records themselves are `borrowers.consents`."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from borrowers import consents
from borrowers.models import Borrower, ConsentMethod, ConsentPurpose
from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ConflictError
from resolution.models import Case, CaseStatus

# A case in one of these states no longer needs the data or the bureau.
FINISHED = (
    CaseStatus.INELIGIBLE, CaseStatus.REJECTED, CaseStatus.REFUSED, CaseStatus.COMPLETED,
    CaseStatus.BREACHED,
)  # fmt: skip
MSG_NOT_WHILE_IN_PROGRESS = _(
    "This consent cannot be withdrawn while your case %(reference)s is in progress: the "
    "procedure needs your data and the credit bureau's report, and the law lets the platform "
    "keep them until the procedure ends. You can withdraw it once the case is finished."
)


def case_in_progress(borrower: Borrower) -> Case | None:
    return Case.objects.filter(borrower=borrower).exclude(status__in=FINISHED).first()


def withdrawal_refusal(borrower: Borrower, purpose: str) -> str:
    """Why `purpose` cannot be withdrawn now ("" when it can)."""
    if purpose in consents.ALWAYS_WITHDRAWABLE:
        return ""
    case = case_in_progress(borrower)
    return str(MSG_NOT_WHILE_IN_PROGRESS % {"reference": case.reference}) if case else ""


@transaction.atomic
def withdraw(*, borrower: Borrower, purpose: str) -> int:
    """Withdraw a consent where the law allows; ConflictError with the reason otherwise."""
    refusal = withdrawal_refusal(borrower, purpose)
    if refusal:
        raise ConflictError(refusal, code="consent_needed_by_case")
    return consents.withdraw_consent(borrower=borrower, purpose=purpose)


def accept_for_application(*, borrower: Borrower, notifications: bool, at) -> list:
    """What the application form records: processing and the bureau request (both required
    to apply) and, if ticked, the notifications; each at its current version."""
    purposes = [ConsentPurpose.PROCESSING, ConsentPurpose.BUREAU]
    if notifications:
        purposes.append(ConsentPurpose.NOTIFICATIONS)
    return [
        consents.accept_consent(
            borrower=borrower, purpose=p, method=ConsentMethod.APPLICATION, at=at
        )  # fmt: skip
        for p in purposes
    ]


def application_record(borrower: Borrower) -> list[dict]:
    """The consents in force, as printed into the application record (the protocol): purpose
    and method worded in both document languages, the version and when it was accepted."""
    rows = []
    for line in consents.consent_lines(borrower):
        if line.acceptance is None:
            continue
        at = line.acceptance.accepted_at
        entry = {"purpose": line.purpose, "version": line.text.version,
                 "accepted_at": at.isoformat(),
                 "accepted_on": f"{at.astimezone(BUSINESS_TZ):%d.%m.%Y %H:%M}",
                 "method": line.acceptance.method}  # fmt: skip
        for language in ("ru", "kk"):
            with translation.override(language):
                entry[language] = {
                    "label": str(ConsentPurpose(line.purpose).label),
                    "method": str(ConsentMethod(line.acceptance.method).label),
                }
        rows.append(entry)
    return rows
