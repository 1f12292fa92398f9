"""The lawful-claims check on the confirmed figures (issue 13, point 3), with worked examples:
an MFO loan with penalty accrued after day 90 is flagged with the amount; a penalty for an
instalment due on a day off and paid the next working day is flagged; a correction above the
bureau figure needs a reason and is flagged with the difference; a total of 7,000,000.01 ₸
blocks approval with the cap named while exactly 7,000,000.00 ₸ approves; the findings are
recorded with the decision and printed in the protocol."""

import io
import re
from datetime import datetime

import pytest
import time_machine
from pypdf import PdfReader

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ApplicationError
from finplatform.models import CalendarOverride
from finplatform.money import format_tenge
from resolution.claims import AFTER_DAY_90, CORRECTION_ABOVE_BUREAU, DAY_OFF_PENALTY, OVER_CAP
from resolution.models import CaseLoan, EligibilityPolicy, Notification
from resolution.selectors.claims import claims_findings
from resolution.services.confirmation import answer_loan
from resolution.services.decision import approve_case
from resolution.services.documents import generate_package
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)
# 4,000,000 + 2,000,000 + 1,000,000 = exactly 7,000,000.00 ₸ (the default cap)
AT_CAP = [(400_000_000, 0, 0), (200_000_000, 0, 0), (100_000_000, 0, 0)]


def _plain(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def confirm_all(world, skip=()):
    for index, (creditor, loan) in enumerate(zip(world.creditors, world.loans, strict=True)):
        if index not in skip:
            answer_loan(creditor=creditor, case_loan_id=loan.pk, action="confirm")


def test_mfo_penalty_after_day_90_is_flagged_with_the_amount_and_printed_in_the_protocol():
    with time_machine.travel(T0, tick=False):
        world = awaiting_case()
        mfo_loan, bank_loan = world.loans[1], world.loans[0]  # creditor 2 is the MFO
        CaseLoan.objects.filter(pk=mfo_loan.pk).update(
            bureau_interest_after_90_tiyn=0, bureau_penalty_after_90_tiyn=300_000
        )
        # a bank loan with the same accrual is not a microcredit: not flagged
        CaseLoan.objects.filter(pk=bank_loan.pk).update(bureau_penalty_after_90_tiyn=300_000)
        confirm_all(world)
        findings = claims_findings(world.case)
        assert [(f.code, f.amount_tiyn, f.params["contract"]) for f in findings] == [
            (AFTER_DAY_90, 300_000, "K-2-2024")
        ]
        assert format_tenge(300_000) in findings[0].text()
        decision = approve_case(case_id=world.case.pk)
        assert decision.findings == [f.as_json() for f in findings]
        generate_package(package_id=world.case.package.pk)
    protocol = world.case.package.documents.get(kind="protocol")
    text = _plain("".join(p.extract_text() for p in PdfReader(io.BytesIO(protocol.content)).pages))
    section = text.split("Проверка законности требований", 1)[1]
    assert "K-2-2024" in section and "3 000,00" in section


def test_accrual_after_day_90_counts_only_what_is_still_claimed():
    world = awaiting_case()
    mfo_loan = world.loans[1]  # bureau: 200,000 principal + 15,000 interest, no penalty
    CaseLoan.objects.filter(pk=mfo_loan.pk).update(
        bureau_interest_after_90_tiyn=1_000_000, bureau_penalty_after_90_tiyn=0
    )
    confirm_all(world, skip={1})
    # the creditor corrects the interest down to 4,000 ₸: only that much is still claimed
    answer_loan(creditor=world.creditors[1], case_loan_id=mfo_loan.pk, action="correct",
                principal_tiyn=20_000_000, interest_tiyn=400_000, penalty_tiyn=0)  # fmt: skip
    (finding,) = claims_findings(world.case)
    assert (finding.code, finding.amount_tiyn) == (AFTER_DAY_90, 400_000)


def test_penalty_for_a_day_off_due_date_paid_next_working_day_is_flagged():
    for day in (9, 10):  # Monday and Tuesday declared days off in the admin
        CalendarOverride.objects.create(date=datetime(2026, 3, day).date(), is_working_day=False)
    world = awaiting_case()
    CaseLoan.objects.filter(pk=world.loans[0].pk).update(bureau_penalty_charges=[
        # Saturday, paid Monday: flagged
        {"due_on": "2026-11-21", "paid_on": "2026-11-23", "amount_tiyn": 15_000},
        # Saturday, paid Tuesday (a day late): a lawful penalty
        {"due_on": "2026-11-21", "paid_on": "2026-11-24", "amount_tiyn": 7_000},
        # a working Friday, paid Monday: lawful
        {"due_on": "2026-11-20", "paid_on": "2026-11-23", "amount_tiyn": 8_000},
        # Monday 9 March 2026, declared off with Tuesday 10 March in the admin: paid on
        # Wednesday 11 March, the next working day: flagged
        {"due_on": "2026-03-09", "paid_on": "2026-03-11", "amount_tiyn": 5_000},
    ])  # fmt: skip
    confirm_all(world)
    found = [(f.code, f.amount_tiyn, f.params["due"]) for f in claims_findings(world.case)]
    assert found == [
        (DAY_OFF_PENALTY, 15_000, "21.11.2026"),
        (DAY_OFF_PENALTY, 5_000, "09.03.2026"),
    ]


def test_correction_above_the_bureau_needs_a_reason_and_is_flagged_with_the_difference():
    world = awaiting_case()
    loan = world.loans[2]  # bureau 100,000 + 2,500 = 102,500 ₸
    with pytest.raises(ApplicationError) as err:
        answer_loan(creditor=world.creditors[2], case_loan_id=loan.pk, action="correct",
                    principal_tiyn=10_000_000, interest_tiyn=500_000,
                    penalty_tiyn=250_000)  # fmt: skip
    assert err.value.code == "correction_reason_required"
    # a correction downward needs no reason
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="correct",
                principal_tiyn=40_000_000, interest_tiyn=0, penalty_tiyn=0)  # fmt: skip
    answer_loan(creditor=world.creditors[2], case_loan_id=loan.pk, action="correct",
                principal_tiyn=10_000_000, interest_tiyn=500_000, penalty_tiyn=250_000,
                comment="interest of November not yet reported")  # fmt: skip
    answer_loan(creditor=world.creditors[1], case_loan_id=world.loans[1].pk, action="confirm")
    (finding,) = claims_findings(world.case)
    assert (finding.code, finding.amount_tiyn) == (CORRECTION_ABOVE_BUREAU, 500_000)
    assert "interest of November not yet reported" in finding.text()


