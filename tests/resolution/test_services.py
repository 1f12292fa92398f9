"""The application and check services in-process (the simulator over HTTP, no worker)."""

import pytest
from django.utils import timezone

from borrowers.models import SocialStatus
from bureau_gateway.simulator.open_world import UNKNOWN
from finplatform.errors import ApplicationError
from outbox.models import OutboxMessage
from resolution.models import (
    CaseLoan,
    CaseStatus,
    CaseTransition,
    CheckState,
    EligibilityCheck,
    EligibilityPolicy,
)
from resolution.rules import RULE_LOAN_KINDS, RULE_TOTAL_CAP
from resolution.services import eligibility as services
from tests.factories import BorrowerFactory, CaseFactory
from tests.support.bureau import loan, open_world_iin, org

pytestmark = pytest.mark.django_db


def _submit(borrower, **overrides):
    kwargs = dict(borrower=borrower, consent=True, declared_vulnerable=False,
                  declared_monthly_income_tiyn=250_000_00, actor=borrower.user)  # fmt: skip
    kwargs.update(overrides)
    return services.submit_application(**kwargs)


def test_submit_enqueues_the_check_after_commit(
    identified_borrower, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = _submit(identified_borrower)
    assert case.status == CaseStatus.SUBMITTED and case.submitted_at is not None
    assert case.data_consent_at is not None and case.declared_monthly_income_tiyn == 250_000_00
    assert len(callbacks) == 1
    # recorded in the outbox in the same transaction; published by the after-commit callback
    message = OutboxMessage.objects.get(dedup_key=f"eligibility:{case.pk}")
    assert message.task_name == "resolution.tasks.run_eligibility_check"
    assert message.args == [str(case.pk)] and message.dispatched_at is None
    assert callbacks[0].args == (message.pk, message.task_name, [str(case.pk)])


def test_unidentified_borrower_and_missing_consent_are_refused():
    with pytest.raises(ApplicationError) as exc:
        _submit(BorrowerFactory())
    assert exc.value.code == "not_identified"
    borrower = BorrowerFactory(identified_at=timezone.now())
    with pytest.raises(ApplicationError) as exc:
        _submit(borrower, consent=False)
    assert exc.value.code == "consent_required"
    assert not borrower.cases.exists()


def test_second_application_is_refused_but_allowed_after_an_ineligible_one(identified_borrower):
    first = _submit(identified_borrower)
    with pytest.raises(ApplicationError) as exc:
        _submit(identified_borrower)
    assert exc.value.message == services.MSG_ALREADY_APPLIED
    assert identified_borrower.cases.count() == 1
    first.status = CaseStatus.INELIGIBLE
    first.save()
    assert _submit(identified_borrower).pk != first.pk


def test_signed_procedure_in_the_past_blocks_a_new_application(identified_borrower):
    CaseFactory(borrower=identified_borrower, status=CaseStatus.COMPLETED)
    with pytest.raises(ApplicationError) as exc:
        _submit(identified_borrower)
    assert exc.value.code == "application_exists"


def _loan_list_messages(case):
    return OutboxMessage.objects.filter(task_name="resolution.send_loan_lists", args=[str(case.pk)])


def test_running_the_check_twice_gives_one_result_and_announces_once(
    identified_borrower, sim, django_capture_on_commit_callbacks
):
    sim.put_report(identified_borrower.iin, [loan(org("mfo")), loan(org("mfo"))])
    case = _submit(identified_borrower)
    with django_capture_on_commit_callbacks() as callbacks:
        services.run_eligibility_check(case_id=case.pk)
    with django_capture_on_commit_callbacks():
        again = services.run_eligibility_check(case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_CREDITORS and case.ombudsman == "microfinance"
    assert again.state == CheckState.DONE and again.attempts == 1
    assert CaseLoan.objects.filter(case=case).count() == 2
    assert CaseTransition.objects.filter(case=case, to_status="awaiting_creditors").count() == 1
    # the loan lists are written to the outbox with the result, once, and published after
    # COMMIT by the first run's callback
    message = _loan_list_messages(case).get()
    assert message.dedup_key == f"loan-lists:{case.pk}" and message.dispatched_at is None
    assert [c.args for c in callbacks] == [(message.pk, message.task_name, [str(case.pk)])]


def test_ineligible_case_is_not_announced(
    identified_borrower, sim, django_capture_on_commit_callbacks
):
    sim.put_report(identified_borrower.iin, [loan(org("mfo"))])
    case = _submit(identified_borrower)
    with django_capture_on_commit_callbacks() as callbacks:
        services.run_eligibility_check(case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE and not _loan_list_messages(case).exists()
    assert callbacks == []


def test_declared_vulnerable_is_verified_with_government_data(sim):
    confirmed, refused = (BorrowerFactory(identified_at=timezone.now()) for _ in range(2))
    for borrower in (confirmed, refused):
        sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    sim.set_social(confirmed.iin, asp=True)
    sim.set_social(refused.iin, asp=False)
    for borrower in (confirmed, refused):
        case = _submit(borrower, declared_vulnerable=True)
        services.run_eligibility_check(case_id=case.pk)
    confirmed_case, refused_case = confirmed.cases.get(), refused.cases.get()
    confirmed.refresh_from_db()
    refused.refresh_from_db()
    assert confirmed_case.category == "vulnerable" and confirmed.social_status == SocialStatus.ASP
    assert confirmed.social_status_verified_at is not None
    assert refused_case.category == "general" and refused.social_status == SocialStatus.NONE
    assert refused_case.eligibility_check.social_status_confirmed is False


def test_the_newest_policy_version_decides(identified_borrower, sim):
    sim.put_report(identified_borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    old = EligibilityPolicy.objects.create()
    strict = EligibilityPolicy.objects.create(max_total_tiyn=100_000_00, note="tighter cap")
    case = _submit(identified_borrower)
    check = services.run_eligibility_check(case_id=case.pk)
    case.refresh_from_db()
    assert check.policy == strict and check.policy != old
    assert case.status == CaseStatus.INELIGIBLE
    assert not check.outcomes.get(rule=RULE_TOTAL_CAP).passed


def test_borrower_unknown_to_the_bureau_is_ineligible_with_a_reason(identified_borrower, sim):
    identified_borrower.iin = open_world_iin(UNKNOWN)  # nobody the bureau knows
    identified_borrower.save(update_fields=["iin"])
    case = _submit(identified_borrower)
    check = services.run_eligibility_check(case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE
    outcome = check.outcomes.get(rule=RULE_LOAN_KINDS)
    assert not outcome.passed and "None of your 0 loans" in outcome.reason_text


def test_final_attempt_with_the_bureau_down_records_the_failure(identified_borrower, sim):
    sim.put_report(identified_borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    case = _submit(identified_borrower)
    sim.fault("bureau", "down", count=3)
    check = services.run_eligibility_check(case_id=case.pk, final_attempt=True)
    assert check.state == CheckState.ERROR and check.error_code == "unavailable"
    assert EligibilityCheck.objects.get(case=case).eligible is None


def test_sweep_re_enqueues_only_stalled_checks(
    identified_borrower, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine

    from tests.factories import BorrowerFactory

    lost = _submit(identified_borrower)  # its enqueue never ran (no commit in this test)
    gave_up, malformed, also_lost = (
        _submit(BorrowerFactory(identified_at=timezone.now())) for _ in range(3)
    )
    for case, code in ((gave_up, "unavailable"), (malformed, "malformed_response")):
        services.begin_eligibility_check(case_id=case.pk)
        EligibilityCheck.objects.filter(case=case).update(state=CheckState.ERROR, error_code=code)
    later = timezone.now() + services.STALLED_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        fresh_case = _submit(BorrowerFactory(identified_at=timezone.now()))
        with django_capture_on_commit_callbacks() as callbacks:
            resumed = services.resume_stalled_checks()
    assert sorted(resumed) == sorted([str(lost.pk), str(gave_up.pk), str(also_lost.pk)])
    assert str(malformed.pk) not in resumed and str(fresh_case.pk) not in resumed
    assert sorted(c.args[2][0] for c in callbacks) == sorted(resumed)


def test_database_refuses_a_done_check_without_result_and_a_zero_cap(identified_borrower):
    from django.db import IntegrityError, transaction

    case = _submit(identified_borrower)
    check = services.begin_eligibility_check(case_id=case.pk)
    with pytest.raises(IntegrityError, match="eligibilitycheck_done_has_result"):
        with transaction.atomic():
            EligibilityCheck.objects.filter(pk=check.pk).update(state=CheckState.DONE)
    policy = EligibilityPolicy.objects.create()
    with pytest.raises(IntegrityError, match="eligibilitypolicy_cap_positive"):
        with transaction.atomic():
            EligibilityPolicy.objects.filter(pk=policy.pk).update(max_total_tiyn=0)
