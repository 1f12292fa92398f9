"""The eligibility engine (SPEC §2 step 3): pure functions over a credit report and the
policy terms, no database and no HTTP, so every rule is testable on its own.

`evaluate(report, terms, signed_before_in_db=...)` decides, for each loan, whether it is
included (open, unsecured, consumer) and why not; then runs each named rule over the
included loans. A rule gives pass/fail, a reason the borrower can read (a gettext_lazy
template + its parameters, rendered in the reader's language) and the data it used.

Thresholds are never literals here: they arrive in `PolicyTerms`, built from the
admin-editable `resolution.models.EligibilityPolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from bureau_gateway.interfaces import BureauLoan, CreditReport, SocialStatusAnswer
from finplatform.money import format_tenge

BANKING, MICROFINANCE = "banking", "microfinance"
GENERAL, VULNERABLE = "general", "vulnerable"


@dataclass(frozen=True)
class PolicyTerms:
    max_total_tiyn: int
    min_creditors: int
    min_overdue_days: int
    included_kinds: frozenset[str] = frozenset({"consumer"})


# --- why a loan stays out (stored as the English msgid; shown translated) ---

EXCLUDED_CLOSED = _("Closed loan: nothing is owed on it any more.")
EXCLUDED_NOT_CONSUMER = _(
    "Not a consumer loan: car, mortgage and business loans are not part of the procedure."
)
EXCLUDED_SECURED = _("Secured by collateral: secured loans are not part of the procedure.")


@dataclass(frozen=True)
class LoanDecision:
    loan: BureauLoan
    included: bool
    exclusion_reason: str = ""  # a lazy message; empty when included


def decide_loan(loan: BureauLoan, terms: PolicyTerms) -> LoanDecision:
    if loan.closed_on is not None:
        return LoanDecision(loan, False, EXCLUDED_CLOSED)
    if loan.kind not in terms.included_kinds:
        return LoanDecision(loan, False, EXCLUDED_NOT_CONSUMER)
    if loan.secured:
        return LoanDecision(loan, False, EXCLUDED_SECURED)
    return LoanDecision(loan, True)


# --- rules ---

RULE_LOAN_KINDS = "unsecured_consumer_loans"
RULE_MIN_CREDITORS = "min_creditors"
RULE_OVERDUE = "overdue_loan"
RULE_TOTAL_CAP = "total_within_cap"
RULE_NO_INSOLVENCY = "no_insolvency_procedure"
RULE_NO_REPEAT = "no_previous_signed_procedure"

RULE_TITLES = {
    RULE_LOAN_KINDS: _("Only unsecured consumer loans"),
    RULE_MIN_CREDITORS: _("Two or more creditors"),
    RULE_OVERDUE: _("At least one loan overdue"),
    RULE_TOTAL_CAP: _("Total debt within the limit"),
    RULE_NO_INSOLVENCY: _("No bankruptcy or solvency restoration under way"),
    RULE_NO_REPEAT: _("No earlier signed procedure"),
}

# (rule, passed) → reason template; parameters come from RuleResult.params.
REASONS = {
    (RULE_LOAN_KINDS, True): _(
        "%(included)s of your %(loans)s loans are open unsecured consumer loans and are "
        "included; any others are listed below with the reason they were left out."
    ),
    (RULE_LOAN_KINDS, False): _(
        "None of your %(loans)s loans reported by the credit bureau is an open unsecured "
        "consumer loan, so there is nothing the procedure can include."
    ),
    # plural forms: the count is the named parameter, chosen when the reason is formatted
    (RULE_MIN_CREDITORS, True): ngettext_lazy(
        "Your included loans are owed to %(creditors)s creditor; at least %(minimum)s are needed.",
        "Your included loans are owed to %(creditors)s creditors; at least %(minimum)s are needed.",
        "creditors",
    ),
    (RULE_MIN_CREDITORS, False): ngettext_lazy(
        "Your included loans are owed to %(creditors)s creditor; the procedure is for "
        "debts owed to at least %(minimum)s creditors at once.",
        "Your included loans are owed to %(creditors)s creditors; the procedure is for "
        "debts owed to at least %(minimum)s creditors at once.",
        "creditors",
    ),
    (RULE_OVERDUE, True): ngettext_lazy(
        "%(overdue)s included loan is overdue; the longest delay is %(max_days)s days.",
        "%(overdue)s included loans are overdue; the longest delay is %(max_days)s days.",
        "overdue",
    ),
    (RULE_OVERDUE, False): ngettext_lazy(
        "None of your included loans is overdue by %(minimum)s day or more; the procedure "
        "is for debts already overdue.",
        "None of your included loans is overdue by %(minimum)s days or more; the procedure "
        "is for debts already overdue.",
        "minimum",
    ),
    (RULE_TOTAL_CAP, True): _(
        "The total of your included loans, %(total)s, is within the limit of %(cap)s."
    ),
    (RULE_TOTAL_CAP, False): _(
        "The total of your included loans, %(total)s, is over the limit of %(cap)s."
    ),
    (RULE_NO_INSOLVENCY, True): _(
        "The credit bureau reports no bankruptcy or solvency-restoration procedure."
    ),
    (RULE_NO_INSOLVENCY, False): _(
        "The credit bureau reports a bankruptcy or solvency-restoration procedure under way; "
        "the two procedures cannot run at the same time."
    ),
    (RULE_NO_REPEAT, True): _("You have not taken part in a signed procedure before."),
    (RULE_NO_REPEAT, False): _(
        "You took part in a procedure that reached signing before; taking part again is not "
        "allowed."
    ),
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    params: dict
    data: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return RULE_TITLES[self.rule]

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return reason_for(self.rule, self.passed, self.params)


def reason_for(rule: str, passed: bool, params: dict) -> str:
    return str(REASONS[(rule, passed)] % params)  # a plural reason picks its form from params


def _rule_loan_kinds(report: CreditReport, decisions: list[LoanDecision]) -> RuleResult:
    included = [d for d in decisions if d.included]
    return RuleResult(
        RULE_LOAN_KINDS,
        bool(included),
        {"included": len(included), "loans": len(decisions)},
        {
            "excluded": [
                {
                    "contract": d.loan.contract_number,
                    "kind": d.loan.kind,
                    "secured": d.loan.secured,
                    "closed": d.loan.closed_on is not None,
                }
                for d in decisions
                if not d.included
            ]
        },
    )


def _rule_min_creditors(included: list[BureauLoan], terms: PolicyTerms) -> RuleResult:
    bins = sorted({loan.creditor_bin for loan in included})
    return RuleResult(
        RULE_MIN_CREDITORS,
        len(bins) >= terms.min_creditors,
        {"creditors": len(bins), "minimum": terms.min_creditors},
        {"creditor_bins": bins},
    )


def _rule_overdue(included: list[BureauLoan], terms: PolicyTerms) -> RuleResult:
    overdue = [loan for loan in included if loan.overdue_days >= terms.min_overdue_days]
    max_days = max((loan.overdue_days for loan in included), default=0)
    return RuleResult(
        RULE_OVERDUE,
        bool(overdue),
        {"overdue": len(overdue), "max_days": max_days, "minimum": terms.min_overdue_days},
        {"overdue_days": {loan.contract_number: loan.overdue_days for loan in included}},
    )


def _rule_total_cap(total: int, terms: PolicyTerms) -> RuleResult:
    return RuleResult(
        RULE_TOTAL_CAP,
        total <= terms.max_total_tiyn,
        {"total": format_tenge(total), "cap": format_tenge(terms.max_total_tiyn)},
        {"total_tiyn": total, "cap_tiyn": terms.max_total_tiyn},
    )


def _rule_no_insolvency(report: CreditReport) -> RuleResult:
    under_way = report.bankruptcy_in_progress or report.solvency_restoration_in_progress
    return RuleResult(
        RULE_NO_INSOLVENCY,
        not under_way,
        {},
        {
            "bankruptcy_in_progress": report.bankruptcy_in_progress,
            "solvency_restoration_in_progress": report.solvency_restoration_in_progress,
        },
    )


def _rule_no_repeat(report: CreditReport, signed_before_in_db: bool) -> RuleResult:
    return RuleResult(
        RULE_NO_REPEAT,
        not (report.previous_procedure_signed or signed_before_in_db),
        {},
        {"bureau_flag": report.previous_procedure_signed, "platform_record": signed_before_in_db},
    )


# --- the whole check ---


@dataclass(frozen=True)
class EligibilityResult:
    decisions: list[LoanDecision]
    rules: list[RuleResult]
    total_tiyn: int
    ombudsman: str  # banking | microfinance | "" when nothing is included

    @property
    def eligible(self) -> bool:
        return all(rule.passed for rule in self.rules)

    @property
    def included_loans(self) -> list[BureauLoan]:
        return [d.loan for d in self.decisions if d.included]

    @property
    def failed_rules(self) -> list[RuleResult]:
        return [rule for rule in self.rules if not rule.passed]


def ombudsman_for(included: list[BureauLoan]) -> str:
    """Banking when any included creditor is a bank, or a collector holding a loan a bank
    made; otherwise microfinance. Empty when nothing is included."""
    if not included:
        return ""
    for loan in included:
        if loan.creditor_kind == "bank":
            return BANKING
        if loan.creditor_kind == "collector" and loan.original_creditor_kind == "bank":
            return BANKING
    return MICROFINANCE


def evaluate(
    report: CreditReport, terms: PolicyTerms, *, signed_before_in_db: bool
) -> EligibilityResult:
    decisions = [decide_loan(loan, terms) for loan in report.loans]
    included = [d.loan for d in decisions if d.included]
    total = sum(loan.total_tiyn for loan in included)
    rules = [
        _rule_loan_kinds(report, decisions),
        _rule_min_creditors(included, terms),
        _rule_overdue(included, terms),
        _rule_total_cap(total, terms),
        _rule_no_insolvency(report),
        _rule_no_repeat(report, signed_before_in_db),
    ]
    return EligibilityResult(decisions, rules, total, ombudsman_for(included))


def category_for(*, declared_vulnerable: bool, status: SocialStatusAnswer | None) -> str:
    """Vulnerable terms only when declared AND confirmed by the government-data source:
    a declaration alone is not trusted."""
    if declared_vulnerable and status is not None and (status.vulnerable or status.receives_asp):
        return VULNERABLE
    return GENERAL
