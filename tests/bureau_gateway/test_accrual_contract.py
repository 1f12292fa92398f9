"""The bureau contract's accrual split (the lawful-claims check needs it): interest and
penalties accrued after day 90 overdue and the penalties charged per instalment. Older reports
without these fields still parse (0 and none); a malformed list is refused."""

from datetime import date

import pytest

from bureau_gateway.clients import HttpCreditBureau
from bureau_gateway.interfaces import MalformedResponse, PenaltyCharge
from bureau_gateway.parsing import parse_credit_report
from bureau_gateway.simulator import demo_data
from tests.factories import next_iin

pytestmark = pytest.mark.django_db
AIGERIM = demo_data.BORROWERS[0]
CREDITOR = {"bin": "040540001012", "name": "Tez Qarz MFO LLP", "kind": "mfo"}


def _loan(**extra) -> dict:
    return {
        "creditor": CREDITOR, "bureau_reference": "R-1", "contract_number": "TQ-1",
        "kind": "consumer", "secured": False, "principal_tiyn": 100_000_00,
        "interest_tiyn": 20_000_00, "penalty_tiyn": 5_000_00, "overdue_days": 130,
        "opened_on": "2024-01-01", **extra,
    }  # fmt: skip


def _report(iin: str, loan: dict) -> dict:
    return {
        "iin": iin, "report_id": "r-1", "generated_at": "2026-11-23T10:00:00+05:00",
        "subject": {"bankruptcy_in_progress": False, "solvency_restoration_in_progress": False,
                    "previous_procedure_signed": False},
        "loans": [loan],
    }  # fmt: skip


def test_a_report_with_the_accrual_split_is_parsed():
    iin = next_iin()
    loan = _loan(
        interest_after_day_90_tiyn=4_000_00, penalty_after_day_90_tiyn=1_500_00,
        penalty_charges=[{"due_on": "2026-03-07", "paid_on": "2026-03-10", "amount_tiyn": 900},
                         {"due_on": "2026-04-10", "paid_on": None, "amount_tiyn": 500}],
    )  # fmt: skip
    parsed = parse_credit_report(_report(iin, loan), iin=iin).loans[0]
    assert parsed.interest_after_day_90_tiyn == 4_000_00
    assert parsed.penalty_after_day_90_tiyn == 1_500_00
    assert parsed.penalty_charges == (
        PenaltyCharge(date(2026, 3, 7), date(2026, 3, 10), 900),
        PenaltyCharge(date(2026, 4, 10), None, 500),
    )


def test_an_older_report_without_the_split_still_parses():
    iin = next_iin()
    parsed = parse_credit_report(_report(iin, _loan()), iin=iin).loans[0]
    assert parsed.interest_after_day_90_tiyn == 0 and parsed.penalty_after_day_90_tiyn == 0
    assert parsed.penalty_charges == ()


@pytest.mark.parametrize("extra", [
    {"penalty_charges": {"due_on": "2026-03-07"}},
    {"penalty_charges": [{"due_on": "yesterday", "paid_on": None, "amount_tiyn": 1}]},
    {"penalty_charges": [{"due_on": "2026-03-07", "paid_on": None, "amount_tiyn": -1}]},
    {"interest_after_day_90_tiyn": -5},
    {"penalty_after_day_90_tiyn": "12"},
])  # fmt: skip
def test_an_off_contract_split_is_malformed(extra):
    iin = next_iin()
    with pytest.raises(MalformedResponse):
        parse_credit_report(_report(iin, _loan(**extra)), iin=iin)


def test_the_simulator_serves_the_demo_accrual_split(sim):
    report = HttpCreditBureau().fetch_report(AIGERIM["iin"])
    mfo = next(loan for loan in report.loans if loan.creditor_kind == "mfo")
    assert (mfo.interest_after_day_90_tiyn, mfo.penalty_after_day_90_tiyn) == (
        12_300_00, 4_870_00,
    )  # fmt: skip
    assert mfo.penalty_charges == (PenaltyCharge(date(2024, 3, 9), date(2024, 3, 11), 1_500_00),)
    bank = next(loan for loan in report.loans if loan.creditor_kind == "bank")
    assert bank.penalty_charges == () and bank.interest_after_day_90_tiyn == 0