def test_exactly_the_cap_approves():
    world = awaiting_case(totals=AT_CAP)
    confirm_all(world)
    assert claims_findings(world.case) == []
    decision = approve_case(case_id=world.case.pk)
    assert decision.total_tiyn == 700_000_000 and decision.findings == []


def test_a_correction_to_7_000_000_01_blocks_approval_with_the_cap_named():
    world = awaiting_case(totals=AT_CAP)
    confirm_all(world, skip={2})
    answer_loan(creditor=world.creditors[2], case_loan_id=world.loans[2].pk, action="correct",
                principal_tiyn=100_000_001, interest_tiyn=0, penalty_tiyn=0,
                comment="one tiyn of fees")  # fmt: skip
    # the borrower is told
    notice = Notification.objects.get(case=world.case, template_key="claims_over_cap",
                                      channel="sms")  # fmt: skip
    assert format_tenge(700_000_000) in notice.body and format_tenge(700_000_001) in notice.body
    with pytest.raises(ApplicationError) as err:
        approve_case(case_id=world.case.pk)
    assert err.value.code == "over_debt_cap"
    assert format_tenge(700_000_000) in err.value.message  # the cap is named
    assert not hasattr(type(world.case).objects.get(pk=world.case.pk), "decision")


def test_the_cap_is_read_from_the_current_eligibility_policy():
    world = awaiting_case(totals=AT_CAP)
    confirm_all(world)
    EligibilityPolicy.objects.create(max_total_tiyn=600_000_000, note="lowered by the admin")
    (finding,) = claims_findings(world.case)
    assert finding.code == OVER_CAP and finding.amount_tiyn == 100_000_000
    with pytest.raises(ApplicationError) as err:
        approve_case(case_id=world.case.pk)
    assert err.value.code == "over_debt_cap" and format_tenge(600_000_000) in err.value.message


def test_too_few_creditors_on_the_confirmed_figures_blocks_approval():
    world = awaiting_case()
    confirm_all(world)
    EligibilityPolicy.objects.create(min_creditors=4, note="stricter")
    with pytest.raises(ApplicationError) as err:
        approve_case(case_id=world.case.pk)
    assert err.value.code == "too_few_creditors"
