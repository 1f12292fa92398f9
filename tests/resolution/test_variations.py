"""Plan variations (issue 14 point 2) on the real stack: ask → propose → objection window
(10 working days, silence is consent, by sweep) → agreement → signature within 72 hours →
the plan's next schedule version. An objection blocks it; a late signature is refused."""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from finplatform.celery import app
from finplatform.errors import ApplicationError, ConflictError, NotFoundError
from resolution.models import Notification, Variation, VariationStatus
from resolution.services import variation_signing as signing
from resolution.services.variations import (
    decline_variation,
    object_to_variation,
    propose_variation,
    request_variation,
)
from schedules.models import ScheduleVersion
from schedules.selectors import plan_state
from schedules.services.payments import book_payment
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.payments import pay

PDF = b"%PDF-1.4 payslip"
ASKED_ON = date(2026, 3, 10)  # a Tuesday


def _world(language="ru"):
    world = active_plan((180_000_000, 120_000_000), language=language)  # 36 months
    world.plan.refresh_from_db()
    return world


def _ask(world, **extra):
    fields = {"kind": "holiday", "holiday_months": 3, **extra}
    return request_variation(case=world.case, reason="lost my job", monthly_income_tiyn=15_000_000,
                             evidence=PDF, evidence_name="payslip.pdf", **fields)  # fmt: skip


def _staff():
    return UserFactory(is_staff=True, email="ombudsman@example.kz")


@pytest.mark.django_db
def test_silence_is_consent_after_ten_working_days_then_signing_makes_the_new_version():
    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = _ask(world)
        variation = propose_variation(variation_id=variation.pk, staff=_staff())
    # 10 working days after Tue 10 March 2026, Nauryz (21–25 March) not counted: the 27th,
    # so the window closes at midnight of the 28th in Almaty
    assert variation.objection_deadline == datetime(2026, 3, 27, 19, tzinfo=UTC)
    proposal = variation.proposal
    assert proposal["before"]["term_months"] == 36 and proposal["after"]["term_months"] == 39
    assert sum(line["amount_tiyn"] for line in proposal["after"]["lines"]) == 300_000_000
    # one minute before the window closes the sweep does nothing; one after, it issues
    with time_machine.travel(datetime(2026, 3, 27, 18, 59, tzinfo=UTC), tick=False):
        assert signing.close_objection_windows() == 0
    with time_machine.travel(datetime(2026, 3, 30, 5, tzinfo=UTC), tick=False):  # a late run
        assert signing.close_objection_windows() == 1
        assert signing.close_objection_windows() == 0  # twice: once
    variation.refresh_from_db()
    assert variation.status == VariationStatus.AWAITING_SIGNATURE
    assert bytes(variation.document).startswith(b"%PDF") and len(variation.document_sha256) == 64
    assert variation.signing_deadline == variation.issued_at + timedelta(hours=72)
    with time_machine.travel(datetime(2026, 3, 31, 5, tzinfo=UTC), tick=False):
        _row, code = signing.issue_code(variation_id=variation.pk)
        with pytest.raises(ApplicationError):
            signing.sign_with_code(variation_id=variation.pk, code="000000" if code != "000000"
                                   else "111111")  # fmt: skip
        signing.sign_with_code(variation_id=variation.pk, code=code, ip="127.0.0.1")
    variation.refresh_from_db()
    world.plan.refresh_from_db()
    assert (variation.status, variation.version_number) == (VariationStatus.SIGNED, 2)
    assert world.plan.term_months == 39
    assert ScheduleVersion.objects.filter(plan=world.plan).count() == 2
    first_new = world.plan.instalments.filter(settled=False).order_by("number").first()
    assert first_new.due_date == date.fromisoformat(proposal["after"]["lines"][0]["due"])
    assert Notification.objects.filter(case=world.case, template_key="variation_signed").exists()
    assert Notification.objects.filter(
        creditor=world.creditors[0], template_key="variation_signed_creditor"
    ).exists()


