"""What the ombudsman sees of the debt burden: the case's loans (every loan the bureau
reported, in the case or not), the evidence the check recorded and the policy, read from the
database and handed to the pure `resolution.burden.compute`."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from borrowers.models import SocialStatus
from finplatform.clock import BUSINESS_TZ, business_date
from resolution import burden
from resolution.models import Case, OfficialIncomeState
from resolution.policy import burden_policy


def _loan_input(cl) -> burden.LoanInput:
    return burden.LoanInput(
        contract=cl.loan.contract_number,
        creditor=cl.creditor.name,
        in_case=cl.included,
        open=cl.loan.closed_on is None,
        principal_tiyn=cl.bureau_principal_tiyn,
        interest_tiyn=cl.bureau_interest_tiyn,
        overdue_days=cl.loan.overdue_days,
        monthly_payment_tiyn=cl.bureau_monthly_payment_tiyn,
        overdue_payments_tiyn=cl.bureau_overdue_payments_tiyn,
        max_overdue_days_12m=cl.bureau_max_overdue_days_12m,
        restructurings=tuple(
            (date.fromisoformat(r["on"]), r["debt_tiyn"], r.get("debt_after_6_months_tiyn"))
            for r in cl.bureau_restructurings or ()
        ),
    )


def case_burden(case: Case, new_payment_tiyn: int | None) -> burden.Burden:
    """The ratio with its inputs and their sources, for the review page and the case admin."""
    evidence = getattr(case, "burden_evidence", None)
    loans = case.loans.select_related("loan", "creditor").order_by("loan__contract_number")
    if evidence is not None and evidence.bureau_report_id:
        when = evidence.bureau_report_at.astimezone(BUSINESS_TZ).strftime("%d.%m.%Y")
        source = _("credit bureau report %(id)s of %(on)s") % {
            "id": evidence.bureau_report_id, "on": when,
        }  # fmt: skip
    else:
        source = _("credit bureau report")
    official_source = ""
    if evidence is not None and evidence.official_income_at is not None:
        official_source = _("%(source)s, %(on)s") % {
            "source": evidence.official_income_source,
            "on": evidence.official_income_at.astimezone(BUSINESS_TZ).strftime("%d.%m.%Y"),
        }  # fmt: skip
    gambling = None
    if evidence is not None and evidence.gambling_payments is not None:
        gambling = [(date.fromisoformat(p["on"]), p["amount_tiyn"])
                    for p in evidence.gambling_payments]  # fmt: skip
    income = burden.IncomeInput(
        declared_tiyn=case.declared_monthly_income_tiyn,
        official_state=evidence.official_income_state if evidence else
        OfficialIncomeState.NOT_REQUIRED,
        official_tiyn=evidence.official_income_tiyn if evidence else None,
        official_source=official_source,
        receives_asp=case.borrower.social_status == SocialStatus.ASP,
    )  # fmt: skip
    on = business_date()
    return burden.compute(
        loans=[_loan_input(cl) for cl in loans], income=income,
        new_payment_tiyn=new_payment_tiyn, gambling_payments=gambling,
        policy=burden_policy(on), on=on, bureau_source=source,
    )  # fmt: skip
