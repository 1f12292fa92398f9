"""The pure eligibility engine: no database, no HTTP."""

from datetime import UTC, date, datetime
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from bureau_gateway.interfaces import BureauLoan, CreditReport, SocialStatusAnswer
from resolution import rules as E

TERMS = E.PolicyTerms(max_total_tiyn=7_000_000_00, min_creditors=2, min_overdue_days=1)
NOW = datetime(2026, 11, 23, tzinfo=UTC)
_refs = count(1)


def bl(creditor="040540001012", *, kind="consumer", secured=False, creditor_kind="bank",
       total=100_000_00, overdue=30, closed=None, original_kind=None):  # fmt: skip
    n = next(_refs)
    return BureauLoan(
        bureau_reference=f"R{n}", creditor_bin=creditor, creditor_name="X",
        creditor_kind=creditor_kind, original_creditor_bin="040540002028" if original_kind
        else None, contract_number=f"C{n}", kind=kind, secured=secured,
        principal_tiyn=total, interest_tiyn=0, penalty_tiyn=0, overdue_days=overdue,
        opened_on=date(2023, 1, 1), closed_on=closed, original_creditor_kind=original_kind,
    )  # fmt: skip


def report(*loans, **flags):
    return CreditReport(iin="880412412011", report_id="R", generated_at=NOW, loans=loans,
                        **flags)  # fmt: skip


def rules(result):
    return {r.rule: r.passed for r in result.rules}


def test_eligible_report_passes_every_rule_with_a_readable_reason():
    result = E.evaluate(report(bl("A"), bl("B", creditor_kind="mfo")), TERMS,
                        signed_before_in_db=False)  # fmt: skip
    assert result.eligible and all(rules(result).values())
    assert result.total_tiyn == 200_000_00
    cap = next(r for r in result.rules if r.rule == E.RULE_TOTAL_CAP)
    assert "7\u00a0000\u00a0000,00" in cap.reason and "200\u00a0000,00" in cap.reason


def test_total_exactly_at_the_cap_passes_one_tiyn_over_fails():
    at_cap = report(bl("A", total=3_500_000_00), bl("B", total=3_500_000_00))
    over = report(bl("A", total=3_500_000_00), bl("B", total=3_500_000_01))
    assert rules(E.evaluate(at_cap, TERMS, signed_before_in_db=False))[E.RULE_TOTAL_CAP]
    assert not rules(E.evaluate(over, TERMS, signed_before_in_db=False))[E.RULE_TOTAL_CAP]


def test_excluded_loans_do_not_count_towards_creditors_total_or_overdue():
    result = E.evaluate(
        report(bl("A", overdue=0), bl("B", kind="mortgage", secured=True, overdue=400),
               bl("C", closed=date(2024, 1, 1), overdue=90)),
        TERMS, signed_before_in_db=False,
    )  # fmt: skip
    assert rules(result) == {
        E.RULE_LOAN_KINDS: True, E.RULE_MIN_CREDITORS: False, E.RULE_OVERDUE: False,
        E.RULE_TOTAL_CAP: True, E.RULE_NO_INSOLVENCY: True, E.RULE_NO_REPEAT: True,
    }  # fmt: skip
    reasons = [d.exclusion_reason for d in result.decisions]
    assert reasons == ["", E.EXCLUDED_NOT_CONSUMER, E.EXCLUDED_CLOSED]
    assert result.total_tiyn == 100_000_00


def test_secured_consumer_loan_is_excluded_as_secured():
    result = E.evaluate(report(bl("A", secured=True)), TERMS, signed_before_in_db=False)
    assert result.decisions[0].exclusion_reason == E.EXCLUDED_SECURED
    assert not rules(result)[E.RULE_LOAN_KINDS]


def test_thresholds_come_from_the_policy_terms():
    strict = E.PolicyTerms(max_total_tiyn=150_000_00, min_creditors=3, min_overdue_days=90)
    result = E.evaluate(report(bl("A"), bl("B")), strict, signed_before_in_db=False)
    assert rules(result)[E.RULE_MIN_CREDITORS] is False
    assert rules(result)[E.RULE_OVERDUE] is False
    assert rules(result)[E.RULE_TOTAL_CAP] is False


