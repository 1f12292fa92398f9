"""The debt-burden ratio (КДН) as the rules compute it (debt-burden-ratio-rules; the MFO rules'
КДН points), pure: no database, no HTTP. A warning for the ombudsman, never a refusal.

    КДН = (Σ monthly payments on open loans + Σ overdue payments on them + the new payment)
          / average monthly income

On the platform the loans in the case are replaced by the plan's monthly payment (the new
payment); every other open loan the bureau reports keeps its own monthly and overdue payments.
The limit is 0.5, or 0.25 for a borrower with a delay over 90 days on any loan in the last 12
months or with signs of gambling; for such a borrower, and for a recipient of targeted social
assistance, the income must be the official one (government data). Income under the
subsistence minimum is flagged. Each sign of a fictitious restructuring is shown per loan.

Every figure comes with its source, so the ombudsman can see what the ratio rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from finplatform.money import format_tenge

OFFICIAL, DECLARED = "official", "declared"


@dataclass(frozen=True)
class BurdenPolicy:
    limit: Decimal
    limit_strict: Decimal
    long_overdue_days: int
    gambling_min_payments: int
    gambling_min_total_tiyn: int
    gambling_months: int
    subsistence_minimum_tiyn: int | None
    subsistence_source: str
    restructuring_min_drop_percent: int
    restructuring_max_per_year: int
    restructuring_max_interest_percent: int


@dataclass(frozen=True)
class LoanInput:
    contract: str
    creditor: str
    in_case: bool
    open: bool
    principal_tiyn: int
    interest_tiyn: int
    overdue_days: int
    monthly_payment_tiyn: int | None
    overdue_payments_tiyn: int | None
    max_overdue_days_12m: int | None
    restructurings: tuple[tuple[date, int, int | None], ...] = ()


@dataclass(frozen=True)
class IncomeInput:
    declared_tiyn: int | None
    official_state: str  # resolution.models.OfficialIncomeState
    official_tiyn: int | None
    official_source: str
    receives_asp: bool


@dataclass
class Burden:
    ratio: Decimal | None
    limit: Decimal
    long_overdue: bool
    gambling: bool | None  # None: the report carries no gambling data
    official_required: bool
    income_tiyn: int | None
    income_basis: str  # official | declared | ""
    below_subsistence: bool | None
    numerator_tiyn: int
    inputs: list[tuple[str, int | None, str]] = field(default_factory=list)  # label, tiyn, source
    limit_reasons: list[str] = field(default_factory=list)
    restructuring_signs: list[tuple[str, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def warning(self) -> bool:
        return bool(self.warnings)


def _gambling(payments, *, on: date, policy: BurdenPolicy) -> tuple[bool | None, int, int]:
    """6+ payments over 300 000 ₸ in the last 6 completed months: (sign, count, total)."""
    if payments is None:
        return None, 0, 0
    end = on.replace(day=1)  # the current month is not complete
    start = end - relativedelta(months=policy.gambling_months)
    inside = [amount for day, amount in payments if start <= day < end]
    sign = (
        len(inside) >= policy.gambling_min_payments and sum(inside) > policy.gambling_min_total_tiyn
    )
    return sign, len(inside), sum(inside)


def restructuring_signs(loan: LoanInput, *, on: date, policy: BurdenPolicy) -> list[str]:
    """The signs of a fictitious restructuring of one loan, as readable texts."""
    year_ago = on - timedelta(days=365)
    recent = [r for r in loan.restructurings if r[0] >= year_ago]
    signs = []
    for day, debt, after in recent:
        if (
            after is not None
            and debt > 0
            and (debt - after) * 100 < (debt * policy.restructuring_min_drop_percent)
        ):
            signs.append(str(_(
                "Restructured on %(on)s: six months later the debt went from %(debt)s to "
                "%(after)s, down by less than %(percent)s%%."
            ) % {"on": day.strftime("%d.%m.%Y"), "debt": format_tenge(debt),
                 "after": format_tenge(after),
                 "percent": policy.restructuring_min_drop_percent}))  # fmt: skip
    overdue = loan.overdue_days > 0 or (loan.max_overdue_days_12m or 0) > 0
    if overdue and len(recent) > policy.restructuring_max_per_year:
        signs.append(str(_(
            "%(count)s restructurings in the last 12 months while the loan was overdue."
        ) % {"count": len(recent)}))  # fmt: skip
    if (
        loan.restructurings
        and loan.principal_tiyn > 0
        and loan.interest_tiyn * 100
        > (loan.principal_tiyn * policy.restructuring_max_interest_percent)
    ):
        signs.append(str(_(
            "Interest %(interest)s is over %(percent)s%% of the principal %(principal)s of a "
            "restructured loan."
        ) % {"interest": format_tenge(loan.interest_tiyn),
             "principal": format_tenge(loan.principal_tiyn),
             "percent": policy.restructuring_max_interest_percent}))  # fmt: skip
    return signs


def compute(
    *,
    loans: list[LoanInput],
    income: IncomeInput,
    new_payment_tiyn: int | None,
    gambling_payments: list[tuple[date, int]] | None,
    policy: BurdenPolicy,
    on: date,
    bureau_source: str,
) -> Burden:
    """The ratio, its limit and why, the income it rests on and every input with its source."""
    long = [
        loan for loan in loans
        if max(loan.overdue_days, loan.max_overdue_days_12m or 0) > policy.long_overdue_days
    ]  # fmt: skip
    gambling, g_count, g_total = _gambling(gambling_payments, on=on, policy=policy)
    strict = bool(long) or bool(gambling)
    reasons = [
        str(_("Loan № %(contract)s (%(creditor)s): %(days)s days overdue in the last 12 months "
              "(%(source)s).") % {"contract": loan.contract, "creditor": loan.creditor,
                                  "days": max(loan.overdue_days, loan.max_overdue_days_12m or 0),
                                  "source": bureau_source})
        for loan in long
    ]  # fmt: skip
    if gambling:
        reasons.append(str(_(
            "Signs of gambling: %(count)s payments to gambling operators, %(total)s in all, in "
            "the last %(months)s completed months (%(source)s)."
        ) % {"count": g_count, "total": format_tenge(g_total), "months": policy.gambling_months,
             "source": bureau_source}))  # fmt: skip
    warnings: list[str] = []
    inputs: list[tuple[str, int | None, str]] = []
    numerator = new_payment_tiyn or 0
    inputs.append((str(_("Monthly payment of the proposed schedule")), new_payment_tiyn,
                   str(_("the proposed schedule"))))  # fmt: skip
    for loan in loans:
        if loan.in_case or not loan.open:
            continue
        for label, value in (
            (_("Monthly payment, loan № %(contract)s (%(creditor)s), not in the case"),
             loan.monthly_payment_tiyn),
            (_("Overdue payments, loan № %(contract)s (%(creditor)s), not in the case"),
             loan.overdue_payments_tiyn),
        ):  # fmt: skip
            inputs.append((str(label % {"contract": loan.contract, "creditor": loan.creditor}),
                           value, bureau_source))  # fmt: skip
            numerator += value or 0
        if loan.monthly_payment_tiyn is None:
            warnings.append(str(_(
                "The credit bureau did not report the monthly payment of loan № %(contract)s: "
                "the ratio leaves it out and reads lower than it is."
            ) % {"contract": loan.contract}))  # fmt: skip
    official_required = strict or income.receives_asp
    basis, income_tiyn = DECLARED, income.declared_tiyn
    if income.official_state == "received" and (official_required or income_tiyn is None):
        basis, income_tiyn = OFFICIAL, income.official_tiyn
    elif official_required:
        warnings.append(str(_(
            "The rules require the official income here, and the government data gave none: "
            "the ratio rests on the declared income."
        )))  # fmt: skip
    inputs.append((str(_("Declared monthly income")), income.declared_tiyn,
                   str(_("the borrower's application"))))  # fmt: skip
    if income.official_state == "received":
        inputs.append((str(_("Official monthly income")), income.official_tiyn,
                       income.official_source))  # fmt: skip
    limit = policy.limit_strict if strict else policy.limit
    ratio = None
    if new_payment_tiyn is None or not income_tiyn:
        warnings.append(str(_("The income is unknown or the schedule is not ready: no ratio.")))
    else:
        ratio = (Decimal(numerator) / Decimal(income_tiyn)).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )
        if ratio > limit:
            warnings.append(str(_("The ratio %(ratio)s is above the limit %(limit)s.")
                                % {"ratio": ratio, "limit": limit}))  # fmt: skip
    below = None
    if income_tiyn is not None and policy.subsistence_minimum_tiyn is not None:
        below = income_tiyn < policy.subsistence_minimum_tiyn
        inputs.append((str(_("Subsistence minimum")), policy.subsistence_minimum_tiyn,
                       policy.subsistence_source))  # fmt: skip
        if below:
            warnings.append(str(_(
                "The income %(income)s is below the subsistence minimum %(minimum)s (children "
                "in the family, if any, raise the bar by half of it each)."
            ) % {"income": format_tenge(income_tiyn),
                 "minimum": format_tenge(policy.subsistence_minimum_tiyn)}))  # fmt: skip
    signs = [(loan.contract, s) for loan in loans
             if (s := restructuring_signs(loan, on=on, policy=policy))]  # fmt: skip
    if signs:
        warnings.append(str(_("Signs of a fictitious restructuring: see the loans below.")))
    return Burden(
        ratio=ratio, limit=limit, long_overdue=bool(long), gambling=gambling,
        official_required=official_required, income_tiyn=income_tiyn,
        income_basis=basis if income_tiyn is not None else "", below_subsistence=below,
        numerator_tiyn=numerator, inputs=inputs, limit_reasons=reasons,
        restructuring_signs=signs, warnings=warnings,
    )  # fmt: skip
