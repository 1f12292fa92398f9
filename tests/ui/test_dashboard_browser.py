"""The creditor dashboard in a real browser: deadlines coloured (overdue red, under 24 hours
amber), the cases awaiting an answer on top, bulk selection counted as boxes are ticked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from resolution.models import CreditorRequest
from tests.factories import PASSWORD, CaseLoanFactory, LoanFactory
from tests.support.workflow import awaiting_case
from tests.ui.conftest import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_deadlines_are_coloured_and_bulk_selection_counts(page_factory, language):
    world = awaiting_case()
    creditor, officer = world.creditors[0], world.staff[0]
    officer.creditor_staff.preferred_language = language  # the dashboard opens in it
    officer.creditor_staff.save(update_fields=["preferred_language"])
    now = timezone.now()
    for hours in (-3, 5):  # one answer overdue, one due within the day
        other = awaiting_case()
        loan = LoanFactory(creditor=creditor, borrower_iin=other.case.borrower.iin)
        CaseLoanFactory(case=other.case, loan=loan)
        CreditorRequest.objects.create(case=other.case, creditor=creditor, sent_at=now,
                                       deadline=now + timedelta(hours=hours))  # fmt: skip
    page = page_factory(language=language, mobile=False)
    page.goto("/staff/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/creditor/")
    rows = page.locator("#pending tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("class") for i in range(3)] == ["overdue", "soon", ""]
    red, amber = background(page, "#pending tr.overdue td"), background(page, "#pending tr.soon td")
    plain = background(page, "#pending tbody tr:not(.overdue):not(.soon) td")
    assert len({red, amber, plain}) == 3  # three different colours
    assert page.locator("#cases tbody tr").first.get_attribute("class") == "overdue needs-action"
    page.locator("#pending input[name=case_loan]").nth(0).check()
    page.locator("#pending input[name=case_loan]").nth(1).check()
    assert page.locator("[data-selected-count]").inner_text() == "2"
    assert page.eval_on_selector("#select-all", "e => e.indeterminate")
    screenshot(page, f"{language}/12-creditor-deadlines")
