"""The contracts of every outside system. Nothing outside `bureau_gateway` knows whether a
real client or the simulator answers: it asks `bureau_gateway.adapters` for an instance.

Money crosses these interfaces as integer tiyn. Implementations raise only the errors below,
so callers can tell "try again later" from "this borrower is unknown" from "the answer was
garbage".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


class AdapterError(Exception):
    """Base of every error an adapter raises."""


class ServiceUnavailable(AdapterError):
    """Timeout, connection refused, 5xx: retry later with backoff."""


class BureauUnavailable(ServiceUnavailable):
    pass


class SubjectUnknown(AdapterError):
    """The outside system has no record of this IIN (or phone...). Not retryable."""


class MalformedResponse(AdapterError):
    """The answer did not match the contract. Not retryable; nothing may be half-written."""


# --- credit bureau ---


@dataclass(frozen=True)
class PenaltyCharge:
    """A penalty the creditor charged for one instalment: its due date, the day it was paid
    (None while unpaid) and the amount. Lets the platform see a penalty charged although a
    due date on a day off was paid on the next working day (MFO rules, sub-point 6)."""

    due_on: date
    paid_on: date | None
    amount_tiyn: int


@dataclass(frozen=True)
class Restructuring:
    """A restructuring of a loan: when, the debt (principal and interest) then, and six months
    later (None while six months have not passed). The signs of a fictitious restructuring
    are read from these (MFO rules, the КДН points)."""

    on: date
    debt_tiyn: int
    debt_after_6_months_tiyn: int | None = None


@dataclass(frozen=True)
class GamblingPayment:
    """A payment to a gambling operator the bureau's report lists (date and amount)."""

    on: date
    amount_tiyn: int


@dataclass(frozen=True)
class BureauLoan:
    bureau_reference: str
    creditor_bin: str
    creditor_name: str
    creditor_kind: str  # bank | mfo | collector
    original_creditor_bin: str | None
    contract_number: str
    kind: str  # consumer | car | mortgage | business
    secured: bool
    principal_tiyn: int
    interest_tiyn: int
    penalty_tiyn: int
    overdue_days: int
    opened_on: date
    closed_on: date | None = None
    # For a loan a collection agency bought: who lent it first (decides the ombudsman).
    original_creditor_name: str | None = None
    original_creditor_kind: str | None = None  # bank | mfo | collector
    # Of interest_tiyn and penalty_tiyn: the part accrued after the 90th consecutive day
    # overdue (MFO rules, sub-point 5). Optional in the report: older reports carry none (0).
    interest_after_day_90_tiyn: int = 0
    penalty_after_day_90_tiyn: int = 0
    penalty_charges: tuple[PenaltyCharge, ...] = ()
    # For the debt-burden ratio (optional: older reports carry none, None = not reported):
    # the contractual monthly payment, the sum of overdue payments, the longest delay in
    # the last 12 months (a loan closed since still counts) and the restructurings.
    monthly_payment_tiyn: int | None = None
    overdue_payments_tiyn: int | None = None
    max_overdue_days_12m: int | None = None
    restructurings: tuple[Restructuring, ...] = ()

    @property
    def total_tiyn(self) -> int:
        return self.principal_tiyn + self.interest_tiyn + self.penalty_tiyn


@dataclass(frozen=True)
class CreditReport:
    iin: str
    report_id: str
    generated_at: datetime
    loans: tuple[BureauLoan, ...]
    bankruptcy_in_progress: bool = False
    solvency_restoration_in_progress: bool = False
    previous_procedure_signed: bool = False
    # Payments to gambling operators in the last six months; None when the report has no
    # such section (then the sign cannot be judged), () when it has none.
    gambling_payments: tuple[GamblingPayment, ...] | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class CreditBureau(Protocol):
    def fetch_report(self, iin: str) -> CreditReport: ...

    def report_procedure_started(self, *, iin: str, bureau_reference: str, creditor_bin: str,
                                 case_reference: str, on: date) -> None: ...  # fmt: skip

    def report_procedure_completed(self, *, iin: str, bureau_reference: str, creditor_bin: str,
                                   case_reference: str, on: date) -> None: ...  # fmt: skip

    def report_procedure_ended(
        self,
        *,
        iin: str,
        bureau_reference: str,
        creditor_bin: str,
        case_reference: str,
        on: date,
        reason: str,
    ) -> None:
        """The procedure ended on this loan without completion; `reason` is "breached"
        (the borrower was more than 40 days late: the creditor may resume collection) or
        "terminated" (the ombudsman ended it: death, bankruptcy or fraud)."""
        ...  # fmt: skip

    def correct_credit_history(
        self,
        *,
        iin: str,
        bureau_reference: str,
        creditor_bin: str,
        case_reference: str,
        court_decision_number: str,
        court_decision_date: date,
        request_id: str,
    ) -> str:
        """A court found the loan was taken out in this person's name by someone else: the
        bureau corrects the credit history (the loan is not theirs). The bureau keeps one
        correction per `request_id`: a repeated call (a retry after a lost answer) returns the
        first correction's id and changes nothing. Returns the bureau's correction id."""
        ...  # fmt: skip


