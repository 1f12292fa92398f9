"""A newcomer alone, in a real browser on a 390×844 phone (issue 15): from the front page with a
brand-new random IIN that is in no demo data, through registration (the phone typed as people
write it, "8 701 234 56 78"), the phone proved by the SMS code read on the dev inbox page,
identification (ЦОИД biometrics: the page shows the liveness challenge and its camera stand-in
answers it, as in the journey test; the open world knows the person's face — the SMS code alone
identifies nobody) and the application, to the eligibility verdict — without any call to a
simulator control endpoint, with no sideways scrolling and no serious or critical axe-core
violation on any page it visits; and a bureau failure, forced by the open world's IIN rule
(README, "Trying it as a newcomer"), that ends in a next step with the polling stopped.
Screenshots: test-artifacts/screenshots/newcomer/, and the README's in docs/screenshots/."""

import time

import pytest
from django.utils import timezone

from borrowers.models import Borrower
from bureau_gateway.simulator import open_world
from resolution.models import Case, CaseStatus, CheckState, EligibilityCheck
from tests.factories import PASSWORD, BorrowerFactory, CaseFactory
from tests.support.bureau import open_world_iin, random_open_world_iin
from tests.ui.conftest import (
    axe_violations,
    code_from_dev_inbox,
    keep_for_readme,
    no_sideways_scroll,
    screenshot,
)

pytestmark = [pytest.mark.slow]
TYPED_PHONE, PHONE = "8 701 234 56 78", "+77012345678"


def _no_sideways_scroll(page) -> bool:
    return no_sideways_scroll(page)


def _checked(page, what: str) -> None:
    """Every page the newcomer sees: fits the phone's width, no serious axe violation."""
    assert no_sideways_scroll(page), f"{what}: wider than the screen"
    assert axe_violations(page) == [], what


@pytest.mark.worker
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_newcomer_gets_from_the_front_page_to_a_verdict(language, worker, page_factory):
    iin = random_open_world_iin()
    assert not Borrower.objects.filter(iin=iin).exists()
    page = page_factory(language=language)
    control_calls = []
    page.context.on("request", lambda r: control_calls.append(r.url) if "/_control/" in r.url
                    else None)  # fmt: skip
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#who-qualifies li").count() == 4
    _checked(page, "front page")
    keep_for_readme(screenshot(page, f"newcomer/{language}-01-front"), f"{language}-front")

    page.click("#front-register")
    page.wait_for_url("**/portal/register/")
    page.fill("input[name=iin]", iin)
    page.fill("input[name=full_name]", "Жаңа Келген Адам")
    page.fill("input[name=phone]", TYPED_PHONE)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    page.check("input[name=consent]")
    _checked(page, "registration")
    page.click("form button[type=submit].primary")

    # the phone: the code texted to it, read where a person with bin/dev reads it
    page.wait_for_url("**/portal/register/identify/")
    page.wait_for_selector("#phone-code")
    _checked(page, "phone code")
    screenshot(page, f"newcomer/{language}-02-phone-code")
    code = code_from_dev_inbox(page, PHONE, check=lambda inbox: _checked(inbox, "dev inbox"))
    page.fill("input[name=code]", code)
    page.click("button[name=action][value=confirm_phone]")
    page.wait_for_selector("button[name=method][value=biometric]")
    assert not Borrower.objects.filter(iin=iin).exists()  # the code identified nobody
    _checked(page, "identification methods")

    page.click("button[name=method][value=biometric]")
    page.wait_for_selector(".liveness-movements")
    _checked(page, "liveness challenge")
    screenshot(page, f"newcomer/{language}-03-identify")
    page.click("button[name=action][value=identify]")

    page.wait_for_url("**/portal/apply/")
    assert Borrower.objects.get(iin=iin).phone == PHONE
    page.fill("input[name=declared_monthly_income]", "380 000")
    page.check("input[name=consent]")
    _checked(page, "application")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/portal/cases/*/")
    _checked(page, "case while checking")
    page.wait_for_selector("ul.rules", state="attached", timeout=60_000)  # the verdict
    case = Case.objects.get(borrower__iin=iin)
    assert case.status not in (CaseStatus.SUBMITTED, CaseStatus.CHECKING)
    assert page.locator("ul.rules li.fail").count() == 0  # the open world's ordinary person
    # the polling stops: a page shows the outcomes only once the check is no longer running
    assert page.locator("[data-status-url]").count() == 0
    _checked(page, "verdict")
    screenshot(page, f"newcomer/{language}-04-verdict")
    assert control_calls == []  # the browser never touched a simulator control endpoint


@pytest.mark.worker
def test_a_bureau_failure_ends_in_a_next_step_and_the_polling_stops(worker, page_factory):
    borrower = BorrowerFactory(iin=open_world_iin(open_world.MALFORMED, year=1993),
                               identified_at=timezone.now(), preferred_language="ru")  # fmt: skip
    page = page_factory(language="ru")
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "status.json" in r.url else None)
    page.goto("/login/")
    page.fill("input[name=iin]", borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].primary")
    page.goto("/portal/apply/")
    page.fill("input[name=declared_monthly_income]", "380000")
    page.check("input[name=consent]")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/portal/cases/*/")
    page.wait_for_selector("#next-step", timeout=60_000)
    assert page.locator("#retry-check button").count() == 1
    assert page.locator("[data-status-url]").count() == 0  # polling stops
    check = EligibilityCheck.objects.get(case__borrower=borrower)
    assert check.state == CheckState.ERROR
    seen = len(polls)
    time.sleep(4)
    assert len(polls) == seen  # nothing polls a check that gave up
    assert _no_sideways_scroll(page)
    keep_for_readme(screenshot(page, "newcomer/ru-05-next-step"), "ru-next-step")


def test_polling_backs_off_and_stops_with_a_come_back_later(
    transactional_db, page_factory, settings
):
    settings.PORTAL_POLL_STOP_SECONDS = 5
    borrower = BorrowerFactory(identified_at=timezone.now(), preferred_language="kk")
    case = CaseFactory(borrower=borrower, status=CaseStatus.CHECKING, submitted_at=timezone.now())
    EligibilityCheck.objects.create(case=case, started_at=timezone.now(), state=CheckState.RUNNING)
    page = page_factory(language="kk")
    polls = []
    page.on("request", lambda r: polls.append(time.monotonic()) if "status.json" in r.url else None)
    page.goto("/login/")
    page.fill("input[name=iin]", borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].primary")
    page.goto(f"/portal/cases/{case.reference}/")
    page.wait_for_selector("[data-polling=stopped]", state="attached", timeout=20_000)
    assert page.locator("[data-poll-stopped]").is_visible()
    gaps = [b - a for a, b in zip(polls, polls[1:], strict=False)]
    assert 2 <= len(polls) <= 4, polls  # 1.5 s, 3 s: a growing wait, not every 1.5 s
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False))
    seen = len(polls)
    time.sleep(4)
    assert len(polls) == seen
    screenshot(page, "newcomer/kk-06-polling-stopped")
