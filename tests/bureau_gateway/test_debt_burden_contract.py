"""The bureau report and the government data carry what the debt-burden ratio needs (issue 19,
point 4): each loan's monthly and overdue payments, its longest delay in the last 12 months
and its restructurings; the payments to gambling operators; the official income. Over the
real simulator and the real clients; off-contract values are MalformedResponse."""

from datetime import date

import pytest

from bureau_gateway.clients import HttpCreditBureau, HttpGovernmentData
from bureau_gateway.interfaces import MalformedResponse, Restructuring, SubjectUnknown
from bureau_gateway.parsing import parse_credit_report
from bureau_gateway.simulator import demo_data, open_world
from tests.support.bureau import open_world_iin

pytestmark = pytest.mark.django_db
SAULE = next(b for b in demo_data.BORROWERS if b["key"] == "saule")


def test_the_demo_report_carries_history_restructurings_and_gambling_data(sim):
    report = HttpCreditBureau(retries=0).fetch_report(SAULE["iin"])
    by_contract = {loan.contract_number: loan for loan in report.loans}
    paid_up = by_contract["OF-20871"]
    assert paid_up.overdue_days == 0 and paid_up.max_overdue_days_12m == 95
    assert by_contract["SB-CAR-3391"].monthly_payment_tiyn == (4_100_000 + 120_000) // 24 * 100
    assert by_contract["SB-CL-1180"].restructurings == (
        Restructuring(date(2025, 11, 20), 96_000_000, 94_080_000),
    )
    assert report.gambling_payments == ()  # the section is there, and empty


def test_open_world_profiles_are_deterministic_with_signs_by_serial(sim):
    client = HttpCreditBureau(retries=0)
    restructured = client.fetch_report(open_world_iin(7 * 40 + 3))  # serial mod 7 = 3
    assert restructured.loans[0].restructurings
    assert all(loan.max_overdue_days_12m >= loan.overdue_days for loan in restructured.loans)
    gambler = client.fetch_report(open_world_iin(11 * 30 + 5))  # serial mod 11 = 5
    assert len(gambler.gambling_payments) == 7
    again = client.fetch_report(open_world_iin(11 * 30 + 5))
    assert again.gambling_payments == gambler.gambling_payments


def test_official_income_from_the_government_data(sim):
    gov = HttpGovernmentData(retries=0)
    iin = open_world_iin(4242)
    first, second = gov.official_income(iin), gov.official_income(iin)
    assert first.average_monthly_tiyn == second.average_monthly_tiyn > 0
    assert first.months_with_income == 6 and "simulator" in first.source
    sim.set_income(iin, 12_345_600, months=3)
    assert gov.official_income(iin).average_monthly_tiyn == 12_345_600
    gulnara = next(b for b in demo_data.BORROWERS if b["key"] == "gulnara")
    assert gov.official_income(gulnara["iin"]).average_monthly_tiyn == 48_000 * 100
    with pytest.raises(SubjectUnknown):
        gov.official_income(open_world_iin(open_world.UNKNOWN))


@pytest.mark.parametrize(
    "loan_extra, report_extra",
    [
        ({"max_overdue_days_12m": -1}, {}),
        ({"monthly_payment_tiyn": "100"}, {}),
        ({"restructurings": {"on": "2026-01-01"}}, {}),
        ({"restructurings": [{"on": "yesterday", "debt_tiyn": 1}]}, {}),
        ({}, {"gambling_payments": [{"on": "2026-01-01", "amount_tiyn": 1.5}]}),
    ],
)
def test_off_contract_burden_fields_are_malformed(loan_extra, report_extra):
    spec = {**SAULE, "loans": SAULE["loans"][:1]}
    data = demo_data.bureau_report(spec) | {
        "report_id": "R-1",
        "generated_at": "2026-11-01T10:00:00+05:00",
    }
    data["loans"][0].update(loan_extra)
    data.update(report_extra)
    with pytest.raises(MalformedResponse):
        parse_credit_report(data, iin=SAULE["iin"])


def test_an_older_report_without_the_fields_still_parses():
    spec = {**SAULE, "loans": SAULE["loans"][:1]}
    data = demo_data.bureau_report(spec) | {
        "report_id": "R-1",
        "generated_at": "2026-11-01T10:00:00+05:00",
    }
    for key in (
        "monthly_payment_tiyn",
        "overdue_payments_tiyn",
        "max_overdue_days_12m",
        "restructurings",
    ):
        data["loans"][0].pop(key)
    data.pop("gambling_payments")
    report = parse_credit_report(data, iin=SAULE["iin"])
    assert report.gambling_payments is None
    assert report.loans[0].monthly_payment_tiyn is None and report.loans[0].restructurings == ()
