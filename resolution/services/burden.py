"""The debt-burden evidence of a case (resolution/burden.py computes the ratio from it): the
eligibility check asks the government data for the official income when the rules require it
— a delay over 90 days in the last 12 months, signs of gambling, or targeted social
assistance — and records it with the bureau's gambling data, once, beside the loans.

The income is asked outside any lock (step 2 of the check); a government-data outage does not
hold up the check: the evidence then says "did not answer", and the ombudsman sees that the
ratio rests on the declared income. It is a warning, never a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import (
    AdapterError,
    BureauLoan,
    CreditReport,
    OfficialIncomeAnswer,
    SocialStatusAnswer,
    SubjectUnknown,
)
from finplatform.clock import business_date
from resolution import burden
from resolution.models import BurdenEvidence, Case, OfficialIncomeState
from resolution.policy import burden_policy

WHY_OVERDUE = _("a delay over 90 days in the last 12 months")
WHY_GAMBLING = _("signs of gambling")
WHY_ASP = _("targeted social assistance")


def gambling_of(report: CreditReport) -> list[tuple[date, int]] | None:
    if report.gambling_payments is None:
        return None
    return [(p.on, p.amount_tiyn) for p in report.gambling_payments]


def why_official_income(report: CreditReport, social: SocialStatusAnswer | None) -> str:
    """Why the rules require the official income for this borrower ('' when they do not),
    in English (stored; shown translated)."""
    terms = burden_policy(business_date())
    why = []
    if any(max(loan.overdue_days, loan.max_overdue_days_12m or 0) > terms.long_overdue_days
           for loan in report.loans):  # fmt: skip
        why.append(WHY_OVERDUE)
    if burden._gambling(gambling_of(report), on=business_date(), policy=terms)[0]:
        why.append(WHY_GAMBLING)
    if social is not None and social.receives_asp:
        why.append(WHY_ASP)
    with translation.override("en"):  # stored as msgids; shown translated
        return "; ".join(str(w) for w in why)


@dataclass(frozen=True)
class IncomeFetch:
    why: str
    state: str
    answer: OfficialIncomeAnswer | None = None


def fetch_official_income(
    iin: str, report: CreditReport, social: SocialStatusAnswer | None
) -> IncomeFetch:
    """Ask the government data for the official income if the rules require it (no lock
    held: step 2 of the check). Never raises: an outage is recorded as such."""
    why = why_official_income(report, social)
    if not why:
        return IncomeFetch("", OfficialIncomeState.NOT_REQUIRED)
    try:
        answer = get_adapter("government").official_income(iin)
    except SubjectUnknown:
        return IncomeFetch(why, OfficialIncomeState.UNKNOWN)
    except AdapterError:
        return IncomeFetch(why, OfficialIncomeState.UNAVAILABLE)
    return IncomeFetch(why, OfficialIncomeState.RECEIVED, answer)


def loan_fields(loan: BureauLoan) -> dict:
    """The CaseLoan fields the ratio reads, from one loan of the report."""
    return {
        "bureau_monthly_payment_tiyn": loan.monthly_payment_tiyn,
        "bureau_overdue_payments_tiyn": loan.overdue_payments_tiyn,
        "bureau_max_overdue_days_12m": loan.max_overdue_days_12m,
        "bureau_restructurings": [
            {"on": r.on.isoformat(), "debt_tiyn": r.debt_tiyn,
             "debt_after_6_months_tiyn": r.debt_after_6_months_tiyn}
            for r in loan.restructurings
        ],
    }  # fmt: skip


def record_evidence(*, case: Case, report: CreditReport, income: IncomeFetch | None) -> None:
    """Written once with the check's result, in its transaction (the case lock held)."""
    income = income or IncomeFetch("", OfficialIncomeState.NOT_REQUIRED)
    answer = income.answer
    gambling = gambling_of(report)
    BurdenEvidence.objects.update_or_create(
        case=case,
        defaults={
            "bureau_report_id": report.report_id,
            "bureau_report_at": report.generated_at,
            "gambling_payments": None if gambling is None else [
                {"on": day.isoformat(), "amount_tiyn": amount} for day, amount in gambling
            ],
            "official_income_state": income.state,
            "official_income_why": income.why[:200],
            "official_income_tiyn": answer.average_monthly_tiyn if answer else None,
            "official_income_months": answer.months_with_income if answer else None,
            "official_income_source": answer.source[:200] if answer else "",
            "official_income_at": answer.checked_at if answer else None,
        },
    )  # fmt: skip