@pytest.mark.django_db
def test_an_objection_blocks_the_variation_and_the_borrower_and_ombudsman_are_told():
    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = propose_variation(variation_id=_ask(world).pk, staff=_staff())
        with pytest.raises(NotFoundError):  # a creditor outside the plan cannot object
            object_to_variation(creditor=new_creditor(), variation_id=variation.pk, reason="x")
        with pytest.raises(ApplicationError):
            object_to_variation(creditor=world.creditors[1], variation_id=variation.pk, reason=" ")
        object_to_variation(creditor=world.creditors[1], variation_id=variation.pk,
                            reason="the borrower's income is higher")  # fmt: skip
        with pytest.raises(ConflictError):  # the second creditor is too late: blocked already
            object_to_variation(creditor=world.creditors[0], variation_id=variation.pk, reason="y")
    variation.refresh_from_db()
    assert variation.status == VariationStatus.OBJECTED
    with time_machine.travel(almaty_noon(date(2026, 4, 30)), tick=False):
        assert signing.close_objection_windows() == 0
    assert Notification.objects.filter(case=world.case, template_key="variation_objected",
                                       borrower__isnull=False).exists()  # fmt: skip
    assert Notification.objects.filter(template_key="variation_objected_staff",
                                       recipient="ombudsman@example.kz").count() == 1  # fmt: skip
    assert not ScheduleVersion.objects.filter(plan=world.plan).exists()
    # the case may ask again (the blocked one is closed)
    with time_machine.travel(almaty_noon(date(2026, 5, 4)), tick=False):
        assert _ask(world).status == VariationStatus.REQUESTED


@pytest.mark.django_db
def test_an_objection_after_the_window_is_refused_and_a_late_signature_too():
    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = propose_variation(variation_id=_ask(world).pk, staff=_staff())
    with time_machine.travel(datetime(2026, 3, 27, 19, tzinfo=UTC), tick=False):
        with pytest.raises(ConflictError) as closed:
            object_to_variation(creditor=world.creditors[0], variation_id=variation.pk, reason="z")
        assert closed.value.code == "objection_window_closed"
        signing.close_objection_windows()
        _row, code = signing.issue_code(variation_id=variation.pk)
    with time_machine.travel(datetime(2026, 3, 30, 19, tzinfo=UTC), tick=False):  # 72 h later
        with pytest.raises(ConflictError):
            signing.sign_with_code(variation_id=variation.pk, code=code)
        assert signing.expire_unsigned_variations() == 1
        assert signing.expire_unsigned_variations() == 0
    variation.refresh_from_db()
    assert variation.status == VariationStatus.EXPIRED
    world.plan.refresh_from_db()
    assert world.plan.term_months == 36 and not world.plan.versions.exists()


@pytest.mark.django_db
def test_one_open_variation_per_case_and_evidence_must_be_a_document():
    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        with pytest.raises(ApplicationError) as bad:
            request_variation(
                case=world.case,
                kind="holiday",
                holiday_months=2,
                reason="r",
                monthly_income_tiyn=1,
                evidence=b"MZ\x90",
                evidence_name="a.exe",
            )
        assert bad.value.code == "bad_evidence"
        with pytest.raises(ApplicationError) as unknown:
            _ask(world, kind="forgive_everything")
        assert unknown.value.code == "unknown_kind"
        with pytest.raises(ApplicationError) as long_holiday:
            _ask(world, holiday_months=4)
        assert long_holiday.value.code == "bad_holiday"
        first = _ask(world)
        with pytest.raises(ConflictError):
            _ask(world)
        decline_variation(variation_id=first.pk, staff=_staff(), reason="income unchanged")
        assert Variation.objects.get(pk=first.pk).status == VariationStatus.DECLINED


@pytest.mark.django_db
def test_arrears_catch_up_only_before_day_forty_and_it_clears_the_lateness():
    world = _world()
    plan = world.plan
    lines = list(plan.instalments.values_list("number", "due_date", "amount_tiyn"))
    with time_machine.travel(almaty_noon(lines[1][1]), tick=False):
        book_payment(source="t", item=pay("m1", lines[0][2], lines[0][1], plan=plan))
    late_day = lines[1][1] + timedelta(days=12)  # month 2 unpaid, 12 days late
    with time_machine.travel(almaty_noon(late_day), tick=False):
        assert 0 < plan_state(plan).days_late < 40
        variation = _ask(world, kind="catch_up", holiday_months=0, catch_up_months=4)
        variation = propose_variation(variation_id=variation.pk, staff=_staff())
    after = variation.proposal["after"]["lines"]
    regular = plan.monthly_tiyn
    assert [line["amount_tiyn"] > regular for line in after[:4]] == [True] * 4
    assert variation.proposal["after"]["term_months"] == 36  # the term does not grow
    with time_machine.travel(variation.objection_deadline + timedelta(minutes=1), tick=False):
        signing.close_objection_windows()
        _row, code = signing.issue_code(variation_id=variation.pk)
        signing.sign_with_code(variation_id=variation.pk, code=code)
        plan.refresh_from_db()
        assert plan_state(plan).days_late == 0  # the arrears are now in the coming months
    # too late for a catch-up: over 40 days
    world2 = _world()
    lines2 = list(world2.plan.instalments.values_list("due_date", flat=True))
    with time_machine.travel(almaty_noon(lines2[0] + timedelta(days=45)), tick=False):
        with pytest.raises(ConflictError) as late:
            _ask(world2, kind="catch_up", holiday_months=0)
        assert late.value.code == "catch_up_not_allowed"


