"""Every borrower page fits a 360 px wide phone: nothing sticks out sideways (wide tables
scroll inside their own box), the stepper is there, and keyboard focus is visible."""

from datetime import date

import pytest
from django.utils import timezone

from resolution.models import CaseStatus
from tests.factories import PASSWORD, BorrowerFactory, CaseFactory
from tests.support.ledger import ensure_default_table, make_plan
from tests.support.workflow import issued_case
from tests.ui.conftest import axe_violations, keep_for_readme, screenshot

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
        assert axe_violations(page) == [], url
    # documents on a phone: a summary per document, the PDF as a download, no iframe
    page.goto(f"/portal/cases/{world.case.pk}/documents/")
    count = world.case.package.documents.count()
    assert page.locator("dl.doc-summary").count() == count
    assert page.locator("iframe").count() == 0
    assert page.locator("details.doc a[download]").count() == count
    page.locator("dl.doc-summary").first.scroll_into_view_if_needed()
    keep_for_readme(screenshot(page, "phone-document-summary", full_page=False),
                    "kk-phone-document-summary")  # fmt: skip
    # a wide screen gets the PDF preview of the open document
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_selector("details.doc[open] iframe", state="attached")
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
    assert axe_violations(page) == []
    # the instalments table is one card per row, every cell labelled
    first_row = page.locator("table.stack tbody tr").first
    assert page.eval_on_selector("table.stack thead", "e => e.getBoundingClientRect().height") <= 1
    assert first_row.evaluate("e => getComputedStyle(e).display") == "block"
    # payment instructions: the details, a QR code and a working copy button
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    section = page.locator("#pay-details")
    assert case.reference in section.inner_text()
    assert section.locator("svg.qr").count() == 1
    section.locator("button[data-copy-text]").click()
    assert case.reference in page.evaluate("navigator.clipboard.readText()")
    section.scroll_into_view_if_needed()
    keep_for_readme(screenshot(page, "phone-payment-instructions", full_page=False),
                    "ru-phone-payment-instructions")  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_sign_in_registration_identification_and_apply_pass_axe(page_factory, language):
    page = open_at_360(page_factory, language)
    for url in ("/login/", "/portal/register/", "/portal/forgot-password/"):
        page.goto(url)
        assert overflow(page) == [], url
        assert axe_violations(page) == [], url
    page.goto("/portal/register/")
    page.fill("input[name=iin]", "12345")
    page.fill("input[name=phone]", "8 701 234 56 78")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_again]", PASSWORD)
    page.click("form button[type=submit].primary")
    assert page.locator(".field-error").count() >= 1
    assert page.input_value("input[name=password]") == PASSWORD  # kept for the second try
    assert axe_violations(page) == [], "register with errors"
    newcomer = BorrowerFactory(identified_at=None, preferred_language=language)
    sign_in_anywhere(page, newcomer)
    for url in ("/portal/", "/portal/identify/"):
        page.goto(url)
        assert overflow(page) == [], url
        assert axe_violations(page) == [], url
    newcomer.identified_at = timezone.now()
    newcomer.save(update_fields=["identified_at"])
    page.goto("/portal/apply/")
    assert overflow(page) == []
    assert axe_violations(page) == [], "apply"


def sign_in_anywhere(page, borrower):
    page.goto("/login/")
    page.fill("input[name=iin]", borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


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
