"""The ombudsman's analytics page in a real browser (desktop): five SVG charts drawn by the
server render under the CSP (no script, nothing from elsewhere), the figures are scoped to the
queue, the CSV link downloads. The screenshot is the README's (docs/screenshots/)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from finplatform.clock import business_date
from resolution.models import CaseStatus, CreditorRequest, DocumentPackage, Signature
from schedules.models import Plan, PlanStatus
from schedules.services.payments import book_payment
from tests.factories import PASSWORD, CaseFactory, CreditorFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.ledger import make_plan
from tests.support.payments import pay
from tests.ui.conftest import keep_for_readme, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# how many cases of the bank queue are in each status now
STATUSES = {CaseStatus.INELIGIBLE: 5, CaseStatus.AWAITING_CREDITORS: 4, CaseStatus.UNDER_REVIEW: 3,
            CaseStatus.REJECTED: 1, CaseStatus.DOCUMENTS_ISSUED: 1, CaseStatus.REFUSED: 2,
            CaseStatus.ACTIVE: 6, CaseStatus.COMPLETED: 2, CaseStatus.BREACHED: 1}  # fmt: skip
ANSWER_HOURS = {"Alem Bank": [6, 20, 30], "Tez Credit": [50, 70, 110], "Kepil MFO": [2, 4, 9]}


def _month_back(months: int):
    day = business_date().replace(day=10)
    for _ in range(months):
        day = (day.replace(day=1) - timedelta(days=1)).replace(day=10)
    return day


def _queue(ombudsman: str) -> None:
    creditors = {name: CreditorFactory(name=name) for name in ANSWER_HOURS}
    now = timezone.now()
    n = 0
    for status, count in STATUSES.items():
        for _ in range(count):
            case = CaseFactory(ombudsman=ombudsman, status=status)
            if status in (CaseStatus.ACTIVE, CaseStatus.COMPLETED, CaseStatus.BREACHED):
                plan, _c = make_plan([20_000_000], case=case)
                Plan.objects.filter(pk=plan.pk).update(status=PlanStatus(status.value))
                for back in range(n % 5, 7):
                    key = f"{ombudsman}-{case.pk}-{back}"
                    book_payment(source="bank", item=pay(key, 400_000 + 50_000 * back,
                                                         _month_back(back), plan=plan))  # fmt: skip
            if status in (CaseStatus.DOCUMENTS_ISSUED, CaseStatus.REFUSED, CaseStatus.ACTIVE,
                          CaseStatus.COMPLETED, CaseStatus.BREACHED):  # fmt: skip
                package = DocumentPackage.objects.create(case=case, snapshot={}, language="ru",
                                                         issued_at=now)  # fmt: skip
                if status not in (CaseStatus.DOCUMENTS_ISSUED, CaseStatus.REFUSED):
                    Signature.objects.create(package=package, method="sms", package_hash="x",
                                             document_hashes={}, signed_at=now)  # fmt: skip
            if status != CaseStatus.INELIGIBLE:
                name = list(ANSWER_HOURS)[n % 3]
                hours = ANSWER_HOURS[name][n % 3]
                answered = None if status == CaseStatus.AWAITING_CREDITORS else hours
                sent = now - timedelta(days=10)
                CreditorRequest.objects.create(
                    case=case, creditor=creditors[name], sent_at=sent, late=hours > 100,
                    deadline=sent + timedelta(days=7),
                    answered_at=None if answered is None else sent + timedelta(hours=answered),
                )  # fmt: skip
            n += 1


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_analytics_page_draws_the_charts(page_factory, language):
    _queue("banking")
    CaseFactory(ombudsman="microfinance", status=CaseStatus.BREACHED)  # another queue
    staff = ombudsman_user("banking", language)
    page = page_factory(language=language, mobile=False)
    page.set_viewport_size({"width": 1440, "height": 900})
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto("/admin/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.click("a[href='/admin/analytics/']")  # linked from the admin index
    page.wait_for_url("**/admin/analytics/")
    charts = page.locator("figure.chart svg")
    assert charts.count() == 5
    funnel = charts.nth(0).locator("rect")
    assert funnel.count() == 8
    widths = [float(funnel.nth(i).get_attribute("width")) for i in range(8)]
    assert widths[:6] == sorted(widths[:6], reverse=True) and widths[0] > widths[5] > 1
    assert charts.nth(0).bounding_box()["width"] > 400  # drawn, not collapsed
    assert charts.nth(4).locator("rect").count() == 12  # twelve months of collections
    assert "25" in charts.nth(0).inner_html()  # all 25 bank cases applied; not the MFO one
    assert blocked == []
    with page.expect_download() as download:
        page.click("a[href$='analytics.csv']")
    assert download.value.suggested_filename.startswith("analytics-banking-")
    shot = screenshot(page, f"{language}/20-ombudsman-analytics")
    keep_for_readme(shot, f"{language}-ombudsman-analytics")
