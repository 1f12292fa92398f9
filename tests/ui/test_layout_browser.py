"""Every borrower page fits a 360 px wide phone: nothing sticks out sideways (wide tables
scroll inside their own box), the stepper is there, and keyboard focus is visible."""

from datetime import date

import pytest
from django.utils import timezone

from resolution.models import CaseStatus
from tests.factories import PASSWORD, BorrowerFactory, CaseFactory
from tests.support.ledger import ensure_default_table, make_plan
from tests.support.workflow import issued_case

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def sign_in(page, borrower):
    page.goto("/login/")
    page.fill("input[name=iin]", borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/")


def overflow(page) -> list:
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().width > 1
                    && e.getBoundingClientRect().right > 361)
            .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )


def open_at_360(page_factory, language="kk"):
    page = page_factory(language=language)
    page.set_viewport_size({"width": 360, "height": 780})
    return page


def test_issued_case_pages_fit_a_360px_phone(page_factory):
    ensure_default_table()  # transactional tests that ran before flushed the data migration
    world = issued_case(language="kk")
    borrower = world.case.borrower
    borrower.identified_at = timezone.now()
    borrower.save(update_fields=["identified_at"])
    page = open_at_360(page_factory)
    sign_in(page, borrower)
    for url in ("/portal/", f"/portal/cases/{world.case.reference}/",
                f"/portal/cases/{world.case.pk}/documents/", "/portal/complaints/"):  # fmt: skip
        page.goto(url)
        assert page.locator("ol.stepper li").count() == 8, url
        assert overflow(page) == [], url
    page.keyboard.press("Tab")  # the skip link comes first and shows when focused
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.eval_on_selector(".skip-link", "e => e.getBoundingClientRect().left") >= 0


def test_schedule_fits_a_360px_phone(page_factory):
    borrower = BorrowerFactory(identified_at=timezone.now(), preferred_language="ru")
    case = CaseFactory(borrower=borrower, status=CaseStatus.ACTIVE)
    make_plan([900_000_00, 400_000_00, 150_000_00], case=case, first_due=date(2026, 12, 20))
    page = open_at_360(page_factory, "ru")
    sign_in(page, borrower)
    page.goto("/portal/schedule/")
    assert page.locator("svg.instalments rect.left").count() == case.plan.term_months
    assert overflow(page) == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_check_in_progress_shows_progress_and_refreshes_by_itself(page_factory, language):
    from tests.ui.conftest import screenshot

    borrower = BorrowerFactory(identified_at=timezone.now(), preferred_language=language)
    case = CaseFactory(borrower=borrower, status=CaseStatus.CHECKING)
    page = page_factory(language=language)
    sign_in(page, borrower)
    with page.expect_response(lambda r: r.url.endswith("/status.json")) as polled:
        page.goto(f"/portal/cases/{case.reference}/")
        assert page.locator("#check-progress .spinner").is_visible()
        screenshot(page, f"{language}/03b-check-in-progress", full_page=False)
    assert polled.value.json()["checking"] is True
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.INELIGIBLE)
    page.wait_for_selector("#check-progress", state="detached", timeout=10_000)
    assert page.locator("ol.stepper li.failed").count() == 1
