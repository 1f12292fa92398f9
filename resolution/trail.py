"""Why a case moved, in the reader's language: the stable codes of the audit trail.

Every step that writes a `CaseTransition` gives a `reason_code` (and `reason_args`, data such
as a contract number or a rule's code) beside its `reason`, the audit text as staff have
always read it (English, with ids). The timeline shows the code's label, translated when it
is read, so a case reads in the viewer's language whatever language the step ran in; the
arguments that are themselves codes (a rule, a signing method, a kind of change, a ground)
are translated too. Rows written before the codes existed are recognised by the audit texts
the code wrote then (`LEGACY`); anything else is a person's own words, shown as written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from resolution.models import CaseTransition, SigningMethod, VariationKind
from resolution.rules import RULE_TITLES
from schedules.models import TerminationReason

SUBMITTED = "submitted"
CHECK_STARTED = "check_started"
ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"
ALL_ANSWERED = "all_answered"
DOCUMENTS_ISSUED = "documents_issued"
SIGNED = "signed"
PLAN_CREATED = "plan_created"
NOT_SIGNED = "not_signed"
COMPLETED = "completed"
BREACHED = "breached"
TERMINATED = "terminated"
REASSIGNED = "reassigned"
VARIATION_REQUESTED = "variation_requested"
VARIATION_PROPOSED = "variation_proposed"
VARIATION_DECLINED = "variation_declined"
VARIATION_OBJECTED = "variation_objected"
VARIATION_ISSUED = "variation_issued"
VARIATION_SIGNED = "variation_signed"
VARIATION_EXPIRED = "variation_expired"
VARIATION_CLOSED = "variation_closed"
FRAUD_FLAGGED = "fraud_flagged"
FRAUD_WRITTEN_OFF = "fraud_written_off"
FRAUD_REJECTED = "fraud_rejected"
CLAIM_TRANSFERRED = "claim_transferred"

LABELS = {
    SUBMITTED: _("Application submitted"),
    CHECK_STARTED: _("Eligibility check started"),
    ELIGIBLE: _("All eligibility rules passed"),
    INELIGIBLE: _("Eligibility rules not met: %(rules)s"),
    ALL_ANSWERED: _("Every creditor answered"),
    DOCUMENTS_ISSUED: _("Documents issued for signing (package %(package)s)"),
    SIGNED: _("Signed: %(method)s (package %(package)s)"),
    PLAN_CREATED: _("The repayment plan was created on signing"),
    NOT_SIGNED: _("Not signed within the signing window"),
    COMPLETED: _("The unified schedule is paid in full"),
    BREACHED: _("A payment is more than 40 days late"),
    TERMINATED: _("Ended by the ombudsman: %(ground)s (%(details)s)"),
    REASSIGNED: _("Passed to another ombudsman: %(from)s → %(to)s"),
    VARIATION_REQUESTED: _("Change of plan requested: %(kind)s"),
    VARIATION_PROPOSED: _("Change of plan proposed to the creditors"),
    VARIATION_DECLINED: _("Change of plan declined by the ombudsman"),
    VARIATION_OBJECTED: _("Change of plan blocked: creditor %(creditor)s objected"),
    VARIATION_ISSUED: _("No objection: the variation agreement was issued for signing"),
    VARIATION_SIGNED: _("Variation agreement signed: %(method)s; schedule version %(version)s"),
    VARIATION_EXPIRED: _("The variation agreement was not signed in time"),
    VARIATION_CLOSED: _("Change of plan closed: %(ending)s"),
    FRAUD_FLAGGED: _("Loan %(contract)s flagged as not the borrower's: held out of the plan"),
    FRAUD_WRITTEN_OFF: _("Court decision %(number)s: loan %(contract)s written off"),
    FRAUD_REJECTED: _("Court decision %(number)s: loan %(contract)s is the borrower's"),
    CLAIM_TRANSFERRED: _("Claim (%(contracts)s) transferred from %(seller)s to %(buyer)s "
                         "from %(on)s"),
}  # fmt: skip

# Arguments that are codes themselves, translated by their own labels.
_CHOICES = {"method": SigningMethod, "kind": VariationKind, "ground": TerminationReason}
_ENDINGS = {  # how a plan ended, as the end of a sentence
    "completed": _("the plan was paid in full"),
    "breached": _("the plan was breached"),
    "terminated": _("the ombudsman ended the plan"),
}

# The audit texts written before the codes: exact, then patterns (their groups → arguments).
LEGACY_EXACT = {
    "application submitted": SUBMITTED,
    "eligibility check started": CHECK_STARTED,
    "all eligibility rules passed": ELIGIBLE,
    "every creditor answered": ALL_ANSWERED,
    "plan created on signing": PLAN_CREATED,
    "not signed within the signing window": NOT_SIGNED,
    "The unified schedule is paid in full.": COMPLETED,
    "A payment is more than 40 days late.": BREACHED,
}
_UUID = r"[0-9a-f-]{36}"
LEGACY_PATTERNS = (
    (re.compile(r"failed: (?P<rules>[\w, ]+)"), INELIGIBLE),
    (re.compile(r"package (?P<package>[0-9a-f]{12}) issued"), DOCUMENTS_ISSUED),
    (re.compile(r"signed by (?P<method>\w+), package (?P<package>[0-9a-f]{12})"), SIGNED),
    (re.compile(rf"variation {_UUID} requested: (?P<kind>\w+)"), VARIATION_REQUESTED),
    (re.compile(rf"variation {_UUID} proposed"), VARIATION_PROPOSED),
    (re.compile(rf"variation {_UUID} declined"), VARIATION_DECLINED),
    (re.compile(rf"variation {_UUID} blocked: objection by (?P<creditor>\d+)"),
     VARIATION_OBJECTED),
    (re.compile(rf"variation {_UUID}: no objection, agreement issued"), VARIATION_ISSUED),
    (re.compile(rf"variation {_UUID} signed by (?P<method>\w+): version (?P<version>\d+)"),
     VARIATION_SIGNED),
    (re.compile(rf"variation {_UUID} not signed in time"), VARIATION_EXPIRED),
    (re.compile(rf"variation {_UUID} closed: the plan (?P<ending>\w+)"), VARIATION_CLOSED),
    (re.compile(r"fraud flag: loan (?P<contract>.+) held out of the plan"), FRAUD_FLAGGED),
    (re.compile(r"court decision (?P<number>.+) on loan (?P<contract>.+): written_off"),
     FRAUD_WRITTEN_OFF),
    (re.compile(r"court decision (?P<number>.+) on loan (?P<contract>.+): rejected"),
     FRAUD_REJECTED),
)  # fmt: skip


def code_of(transition: CaseTransition) -> tuple[str, dict]:
    """The row's reason code and arguments; for an older row, those its audit text implies
    (("", {}) when it is a person's own words)."""
    if transition.reason_code:
        return transition.reason_code, transition.reason_args or {}
    text = transition.reason.strip()
    if text in LEGACY_EXACT:
        return LEGACY_EXACT[text], {}
    for pattern, code in LEGACY_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            args = match.groupdict()
            if code == INELIGIBLE:
                args["rules"] = [rule.strip() for rule in args["rules"].split(",")]
            return code, args
    return "", {}


def reason_text(transition: CaseTransition) -> str:
    """Why the case moved, in the active language."""
    code, args = code_of(transition)
    if code not in LABELS:
        return transition.reason
    try:
        return str(LABELS[code]) % {key: _readable(key, value) for key, value in args.items()}
    except (KeyError, TypeError, ValueError):  # arguments that do not fit: the audit text
        return transition.reason


def _readable(key: str, value) -> str:
    if key == "rules":
        return ", ".join(str(RULE_TITLES.get(rule, rule)) for rule in value)
    if key == "ending" and value in _ENDINGS:
        return str(_ENDINGS[value])
    choices = _CHOICES.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)
