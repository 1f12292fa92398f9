"""The borrower's journey as a stepper: which step of the procedure a borrower is on, worked
out from the state already in the database (identification, the latest case, its package,
signing codes and payments). Pure reads; every page of the portal shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resolution.models import Case, CaseStatus
from schedules.selectors import case_has_applied_payment

STEPS = (
    ("identify", _("Register and identify")),
    ("apply", _("Apply")),
    ("eligibility", _("Eligibility check")),
    ("creditors", _("Creditors confirm")),
    ("documents", _("Documents")),
    ("sign", _("Signing")),
    ("schedule", _("Schedule")),
    ("payments", _("Payments")),
)
INDEX = {key: number for number, (key, _label) in enumerate(STEPS)}

# Where the latest case's status puts the borrower, and whether that step ended badly.
STATUS_STEP = {
    CaseStatus.DRAFT: ("apply", False),
    CaseStatus.SUBMITTED: ("eligibility", False),
    CaseStatus.CHECKING: ("eligibility", False),
    CaseStatus.INELIGIBLE: ("eligibility", True),
    CaseStatus.AWAITING_CREDITORS: ("creditors", False),
    CaseStatus.UNDER_REVIEW: ("creditors", False),
    CaseStatus.REJECTED: ("creditors", True),
    CaseStatus.DOCUMENTS_ISSUED: ("documents", False),
    CaseStatus.REFUSED: ("sign", True),
    CaseStatus.SIGNED: ("schedule", False),
    CaseStatus.ACTIVE: ("schedule", False),
    CaseStatus.BREACHED: ("payments", True),
    CaseStatus.TERMINATED: ("payments", True),
}


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    label: str
    state: str  # "done" | "current" | "failed" | "todo"
    url: str | None


@dataclass(frozen=True)
class Journey:
    steps: tuple[Step, ...]
    current: Step | None  # None once the procedure is completed

    @property
    def total(self) -> int:
        return len(self.steps)


def _current_key(borrower, case: Case | None) -> tuple[str | None, bool]:
    if not borrower.is_identified:
        return "identify", False
    if case is None:
        return "apply", False
    if case.status == CaseStatus.COMPLETED:
        return None, False
    key, failed = STATUS_STEP.get(case.status, ("apply", False))
    if key == "documents":
        package = getattr(case, "package", None)
        if package is not None and package.codes.exists():
            key = "sign"  # a code was requested: the borrower has read and is signing
    if key == "schedule" and case_has_applied_payment(case):
        key = "payments"
    return key, failed


def _urls(borrower, case: Case | None) -> dict[str, str]:
    urls = {"identify": reverse("borrowers:identify") if not borrower.is_identified else None}
    if borrower.is_identified:
        urls["apply"] = reverse("resolution:apply")
    if case is not None:
        case_url = reverse("resolution:case", args=[case.reference])
        urls["eligibility"] = urls["creditors"] = case_url
        package = getattr(case, "package", None)
        if package is not None and package.issued_at:
            docs = reverse("resolution_portal:documents", args=[case.pk])
            urls["documents"], urls["sign"] = docs, docs + "#sign"
        if case.status in (CaseStatus.SIGNED, CaseStatus.ACTIVE, CaseStatus.COMPLETED,
                           CaseStatus.BREACHED, CaseStatus.TERMINATED):  # fmt: skip
            schedule = reverse("schedules:borrower_schedule")
            urls["schedule"], urls["payments"] = schedule, schedule + "#payments"
    return urls


def journey_for_borrower(borrower) -> Journey:
    """The eight steps with their state for `borrower`'s latest case."""
    case = (
        Case.objects.filter(borrower=borrower)
        .select_related("package")
        .order_by("-created_at")
        .first()
    )
    key, failed = _current_key(borrower, case)
    position = INDEX[key] if key is not None else len(STEPS)
    urls = _urls(borrower, case)
    steps, current = [], None
    for number, (step_key, label) in enumerate(STEPS):
        if number < position:
            state = "done"
        elif number == position:
            state = "failed" if failed else "current"
        else:
            state = "todo"
        step = Step(number + 1, step_key, label, state, urls.get(step_key))
        if number == position:
            current = step
        steps.append(step)
    return Journey(tuple(steps), current)


def journey_preview() -> Journey:
    """The steps as someone registering sees them: all ahead, the first one current."""
    steps = tuple(
        Step(number + 1, key, label, "current" if number == 0 else "todo", None)
        for number, (key, label) in enumerate(STEPS)
    )
    return Journey(steps, steps[0])
