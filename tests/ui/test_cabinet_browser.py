"""A borrower signs in, switches language and files a complaint, in a real browser."""

import pytest

from borrowers.models import Complaint
from tests.factories import PASSWORD, BorrowerFactory, LoanFactory
from tests.ui.conftest import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_borrower_signs_in_and_files_a_complaint(page_factory, language):
    borrower = BorrowerFactory(preferred_language=language)
    LoanFactory(borrower_iin=borrower.iin, contract_number="AB-77",
                principal_tiyn=123_456_789, interest_tiyn=0, penalty_tiyn=0)  # fmt: skip
    page = page_factory(language=language)

    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"login-{language}")
    page.fill("input[name=iin]", "123")
    page.fill("input[name=password]", "x")
    page.click("button[type=submit].primary")
    assert page.locator(".field-error").count() >= 1  # wrong IIN shape: said next to the field

    page.fill("input[name=iin]", borrower.iin)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/")
    body = page.inner_text("main")
    assert "AB-77" in body
    assert "1\u00a0234\u00a0567,89\u00a0₸" in body  # money as 1 234 567,89 ₸
    screenshot(page, f"cabinet-{language}")

    page.click("a[href='/portal/complaints/']")
    page.fill("input[name=subject]", "Төлем көрінбейді / Платёж не виден")
    page.fill("textarea[name=body]", "28 қарашада төледім. Я оплатила 28 ноября.")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/portal/complaints/*/")
    complaint = Complaint.objects.get(borrower=borrower)
    assert complaint.language == language
    assert complaint.subject in page.inner_text("main")
    screenshot(page, f"complaint-{language}")
