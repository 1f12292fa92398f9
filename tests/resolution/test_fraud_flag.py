""" "This loan is not mine": the flag holds the loan out like a dispute, the court decision
writes it off and reaches the credit bureau exactly once, a rejected flag returns the loan."""

import hashlib
from datetime import date

import pytest
from django.http import Http404

from finplatform.errors import ApplicationError, ConflictError
from outbox.models import OutboxMessage
from resolution.models import (
    BureauReport,
    CaseStatus,
    FraudFlagEvent,
    FraudFlagStatus,
    Notification,
)
from resolution.selectors.ombudsman import confirmed_total, plan_debts, provisional_total
from resolution.services import fraud
from resolution.services.decision import approve_case, decide_disputed_loan
from resolution.services.documents import generate_package
from resolution.services.signing import sign_with_eds
from resolution.tasks import correct_credit_history
from schedules.models import CreditorShare, ShareHold
from tests.conftest import run_outbox
from tests.factories import BorrowerFactory
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db
COURT = {"number": "2-1234/2026", "decided_on": date(2026, 11, 20),
         "document": b"%PDF-1.4 court decision", "filename": "decision.pdf"}  # fmt: skip


def _flag(world, index=1):
    return fraud.flag_loan_as_fraud(
        borrower=world.case.borrower, case_loan_id=world.loans[index].pk,
        statement="I never applied for this microcredit; my phone was stolen in May.",
    )  # fmt: skip


def _signed(world):
    answer_all(world, dispute_second=False)
    approve_case(case_id=world.case.pk)
    generate_package(package_id=world.case.package.pk)
    world.case.refresh_from_db()
    iin, package_hash = world.case.borrower.iin, world.case.package.package_hash
    sign_with_eds(
        case_id=world.case.pk,
        signature=hashlib.sha256(f"{iin}:{package_hash}".encode()).hexdigest(),
    )
    world.case.refresh_from_db()  # fmt: skip


def test_flag_holds_the_loan_out_like_a_dispute_and_tells_the_creditor():
    world = awaiting_case()
    flag = _flag(world)
    answer_all(world, dispute_second=False)  # the creditor confirmed it anyway
    world.case.refresh_from_db()
    flagged = world.loans[1]
    flagged.refresh_from_db()
    assert flagged.confirmed_total_tiyn == flagged.bureau_total_tiyn  # its answer is kept
    others = sum(cl.confirmed_total_tiyn for cl in world.case.loans.exclude(pk=flagged.pk))
    assert confirmed_total(world.case) == others  # ... but not counted as confirmed
    assert provisional_total(world.case) == flagged.bureau_total_tiyn
    assert [cl.pk for _, cl, _ in plan_debts(world.case)[1]] == [flagged.pk]
    assert flag.accrual_stopped_on == flag.flagged_at.date()
    notice = Notification.objects.get(template_key="fraud_flagged_creditor", channel="dashboard")
    assert notice.creditor == world.creditors[1]
    assert "K-2-2024" in notice.body
    assert [e.step for e in FraudFlagEvent.objects.filter(flag=flag)] == ["flagged", "held"]
    assert world.case.transitions.filter(reason__startswith="fraud flag").exists()


def test_only_the_cases_own_borrower_can_flag_and_only_once():
    world = awaiting_case()
    stranger = BorrowerFactory()
    with pytest.raises(Http404):
        fraud.flag_loan_as_fraud(borrower=stranger, case_loan_id=world.loans[0].pk,
                                 statement="not mine")  # fmt: skip
    with pytest.raises(ApplicationError) as err:
        fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[0].pk,
                                 statement="   ")  # fmt: skip
    assert err.value.code == "statement_required"
    _flag(world, 0)
    with pytest.raises(ConflictError) as err:
        _flag(world, 0)
    assert err.value.code == "already_flagged"


def test_the_ombudsman_cannot_include_a_flagged_loan_but_may_leave_it_out():
    world = awaiting_case()
    flag = _flag(world)
    answer_all(world, dispute_second=False)
    with pytest.raises(ConflictError) as err:
        decide_disputed_loan(case_loan_id=world.loans[1].pk, include=True, amount_tiyn=100)
    assert err.value.code == "loan_flagged_as_fraud"
    decide_disputed_loan(case_loan_id=world.loans[1].pk, include=False, reason="fraud alleged")
    assert provisional_total(world.case) == 0
    assert "excluded" in [e.step for e in FraudFlagEvent.objects.filter(flag=flag)]


