import pytest
from django.contrib.auth import get_user_model

from resolution.models import CaseStatus, OmbudsmanStaff
from tests.factories import UserFactory
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


def ombudsman_user(ombudsman: str, language: str = "en"):
    """An ombudsman staff member; `language` is their own (the admin speaks it)."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True)
    OmbudsmanStaff.objects.create(user=user, ombudsman=ombudsman, preferred_language=language)
    user.groups.add(Group.objects.get(name="ombudsman_staff"))
    return user


def review_url(case):
    return f"/admin/resolution/case/{case.pk}/review/"


def test_review_page_shows_answers_terms_schedule_and_late_creditors(client):
    world = awaiting_case(income_tiyn=10_000_000)
    answer_all(world, dispute_second=False)
    world.case.refresh_from_db()
    client.force_login(ombudsman_user("banking"))
    page = client.get(review_url(world.case))
    assert page.status_code == 200
    html = page.content.decode()
    assert "part repaid" in html and "K-2-2024" in html
    proposal = page.context["proposal"]
    assert proposal["total_tiyn"] == 51_000_000 + 21_500_000 + 10_250_000
    assert len(proposal["schedule"]) == proposal["terms"].term_months
    assert proposal["debt_burden"]["warning"]  # 100 000 KZT income: above 0.5


def test_other_ombudsmans_staff_gets_404(client):
    world = awaiting_case()  # a banking case
    client.force_login(ombudsman_user("microfinance"))
    assert client.get(review_url(world.case)).status_code == 404
    assert client.post(review_url(world.case), {"action": "reject", "reason": "x"}).status_code \
        == 404  # fmt: skip
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.AWAITING_CREDITORS


def test_dispute_decision_and_reject_through_the_admin(client):
    world = awaiting_case()
    answer_all(world)
    client.force_login(get_user_model().objects.create_superuser("su", "s@x.kz", "pw"))
    disputed = world.loans[1]
    prefix = f"l{disputed.pk.hex}"
    client.post(review_url(world.case), {"action": "decide_loan", "case_loan": disputed.pk,
                                         f"{prefix}-include": "1",
                                         f"{prefix}-amount": "200 000,00"})  # fmt: skip
    disputed.refresh_from_db()
    assert disputed.confirmed_total_tiyn == 20_000_000
    response = client.post(review_url(world.case), {"action": "reject", "reason": ""})
    assert response.status_code == 200  # the form error re-renders the page
    client.post(review_url(world.case), {"action": "reject", "reason": "signs of fiction"})
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.REJECTED


def test_review_queue_lists_own_ombudsmans_cases_with_late_and_disputed_counts(client):
    banking = awaiting_case()
    answer_all(banking)  # under review, one undecided dispute
    other = awaiting_case()
    from resolution.services.decision import reassign_case

    reassign_case(case_id=other.case.pk, ombudsman="microfinance")
    client.force_login(ombudsman_user("banking"))
    page = client.get("/admin/resolution/reviewqueuecase/")
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [r.pk for r in rows] == [banking.case.pk]
    assert (rows[0].n_disputed, rows[0].n_pending, rows[0].n_late) == (1, 0, 0)


def test_admin_pages_for_keys_deliveries_notifications_and_cases_open(client):
    world = awaiting_case()
    from creditors.api_keys import create_api_key

    create_api_key(creditor=world.creditors[0], name="erp")
    client.force_login(get_user_model().objects.create_superuser("su2", "s2@x.kz", "pw"))
    for url in ("/admin/creditors/apikey/", "/admin/creditors/webhookdelivery/",
                "/admin/resolution/notification/", "/admin/resolution/case/",
                f"/admin/resolution/case/{world.case.pk}/change/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    page = client.get("/admin/creditors/apikey/").content.decode()
    assert "erp" in page and "key_hash" not in page
