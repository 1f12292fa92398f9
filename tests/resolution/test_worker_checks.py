"""The eligibility check end to end: a real Celery worker, the bureau simulator over HTTP,
the test PostgreSQL. Each test registers a report for a fresh IIN in the simulator, submits
the application through the service and waits for the worker's result."""

import time

import pytest
from django.utils import timezone

from bureau_gateway.models import BureauExchange, subject_hash
from creditors.models import Creditor, Loan
from resolution import rules as E
from resolution.models import (
    CaseLoan,
    CaseStatus,
    CaseTransition,
    CheckState,
    EligibilityCheck,
    RuleOutcome,
)
from resolution.services.eligibility import submit_application
from tests.factories import BorrowerFactory
from tests.support.bureau import loan, org, wait_for_check

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def _apply(borrower, **kwargs):
    return submit_application(
        borrower=borrower,
        consent=True,
        declared_vulnerable=kwargs.get("declared_vulnerable", False),
        declared_monthly_income_tiyn=kwargs.get("income"),
        actor=borrower.user,
    )


def _outcomes(case) -> dict[str, bool]:
    return {o.rule: o.passed for o in RuleOutcome.objects.filter(eligibility_check__case=case)}


@pytest.fixture
def borrower(worker):
    return BorrowerFactory(identified_at=timezone.now(), identification_method="biometric")


def test_eligible_borrower_with_three_creditors(borrower, sim):
    bank, mfo, collector = org("bank"), org("mfo"), org("collector")
    sim.put_report(borrower.iin, [
        loan(bank, principal=1_150_000_00, interest=84_300_00, penalty=12_450_00, overdue_days=95),
        loan(mfo, principal=380_000_00, interest=41_000_00, penalty=9_870_00, overdue_days=140),
        loan(collector, principal=620_000_00, interest=0, penalty=0, overdue_days=410,
             original=org("bank")),
    ])  # fmt: skip
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.AWAITING_CREDITORS
    assert case.total_debt_tiyn == 1_246_750_00 + 430_870_00 + 620_000_00
    assert case.ombudsman == "banking"
    assert case.category == "general"
    assert all(_outcomes(case).values()) and len(_outcomes(case)) == 6
    assert CaseLoan.objects.filter(case=case, included=True).count() == 3
    # the bureau's loans are mirrored, and the unknown creditors were created from its data
    assert Loan.objects.filter(borrower_iin=borrower.iin).count() == 3
    assert Creditor.objects.get(bin=collector["bin"]).kind == "collector"
    check = EligibilityCheck.objects.get(case=case)
    assert check.state == CheckState.DONE and check.eligible is True and check.attempts == 1
    assert list(CaseTransition.objects.filter(case=case).values_list("to_status", flat=True)) == [
        "submitted",
        "checking",
        "awaiting_creditors",
    ]
    # every raw answer is kept for audit, findable by the IIN's keyed hash
    assert BureauExchange.objects.filter(
        service="bureau", subject_hash=subject_hash(borrower.iin), status=200
    ).exists()


def test_only_one_creditor_is_ineligible(borrower, sim):
    bank = org("bank")
    sim.put_report(borrower.iin, [loan(bank), loan(bank, overdue_days=0)])
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.INELIGIBLE
    outcomes = _outcomes(case)
    assert outcomes[E.RULE_MIN_CREDITORS] is False
    assert [rule for rule, passed in outcomes.items() if not passed] == [E.RULE_MIN_CREDITORS]


def test_total_over_the_cap_is_ineligible(borrower, sim):
    sim.put_report(borrower.iin, [
        loan(org("bank"), principal=4_800_000_00, interest=300_000_00, penalty=95_000_00),
        loan(org("mfo"), principal=2_500_000_00, interest=100_000_00, penalty=0),
    ])  # fmt: skip
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.INELIGIBLE
    assert _outcomes(case)[E.RULE_TOTAL_CAP] is False
    assert case.total_debt_tiyn == 7_795_000_00


