"""The ombudsman's clerk on a 1366 px laptop (issue 15, point 11): the review queue lists the
case waiting for the ombudsman with its review link on screen, headed in Russian, and after a
decision the review page shows the new status."""

import re

import pytest

from resolution.models import CaseStatus
from tests.factories import PASSWORD
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.workflow import answer_all, awaiting_case
from tests.ui.conftest import screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_review_link_on_screen_at_1366_and_new_status_after_a_decision(page_factory):
    ready, waiting = awaiting_case(), awaiting_case()
    answer_all(ready, dispute_second=False)
    clerk = ombudsman_user(ready.case.ombudsman, "ru")
    page = page_factory(language="ru", mobile=False)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/admin/login/")
    page.fill("input[name=username]", clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto("/admin/resolution/reviewqueuecase/")
    body = page.inner_text("body")
    assert ready.case.reference in body and waiting.case.reference not in body
    assert "Выберите" not in body
    headers = page.inner_text("#result_list thead")
    assert not re.search(r"[A-Za-z]{3,}", headers), headers  # no "BORROWER"
    link = page.locator("#result_list a[href$='/review/']").first
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366 and link.is_visible()
    screenshot(page, "ombudsman/ru-review-queue-1366", full_page=False)
    link.click()
    page.wait_for_url("**/review/")
    assert page.locator(f'#case-status [data-status="{CaseStatus.UNDER_REVIEW}"]').count() == 1
    page.fill("form:has(input[name=action][value=reject]) textarea[name=reason]", "Проверка")
    page.click("form:has(input[name=action][value=reject]) input[type=submit]")
    page.wait_for_selector(f'#case-status [data-status="{CaseStatus.REJECTED}"]')
    assert ready.case.reference in page.inner_text(".messagelist")
    screenshot(page, "ombudsman/ru-after-decision", full_page=False)