# --- government data (social status) ---


@dataclass(frozen=True)
class SocialStatusAnswer:
    iin: str
    vulnerable: bool
    receives_asp: bool
    source: str
    checked_at: datetime


@dataclass(frozen=True)
class OfficialIncomeAnswer:
    """Official income (pension and social contributions' base, state payments) over the six
    months before the request: the monthly average and in how many months there was any."""

    iin: str
    average_monthly_tiyn: int
    months_with_income: int
    source: str
    checked_at: datetime


@dataclass(frozen=True)
class PersonRecord:
    """A person in the state register of individuals (ГБД ФЛ): the legal name as the state
    holds it, the one every legal document must carry."""

    iin: str
    full_name: str
    source: str
    checked_at: datetime


class GovernmentData(Protocol):
    def person(self, iin: str) -> PersonRecord:
        """The register's record of this IIN; SubjectUnknown when it has none."""
        ...

    def social_status(self, iin: str) -> SocialStatusAnswer: ...

    def official_income(self, iin: str) -> OfficialIncomeAnswer: ...


# --- identity ---


@dataclass(frozen=True)
class LivenessChallenge:
    """What the identification centre asks the live capture to do: movements and a nonce to
    show. Bound to one IIN; spent by the first answer."""

    challenge_id: str
    nonce: str
    movements: tuple[str, ...]


@dataclass(frozen=True)
class IdentityResult:
    verified: bool
    method: str  # eds | biometric | two_factor
    reason: str = ""
    liveness: bool | None = None  # face checks: the live answer to an unused challenge
    reference: str = ""  # the provider's reference of this check (evidence)
    subject_iin: str = ""  # eds: the IIN in the signer's certificate
    # The person's name as the identification centre's record holds it, given only with a
    # verified face check; "" when the method returns none (EDS: the certificate's common
    # name is the CA's upper-case spelling, not the register's).
    full_name: str = ""


class IdentityProvider(Protocol):
    """The mobile operator (IIN–phone), ЦОИД biometrics, the two-factor data + image check
    and EDS verification (SPEC §2.1, §7; regulator letter ДС-352)."""

    def phone_belongs_to(self, *, iin: str, phone: str) -> bool: ...

    def start_liveness(self, *, iin: str) -> LivenessChallenge: ...

    def verify_biometrics(self, *, iin: str, selfie_token: str, challenge_id: str,
                          challenge_answer: str) -> IdentityResult: ...  # fmt: skip

    def verify_person(self, *, iin: str, full_name: str, selfie_token: str, challenge_id: str,
                      challenge_answer: str) -> IdentityResult:  # fmt: skip
        """Two-factor: the person's data (IIN, name) and the live image, in real time."""
        ...

    def verify_eds(self, *, iin: str, challenge: str, signature: str,
                   certificate: str) -> IdentityResult:  # fmt: skip
        """Verified only if the signature over `challenge` checks against a trusted, valid
        certificate whose IIN is `iin`."""
        ...

    def verify_document_signature(self, *, iin: str, signed_payload: str,
                                  signature: str) -> IdentityResult:  # fmt: skip
        """An EDS over a document hash (package signing, resolution/services/signing.py);
        the certificate-based check above is for identification."""
        ...


# --- SMS ---


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, dedup_key: str) -> str:
        """Send one SMS; returns the gateway's message id. Same dedup_key → same message."""
        ...


# --- outgoing webhooks (creditors' back offices) ---


@dataclass(frozen=True)
class WebhookOutcome:
    delivered: bool  # a 2xx answer
    status_code: int | None  # None: no HTTP answer at all
    error: str = ""  # why it was not delivered, for the deliveries log


class WebhookSender(Protocol):
    def deliver(
        self, *, url: str, secret: str, event: str, delivery_id: str, body: bytes
    ) -> WebhookOutcome:
        """POST one signed event body to a creditor's endpoint; never raises for a refusal,
        a timeout or an error answer — the outcome says what happened."""
        ...