@pytest.mark.slow
@pytest.mark.worker
def test_the_real_worker_deems_consent_and_issues_the_agreement(worker):
    world = _world()
    with transaction.atomic():
        variation = propose_variation(variation_id=_ask(world).pk, staff=_staff())
    # the worker runs on the real clock: close the window as if 10 working days had passed
    Variation.objects.filter(pk=variation.pk).update(
        objection_deadline=datetime.now(UTC) - timedelta(minutes=1)
    )
    app.send_task("resolution.sweep_variations")
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        variation.refresh_from_db()
        if variation.status == VariationStatus.AWAITING_SIGNATURE:
            break
        time.sleep(0.3)
    assert variation.status == VariationStatus.AWAITING_SIGNATURE
    assert bytes(variation.document).startswith(b"%PDF")


@pytest.mark.django_db
def test_a_missed_line_of_the_new_version_is_notified_though_its_number_was_used_before():
    from resolution.services.reminders import sweep_payment_notices

    world = _world()
    plan = world.plan
    lines = list(plan.instalments.values_list("number", "due_date", "amount_tiyn"))
    book_payment(source="t", item=pay("m1", lines[0][2], lines[0][1], plan=plan))
    missed = Notification.objects.filter(case=world.case, template_key="payment_missed",
                                         channel="sms")  # fmt: skip
    late_day = lines[1][1] + timedelta(days=12)
    with time_machine.travel(almaty_noon(late_day), tick=False):
        sweep_payment_notices()
        assert missed.count() == 1  # instalment 2
        variation = _ask(world, kind="catch_up", holiday_months=0, catch_up_months=2)
        variation = propose_variation(variation_id=variation.pk, staff=_staff())
    with time_machine.travel(variation.objection_deadline + timedelta(minutes=1), tick=False):
        signing.close_objection_windows()
        _row, code = signing.issue_code(variation_id=variation.pk)
        signing.sign_with_code(variation_id=variation.pk, code=code)
    first_new = plan.instalments.filter(settled=False).order_by("number").first()
    assert first_new.number == 2  # the new timetable reuses the number
    with time_machine.travel(almaty_noon(first_new.due_date + timedelta(days=12)), tick=False):
        sweep_payment_notices()
    assert missed.count() == 2


@pytest.mark.django_db
def test_an_eds_over_the_agreement_hash_signs_and_one_over_anything_else_does_not():
    from tests.resolution.test_locks_and_adapters import eds_signature

    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = propose_variation(variation_id=_ask(world).pk, staff=_staff())
    with time_machine.travel(variation.objection_deadline, tick=False):
        signing.close_objection_windows()
        variation.refresh_from_db()
        iin = world.case.borrower.iin
        with pytest.raises(ApplicationError) as bad:
            signing.sign_with_eds(variation_id=variation.pk,
                                  signature=eds_signature(iin, "another document"))  # fmt: skip
        assert bad.value.code == "eds_invalid"
        signing.sign_with_eds(variation_id=variation.pk,
                              signature=eds_signature(iin, variation.document_sha256))  # fmt: skip
    variation.refresh_from_db()
    assert (variation.status, variation.signature_method) == (VariationStatus.SIGNED, "eds")
    assert variation.eds_signature == eds_signature(iin, variation.document_sha256)


@pytest.mark.django_db
def test_the_borrower_is_reminded_24_and_2_hours_before_the_agreement_expires_once_each():
    world = _world()
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = propose_variation(variation_id=_ask(world).pk, staff=_staff())
    with time_machine.travel(variation.objection_deadline, tick=False):
        signing.close_objection_windows()
    variation.refresh_from_db()
    reminders = Notification.objects.filter(template_key="variation_signing_reminder",
                                            channel="sms")  # fmt: skip
    with time_machine.travel(variation.signing_deadline - timedelta(hours=30), tick=False):
        assert signing.remind_unsigned_variations() == 0
    with time_machine.travel(variation.signing_deadline - timedelta(hours=23), tick=False):
        signing.remind_unsigned_variations()
        signing.remind_unsigned_variations()
    assert reminders.count() == 1
    with time_machine.travel(variation.signing_deadline - timedelta(hours=1), tick=False):
        signing.remind_unsigned_variations()
    assert reminders.count() == 2
