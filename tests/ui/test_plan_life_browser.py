"""Issue 14 point 6: the development clock drives the whole life of a plan on the real stack
(live server, PostgreSQL, Redis, the Celery worker, Chromium). Business time moves only
through the /dev/clock/ page; each move runs the time sweeps, as `bin/manage clock` does:
a creditor reminded then deemed to confirm, an unsigned package expiring, a due-date
reminder, a payment, a breach on another plan, and this plan paid off with a payoff quote."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings

from finplatform import devclock
from finplatform.clock import business_date
from resolution.models import Case, CaseLoan, CaseStatus, Notification
from resolution.services.decision import approve_case
from resolution.services.signing import issue_signing_code, sign_with_code
from schedules.models import Plan, PlanStatus
from tests.factories import PASSWORD, CaseFactory
from tests.support.ledger import make_plan
from tests.support.workflow import awaiting_case, issued_case
from tests.ui.conftest import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _status(case) -> str:
    return Case.objects.values_list("status", flat=True).get(pk=case.pk)


def _wait_for(case, status, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _status(case) != status:
        assert time.monotonic() < deadline, f"{case} is {_status(case)}, not {status}"
        time.sleep(0.2)


def _move(page, step: str) -> None:
    page.goto("/dev/clock/")
    page.fill("#custom-step", step)
    page.click("#dev-clock form button.button:not(.secondary)")
    page.wait_for_selector("#devclock-bar")


def _pay(page, amount_text: str) -> None:
    page.goto("/portal/schedule/")
    page.fill("input[name=amount]", amount_text)
    page.click("section[aria-labelledby=pay-title] button[type=submit]")
    page.wait_for_url("**/portal/schedule/")


@override_settings(DEV_CLOCK=True)
def test_the_development_clock_drives_a_plan_from_answers_to_completion(
    page_factory, worker, schedule_table, sim
):
    devclock.reset()
    start = business_date()
    main = awaiting_case(language="en")  # three creditors asked, none answers
    unsigned = issued_case(language="en").case  # documents issued, never signed
    late_case = CaseFactory(status=CaseStatus.ACTIVE, borrower__preferred_language="en")
    late_plan, _ = make_plan([30_000_000], case=late_case, first_due=start + timedelta(days=10))
    page = page_factory(language="en", mobile=False)
    _wait_for(unsigned, CaseStatus.DOCUMENTS_ISSUED, timeout=60)  # the worker may render too

    _move(page, "+4d")  # the 72-hour signing window is over
    assert _status(unsigned) == CaseStatus.REFUSED
    assert "Development clock" in page.inner_text("#devclock-bar")

    _move(page, "+15d")  # the creditors' answer deadline passed: reminded
    _move(page, "+2d")  # 24 hours after the reminder: deemed confirmed
    deemed = CaseLoan.objects.filter(case=main.case, confirmation_status="deemed_confirmed")
    assert deemed.count() == 3
    screenshot(page, "plan-life/clock")

    approve_case(case_id=main.case.pk)  # the ombudsman (admin pages have their own tests)
    _wait_for(main.case, CaseStatus.DOCUMENTS_ISSUED, timeout=60)  # the worker renders them
    _, code = issue_signing_code(case_id=main.case.pk)
    sign_with_code(case_id=main.case.pk, code=code)
    plan = Plan.objects.get(case=main.case)
    assert plan.first_due == business_date() + timedelta(days=30)

    page.goto("/login/")
    page.fill("input[name=iin]", main.case.borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/")

    _move(page, "+27d")  # three days before the first due date: a reminder
    reminders = Notification.objects.filter(case=main.case, template_key__contains="reminder")
    assert reminders.exists()
    assert _status(late_case) == CaseStatus.ACTIVE  # 38 days late: not yet breached

    first = plan.instalments.order_by("number").first()
    _pay(page, f"{first.amount_tiyn // 100},{first.amount_tiyn % 100:02d}")
    assert "Payment received" in page.inner_text("main")

    _move(page, "+4d")  # the other plan is now over 40 days late
    _wait_for(late_case, CaseStatus.BREACHED)
    late_plan.refresh_from_db()
    assert late_plan.status == PlanStatus.BREACHED
    assert _status(main.case) == CaseStatus.ACTIVE  # paid on time: goes on

    page.goto("/portal/schedule/payoff/")
    page.click("#get-quote")
    amount = page.inner_text("#quote-amount")
    assert page.inner_text("#quote-state") == "Valid"
    screenshot(page, "plan-life/payoff-quote")
    _pay(page, amount.replace("\u00a0", "").replace("₸", ""))
    _wait_for(main.case, CaseStatus.COMPLETED)
    page.goto("/portal/schedule/payoff/")
    assert page.inner_text("#quote-state") == "Plan paid off"
    screenshot(page, "plan-life/completed")
    devclock.reset()