def test_secured_loan_is_left_out_and_the_rest_is_eligible(borrower, sim):
    bank, mfo = org("bank"), org("mfo")
    car = loan(bank, kind="car", secured=True, principal=4_100_000_00, interest=120_000_00,
               penalty=0)  # fmt: skip
    sim.put_report(borrower.iin, [car, loan(bank), loan(mfo)])
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.AWAITING_CREDITORS
    left_out = CaseLoan.objects.get(case=case, included=False)
    assert left_out.loan.contract_number == car["contract_number"]
    assert left_out.exclusion_reason == str(E.EXCLUDED_NOT_CONSUMER)
    assert case.total_debt_tiyn == 2 * (100_000_00 + 5_000_00 + 1_000_00)


def test_bankruptcy_under_way_is_ineligible(borrower, sim):
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))], bankruptcy=True)
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.INELIGIBLE
    assert _outcomes(case)[E.RULE_NO_INSOLVENCY] is False


def test_repeat_participation_is_ineligible(borrower, sim):
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))], previous_signed=True)
    case = wait_for_check(_apply(borrower).pk)

    assert case.status == CaseStatus.INELIGIBLE
    assert _outcomes(case)[E.RULE_NO_REPEAT] is False


def test_bureau_down_then_up_completes_after_retries(borrower, sim):
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    # ADAPTER_RETRIES=2: each task attempt makes 3 calls, so 6 failures sink two attempts
    sim.fault("bureau", "down", count=6)
    case = _apply(borrower)

    seen_states = set()
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        check = EligibilityCheck.objects.filter(case=case).first()
        if check is not None:
            seen_states.add(check.state)
            if check.state == CheckState.DONE:
                break
        time.sleep(0.05)
    case.refresh_from_db()
    check = EligibilityCheck.objects.get(case=case)

    assert CheckState.SERVICE_UNAVAILABLE in seen_states  # visible "we will retry" state
    assert case.status == CaseStatus.AWAITING_CREDITORS
    assert check.state == CheckState.DONE and check.attempts == 3
    failed_calls = BureauExchange.objects.filter(
        service="bureau", subject_hash=subject_hash(borrower.iin), status=503
    )
    assert failed_calls.count() == 6


def test_malformed_report_records_a_clear_error_and_writes_nothing(borrower, sim):
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    sim.fault("bureau", "malformed", count=1)
    creditors_before = Creditor.objects.count()
    case = wait_for_check(_apply(borrower).pk)

    check = EligibilityCheck.objects.get(case=case)
    assert case.status == CaseStatus.CHECKING  # not decided either way
    assert check.state == CheckState.ERROR and check.error_code == "malformed_response"
    assert "MalformedResponse" in check.last_error
    assert check.attempts == 1  # not retried: the same answer would come back
    assert not CaseLoan.objects.filter(case=case).exists()
    assert not RuleOutcome.objects.filter(eligibility_check=check).exists()
    assert not Loan.objects.filter(borrower_iin=borrower.iin).exists()
    assert Creditor.objects.count() == creditors_before
    assert check.eligible is None and case.total_debt_tiyn is None
    # the garbage itself is kept for audit
    assert (
        BureauExchange.objects.filter(
            service="bureau", subject_hash=subject_hash(borrower.iin), status=200, body__isnull=True
        )
        .exclude(raw_body="")
        .exists()
    )


def test_report_that_breaks_a_database_rule_leaves_nothing_half_written(borrower, sim):
    bank, mfo = org("bank"), org("mfo")
    too_long = "X" * 80  # parses, but the contract-number column holds 64
    sim.put_report(borrower.iin, [loan(bank), loan(mfo), loan(mfo, contract=too_long)])
    case = wait_for_check(_apply(borrower).pk)

    check = EligibilityCheck.objects.get(case=case)
    assert check.state == CheckState.ERROR and check.error_code == "rejected_report"
    assert case.status == CaseStatus.CHECKING
    # the first two loans were written before the third failed: all rolled back together
    assert not Creditor.objects.filter(bin__in=[bank["bin"], mfo["bin"]]).exists()
    assert not Loan.objects.filter(borrower_iin=borrower.iin).exists()
    assert not CaseLoan.objects.filter(case=case).exists()
