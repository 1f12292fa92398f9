"""The lawful-claims check (SPEC §2 step 6, before the ombudsman decides): pure functions over
the confirmed figures of a case's loans, the eligibility terms and a working-day calendar. No
database, no HTTP: `resolution.selectors.claims` gathers the facts, the review page shows the
findings, `approve_case` refuses a blocking one and records them all with the decision, and
the protocol prints them.

What is checked, and where the rule comes from:
- `after_day_90`: interest or penalty accrued after 90 consecutive calendar days overdue on
  a microcredit (MFO rules, the article on what an MFO may not do, sub-point 5). Flagged with
  the amount still claimed (the bureau's accrual after day 90, capped by what the creditor
  still claims as interest and penalties).
- `day_off_penalty`: a penalty charged for an instalment whose due date fell on a day off
  (weekend, public holiday or a day the admin declared off) and which was paid on the next
  working day (sub-point 6; the Civil Code moves such a date for every creditor, so every
  loan is checked).
- `correction_above_bureau`: a creditor's correction above the bureau's figure, flagged with
  the difference and the creditor's reason.
- `over_cap` and `too_few_creditors`: the eligibility rules re-run on the confirmed figures;
  these two block approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from finplatform.money import format_tenge
from resolution.rules import PolicyTerms

AFTER_DAY_90 = "after_day_90"
DAY_OFF_PENALTY = "day_off_penalty"
CORRECTION_ABOVE_BUREAU = "correction_above_bureau"
OVER_CAP = "over_cap"
TOO_FEW_CREDITORS = "too_few_creditors"
BLOCKING = frozenset({OVER_CAP, TOO_FEW_CREDITORS})

# code -> the sentence the ombudsman, the protocol and the borrower read (params below)
TEXTS = {
    AFTER_DAY_90: _(
        "Loan %(contract)s (%(creditor)s): %(amount)s of interest and penalties accrued after "
        "90 consecutive days overdue. A microfinance organisation may not demand it (MFO "
        "rules, what an MFO may not do, sub-point 5)."
    ),
    DAY_OFF_PENALTY: _(
        "Loan %(contract)s (%(creditor)s): a penalty of %(amount)s was charged for the "
        "instalment due on %(due)s, a day off, paid on the next working day %(paid)s. No "
        "penalty may be charged for that (MFO rules, sub-point 6)."
    ),
    CORRECTION_ABOVE_BUREAU: _(
        "Loan %(contract)s (%(creditor)s): the creditor corrected the debt to %(confirmed)s, "
        "%(amount)s above the credit bureau's %(bureau)s. Reason given: %(reason)s"
    ),
    OVER_CAP: _(
        "The confirmed total %(total)s is %(amount)s over the cap of %(cap)s: the case cannot "
        "be approved."
    ),
    TOO_FEW_CREDITORS: _(
        "Creditors left in the procedure: %(creditors)s; at least %(minimum)s are needed: "
        "the case cannot be approved."
    ),
}

# what a creditor is told (without the other creditors' figures)
CREDITOR_OVER_CAP = _(
    "With the figures confirmed so far the borrower's total debt is over the cap of %(cap)s "
    "for this procedure: the ombudsman cannot approve the case at this total."
)


class Calendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...

    def next_working_day(self, day: date) -> date: ...


@dataclass(frozen=True)
class LoanFacts:
    """One included loan as confirmed: the bureau's figures and accrual, and the answer."""

    contract: str
    creditor: str
    creditor_key: str
    microcredit: bool  # lent by an MFO (also when a collection agency holds it now)
    bureau_total_tiyn: int
    interest_after_90_tiyn: int
    penalty_after_90_tiyn: int
    penalty_charges: tuple[dict, ...]  # {"due_on", "paid_on", "amount_tiyn"} (ISO dates)
    claimed_total_tiyn: int  # confirmed, or the bureau figure while undecided
    claimed_interest_penalty_tiyn: int
    corrected: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Finding:
    code: str
    amount_tiyn: int
    params: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.code in BLOCKING

    def text(self) -> str:
        """The sentence in the active language."""
        return str(TEXTS[self.code]) % {**self.params, "amount": format_tenge(self.amount_tiyn)}

    def creditor_text(self) -> str:
        """The over-cap warning as a creditor may read it: the cap, not the others' debts."""
        return str(CREDITOR_OVER_CAP) % {"cap": self.params.get("cap", "")}

    def as_json(self) -> dict:
        return {"code": self.code, "amount_tiyn": self.amount_tiyn, "params": self.params,
                "blocking": self.blocking}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        return cls(code=data["code"], amount_tiyn=data["amount_tiyn"], params=data["params"])


def _loan_params(loan: LoanFacts) -> dict:
    return {"contract": loan.contract, "creditor": loan.creditor}


def check_loan(loan: LoanFacts, calendar: Calendar) -> list[Finding]:
    found = []
    accrued = loan.interest_after_90_tiyn + loan.penalty_after_90_tiyn
    claimed = min(accrued, loan.claimed_interest_penalty_tiyn)
    if loan.microcredit and claimed > 0:
        found.append(Finding(AFTER_DAY_90, claimed, _loan_params(loan)))
    for charge in loan.penalty_charges:
        due = date.fromisoformat(charge["due_on"])
        paid = date.fromisoformat(charge["paid_on"]) if charge.get("paid_on") else None
        if (
            charge["amount_tiyn"] > 0
            and paid is not None
            and not calendar.is_working_day(due)
            and paid == calendar.next_working_day(due)
        ):
            found.append(Finding(DAY_OFF_PENALTY, charge["amount_tiyn"], {
                **_loan_params(loan), "due": due.strftime("%d.%m.%Y"),
                "paid": paid.strftime("%d.%m.%Y"),
            }))  # fmt: skip
    if loan.corrected and loan.claimed_total_tiyn > loan.bureau_total_tiyn:
        found.append(Finding(CORRECTION_ABOVE_BUREAU,
                             loan.claimed_total_tiyn - loan.bureau_total_tiyn, {
            **_loan_params(loan), "confirmed": format_tenge(loan.claimed_total_tiyn),
            "bureau": format_tenge(loan.bureau_total_tiyn), "reason": loan.reason or "—",
        }))  # fmt: skip
    return found


def check_eligibility(loans: list[LoanFacts], terms: PolicyTerms) -> list[Finding]:
    """The cap and the number of creditors, on the figures the plan would be built from."""
    found = []
    total = sum(loan.claimed_total_tiyn for loan in loans)
    if total > terms.max_total_tiyn:
        found.append(Finding(OVER_CAP, total - terms.max_total_tiyn, {
            "total": format_tenge(total), "cap": format_tenge(terms.max_total_tiyn),
            "total_tiyn": total, "cap_tiyn": terms.max_total_tiyn,
        }))  # fmt: skip
    creditors = {loan.creditor_key for loan in loans if loan.claimed_total_tiyn > 0}
    if len(creditors) < terms.min_creditors:
        found.append(Finding(TOO_FEW_CREDITORS, 0, {
            "creditors": len(creditors), "minimum": terms.min_creditors,
        }))  # fmt: skip
    return found


def check_claims(loans: list[LoanFacts], terms: PolicyTerms, calendar: Calendar) -> list[Finding]:
    """Every finding for the case: the eligibility ones first, then loan by loan."""
    found = check_eligibility(loans, terms)
    for loan in loans:
        found.extend(check_loan(loan, calendar))
    return found