def test_a_court_decision_writes_off_the_held_loan_and_reaches_the_bureau_once(sim, settings):
    world = awaiting_case()
    flag = _flag(world)
    _signed(world)
    assert world.case.status == CaseStatus.ACTIVE
    share = CreditorShare.objects.get(case_loan=world.loans[1])
    assert share.hold == ShareHold.HELD  # in the plan, its share held
    printed = [loan for c in world.case.package.snapshot["creditors"] for loan in c["loans"]]
    assert [(loan["contract"], loan.get("held"), loan.get("fraud")) for loan in printed
            if loan.get("held")] == [("K-2-2024", True, True)]  # fmt: skip
    run_outbox()  # the signing's own follow-ups (procedure started, notices)
    iin = world.case.borrower.iin
    assert sim.corrections(iin) == []

    fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=True, **COURT)
    share.refresh_from_db()
    flag.refresh_from_db()
    world.loans[1].refresh_from_db()
    assert share.hold == ShareHold.EXCLUDED
    assert flag.status == FraudFlagStatus.WRITTEN_OFF
    assert flag.court_document_sha256 == hashlib.sha256(COURT["document"]).hexdigest()
    assert not world.loans[1].included and "2-1234/2026" in world.loans[1].exclusion_reason
    report = BureauReport.objects.get(case_loan=world.loans[1], event="corrected")
    assert OutboxMessage.objects.filter(task_name="resolution.correct_credit_history").count() == 1

    # the bureau's first answer is lost (slower than the client waits): the client retries
    settings.ADAPTER_TIMEOUT_SECONDS = 0.3
    sim.slow("bureau", delay=0.8)
    run_outbox()
    correct_credit_history.apply(args=[report.pk])  # a redelivered task
    report.refresh_from_db()
    assert report.sent_at is not None
    corrections = sim.corrections(iin)
    assert len(corrections) == 1
    assert corrections[0]["court_decision_number"] == "2-1234/2026"
    assert corrections[0]["bureau_reference"]
    steps = [e.step for e in FraudFlagEvent.objects.filter(flag=flag)]
    assert steps == ["flagged", "held", "written_off", "bureau_corrected"]
    with pytest.raises(ConflictError):
        fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=False, **COURT)


def test_a_rejected_flag_returns_the_loan_to_the_creditors_answer():
    world = awaiting_case()
    flag = _flag(world)
    answer_all(world, dispute_second=False)
    before = confirmed_total(world.case)
    fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=False, **COURT)
    world.loans[1].refresh_from_db()
    assert world.loans[1].included
    assert confirmed_total(world.case) == before + world.loans[1].confirmed_total_tiyn
    assert provisional_total(world.case) == 0
    assert not BureauReport.objects.filter(event="corrected").exists()
    steps = [e.step for e in FraudFlagEvent.objects.filter(flag=flag)]
    assert steps == ["flagged", "held", "rejected", "returned"]


def test_a_rejected_flag_after_signing_releases_the_held_share_to_the_creditor():
    world = awaiting_case()
    flag = _flag(world)
    _signed(world)
    share = CreditorShare.objects.get(case_loan=world.loans[1])
    fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=False, **COURT)
    share.refresh_from_db()
    assert share.hold == ShareHold.INCLUDED
    assert share.decided_tiyn == world.loans[1].bureau_total_tiyn


def test_court_decision_needs_its_number_date_and_document():
    world = awaiting_case()
    flag = _flag(world)
    with pytest.raises(ApplicationError) as err:
        fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=True,
                                    **{**COURT, "document": b""})  # fmt: skip
    assert err.value.code == "court_decision_incomplete"
    with pytest.raises(ApplicationError) as err:
        fraud.record_court_decision(flag_id=flag.pk, fraud_confirmed=True,
                                    **{**COURT, "decided_on": date(2099, 1, 1)})  # fmt: skip
    assert err.value.code == "court_date_in_future"