def test_insolvency_and_repeat_participation_from_either_source():
    two = (bl("A"), bl("B"))
    assert not rules(E.evaluate(report(*two, solvency_restoration_in_progress=True), TERMS,
                                signed_before_in_db=False))[E.RULE_NO_INSOLVENCY]  # fmt: skip
    assert not rules(E.evaluate(report(*two, previous_procedure_signed=True), TERMS,
                                signed_before_in_db=False))[E.RULE_NO_REPEAT]  # fmt: skip
    # our own database says so even when the bureau does not
    assert not rules(E.evaluate(report(*two), TERMS, signed_before_in_db=True))[E.RULE_NO_REPEAT]


def test_ombudsman_banking_for_a_bank_or_a_collector_holding_a_bank_loan():
    mfo = bl("A", creditor_kind="mfo")
    assert E.ombudsman_for([mfo, bl("B", creditor_kind="mfo")]) == E.MICROFINANCE
    assert E.ombudsman_for([mfo, bl("B", creditor_kind="bank")]) == E.BANKING
    assert E.ombudsman_for([mfo, bl("C", creditor_kind="collector", original_kind="bank")]) == (
        E.BANKING
    )
    assert E.ombudsman_for([mfo, bl("C", creditor_kind="collector", original_kind="mfo")]) == (
        E.MICROFINANCE
    )
    # an excluded bank loan does not make the case a banking one
    mixed = report(mfo, bl("B", creditor_kind="bank", secured=True), bl("D", creditor_kind="mfo"))
    result = E.evaluate(mixed, TERMS, signed_before_in_db=False)
    assert result.ombudsman == E.MICROFINANCE


def test_category_is_vulnerable_only_when_declared_and_confirmed():
    yes = SocialStatusAnswer(iin="1", vulnerable=False, receives_asp=True, source="gov",
                             checked_at=NOW)  # fmt: skip
    no = SocialStatusAnswer(iin="1", vulnerable=False, receives_asp=False, source="gov",
                            checked_at=NOW)  # fmt: skip
    assert E.category_for(declared_vulnerable=True, status=yes) == E.VULNERABLE
    assert E.category_for(declared_vulnerable=True, status=no) == E.GENERAL
    assert E.category_for(declared_vulnerable=True, status=None) == E.GENERAL
    assert E.category_for(declared_vulnerable=False, status=yes) == E.GENERAL


loans_strategy = st.lists(
    st.builds(
        bl,
        st.sampled_from(["040540001012", "040540002028", "040540003034", "040540004040"]),
        kind=st.sampled_from(["consumer", "car", "mortgage", "business"]),
        secured=st.booleans(),
        creditor_kind=st.sampled_from(["bank", "mfo", "collector"]),
        total=st.integers(min_value=0, max_value=10_000_000_00),
        overdue=st.integers(min_value=0, max_value=1500),
        closed=st.one_of(st.none(), st.just(date(2024, 5, 1))),
        original_kind=st.one_of(st.none(), st.sampled_from(["bank", "mfo"])),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(loans=loans_strategy, bankruptcy=st.booleans(), signed=st.booleans())
def test_property_included_loans_are_open_unsecured_consumer_and_total_is_their_sum(
    loans, bankruptcy, signed
):
    result = E.evaluate(report(*loans, bankruptcy_in_progress=bankruptcy), TERMS,
                        signed_before_in_db=signed)  # fmt: skip
    included = result.included_loans
    for loan in included:
        assert loan.kind == "consumer" and not loan.secured and loan.closed_on is None
    assert result.total_tiyn == sum(loan.total_tiyn for loan in included)
    # every reported loan is accounted for: included, or left out with a reason
    assert len(result.decisions) == len(loans)
    assert all(d.included == (d.exclusion_reason == "") for d in result.decisions)
    assert result.eligible == all(r.passed for r in result.rules)
    if bankruptcy or signed:
        assert not result.eligible
    if result.eligible:
        assert len({loan.creditor_bin for loan in included}) >= TERMS.min_creditors
        assert result.total_tiyn <= TERMS.max_total_tiyn
