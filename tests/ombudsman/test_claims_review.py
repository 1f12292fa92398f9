"""The ombudsman's review page shows the lawful-claims findings in plain words with the amounts,
the confirmed total and the cap; a case over the cap cannot be approved and the page says why."""

import pytest
from django.contrib.auth import get_user_model

from finplatform.money import format_tenge
from resolution.models import CaseLoan, CaseStatus
from resolution.services.confirmation import answer_loan
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
AT_CAP = [(400_000_000, 0, 0), (200_000_000, 0, 0), (100_000_000, 0, 0)]


def review_url(case):
    return f"/admin/resolution/case/{case.pk}/review/"


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("su", "s@x.kz", "pw"))
    return client


def test_the_page_lists_each_finding_with_its_amount(admin_client):
    world = awaiting_case()
    CaseLoan.objects.filter(pk=world.loans[1].pk).update(bureau_penalty_after_90_tiyn=250_000)
    for creditor, loan in zip(world.creditors, world.loans, strict=True):
        answer_loan(creditor=creditor, case_loan_id=loan.pk, action="confirm")
    page = admin_client.get(review_url(world.case))
    html = page.content.decode()
    (finding,) = page.context["claims"]
    assert finding["code"] == "after_day_90" and not finding["blocking"]
    assert "K-2-2024" in finding["text"] and format_tenge(250_000) in finding["text"]
    assert finding["text"] in html
    assert format_tenge(700_000_000) in html  # the cap is shown
    assert "Approve and issue the documents" in html


def test_a_case_over_the_cap_cannot_be_approved_and_the_page_says_why(admin_client):
    world = awaiting_case(totals=AT_CAP)
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    answer_loan(creditor=world.creditors[1], case_loan_id=world.loans[1].pk, action="confirm")
    answer_loan(creditor=world.creditors[2], case_loan_id=world.loans[2].pk, action="correct",
                principal_tiyn=100_000_001, interest_tiyn=0, penalty_tiyn=0,
                comment="fee")  # fmt: skip
    page = admin_client.get(review_url(world.case))
    html = page.content.decode()
    assert page.context["claims_blocking"]
    assert "The case cannot be approved" in html and format_tenge(700_000_000) in html
    assert "Approve and issue the documents" not in html
    # a forged POST is refused by the service with the reason shown
    response = admin_client.post(review_url(world.case), {"action": "approve"}, follow=True)
    assert format_tenge(700_000_000) in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW and not hasattr(world.case, "decision")


def test_while_creditors_answer_unanswered_loans_count_at_the_bureau_figure(admin_client):
    world = awaiting_case()
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    page = admin_client.get(review_url(world.case))
    # two creditors have not answered yet: no "too few creditors" on a half-answered case
    assert page.context["claims"] == [] and not page.context["claims_blocking"]
