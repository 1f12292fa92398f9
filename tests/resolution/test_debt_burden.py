"""The honest debt-burden ratio (КДН): every loan the bureau reports counts, 0.25 after a delay
over 90 days in the last 12 months or with signs of gambling, official income where the rules
require it, income under the subsistence minimum flagged, and each sign of a fictitious
restructuring per loan — shown to the ombudsman with its source, never a refusal."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from resolution import burden
from resolution.models import BurdenEvidence, CaseStatus
from resolution.policy import burden_policy
from resolution.selectors.ombudsman import debt_burden
from resolution.services import eligibility as services
from tests.factories import BorrowerFactory
from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.support.bureau import loan, org

ON = date(2026, 11, 29)


def _loan(**kw) -> burden.LoanInput:
    defaults = dict(contract="A-1", creditor="Alem Bank", in_case=True, open=True,
                    principal_tiyn=50_000_000, interest_tiyn=2_000_000, overdue_days=40,
                    monthly_payment_tiyn=3_000_000, overdue_payments_tiyn=6_000_000,
                    max_overdue_days_12m=40)  # fmt: skip
    return burden.LoanInput(**(defaults | kw))


def _income(declared=20_000_000, state="not_required", official=None, asp=False):
    return burden.IncomeInput(declared_tiyn=declared, official_state=state,
                              official_tiyn=official, official_source="gov, 01.11.2026",
                              receives_asp=asp)  # fmt: skip


def _compute(loans, income=None, payment=7_000_000, gambling=()):
    return burden.compute(loans=loans, income=income or _income(), new_payment_tiyn=payment,
                          gambling_payments=gambling, policy=burden_policy(ON), on=ON,
                          bureau_source="credit bureau report R-1")  # fmt: skip


def test_a_loan_95_days_overdue_last_year_gives_the_025_limit_with_the_reason():
    calm = _compute([_loan(), _loan(contract="B-2", overdue_days=0, max_overdue_days_12m=60)])
    assert calm.limit == Decimal("0.5") and not calm.limit_reasons
    with translation.override("en"):
        strict = _compute([_loan(), _loan(contract="B-2", overdue_days=0, max_overdue_days_12m=95)])
    assert strict.limit == Decimal("0.25") and strict.long_overdue
    assert strict.limit_reasons == [
        "Loan № B-2 (Alem Bank): 95 days overdue in the last 12 months (credit bureau report R-1)."
    ]
    assert strict.ratio == Decimal("0.350") and strict.warning  # 70 000 / 200 000 > 0.25


def test_loans_outside_the_case_count_with_their_monthly_and_overdue_payments():
    outside = _loan(contract="CAR-1", in_case=False, monthly_payment_tiyn=4_000_000,
                    overdue_payments_tiyn=1_000_000)  # fmt: skip
    closed = _loan(contract="OLD-1", in_case=False, open=False)
    result = _compute([_loan(), outside, closed])
    assert result.numerator_tiyn == 7_000_000 + 4_000_000 + 1_000_000
    assert result.ratio == Decimal("0.600")
    assert any("CAR-1" in label for label, _, _ in result.inputs)
    assert not any("OLD-1" in label for label, _, _ in result.inputs)


def test_official_income_where_required_and_a_warning_when_missing():
    long = _loan(max_overdue_days_12m=120)
    used = _compute([long], _income(declared=40_000_000, state="received", official=14_000_000))
    assert (used.income_basis, used.income_tiyn, used.ratio) == ("official", 14_000_000,
                                                                  Decimal("0.500"))  # fmt: skip
    missing = _compute([long], _income(declared=40_000_000, state="unavailable"))
    assert missing.income_basis == "declared" and missing.official_required
    assert any("official income" in w for w in missing.warnings)
    asp = _compute([_loan()], _income(declared=40_000_000, state="received", official=9_000_000,
                                      asp=True))  # fmt: skip
    assert asp.income_basis == "official" and asp.limit == Decimal("0.5")


def test_income_below_the_subsistence_minimum_is_flagged_with_its_source():
    low = _compute([_loan()], _income(declared=5_000_000))  # 50 000 ₸ < 50 851 ₸ (2026)
    assert low.below_subsistence is True
    assert any(src.startswith("Закон РК") and amount == 5_085_100
               for _, amount, src in low.inputs)  # fmt: skip
    assert _compute([_loan()], _income(declared=5_100_000)).below_subsistence is False


def test_each_sign_of_a_fictitious_restructuring_is_shown_per_loan():
    barely = _loan(contract="R-1", restructurings=((date(2026, 3, 1), 10_000_000, 9_600_000),))
    twice = _loan(
        contract="R-2",
        restructurings=((date(2026, 1, 5), 10_000_000, None), (date(2026, 7, 5), 9_000_000, None)),
    )
    dear = _loan(
        contract="R-3",
        principal_tiyn=10_000_000,
        interest_tiyn=2_500_000,
        restructurings=((date(2024, 1, 1), 10_000_000, 8_000_000),),
    )
    fine = _loan(contract="R-4", restructurings=((date(2026, 3, 1), 10_000_000, 9_000_000),))
    signs = dict(_compute([barely, twice, dear, fine]).restructuring_signs)
    assert set(signs) == {"R-1", "R-2", "R-3"}
    assert "less than 5%" in signs["R-1"][0]
    assert signs["R-2"] == ["2 restructurings in the last 12 months while the loan was overdue."]
    assert "over 20% of the principal" in signs["R-3"][0]


def test_gambling_signs_lower_the_limit():
    six = [(date(2026, m, 3), 6_000_000) for m in range(5, 11)]  # 6 × 60 000 ₸ = 360 000 ₸
    result = _compute([_loan()], gambling=six)
    assert result.gambling and result.limit == Decimal("0.25") and result.official_required
    assert _compute([_loan()], gambling=six[:5]).gambling is False
    assert _compute([_loan()], gambling=None).gambling is None  # the report had no data


@pytest.mark.django_db
def test_real_stack_95_days_last_year_official_income_and_the_review_page(sim, client):
    """Bureau (simulator) → check → evidence → the review page shows 0.25 and the reason."""
    borrower = BorrowerFactory(identified_at=timezone.now())
    bank, mfo = org("bank"), org("mfo")
    paid_up = loan(mfo, overdue_days=0, contract="MF-95") | {"max_overdue_days_12m": 95}
    car = loan(bank, kind="car", secured=True, contract="CAR-7") | {
        "monthly_payment_tiyn": 5_000_000, "overdue_payments_tiyn": 0,
    }  # fmt: skip
    sim.put_report(borrower.iin, [loan(bank, contract="BK-1"), paid_up, car], gambling=[])
    sim.set_income(borrower.iin, 18_000_000)
    case = services.submit_application(
        borrower=borrower, consent=True, declared_vulnerable=False,
        declared_monthly_income_tiyn=40_000_000, actor=borrower.user,
    )  # fmt: skip
    services.run_eligibility_check(case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CREDITORS  # a warning, never a refusal
    evidence = BurdenEvidence.objects.get(case=case)
    assert evidence.official_income_state == "received"
    assert evidence.official_income_tiyn == 18_000_000 and evidence.gambling_payments == []
    result = debt_burden(case, 4_000_000)
    assert result["limit"] == Decimal("0.25") and result["long_overdue"]
    b = result["burden"]
    assert b.income_basis == "official" and b.numerator_tiyn == 4_000_000 + 5_000_000
    assert b.ratio == Decimal("0.500") and result["warning"]
    case.status = CaseStatus.UNDER_REVIEW
    case.ombudsman = "banking"
    case.save(update_fields=["status", "ombudsman"])
    client.force_login(ombudsman_user("banking"))
    with translation.override("en"):
        html = client.get(review_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "MF-95" in html and "95 days overdue in the last 12 months" in html
