"""Issue 15, point 11: the ombudsman's admin is branded, its queue holds only cases waiting
for the ombudsman, and the ombudsman group can work the complaint queue."""

import pytest

from borrowers import complaints
from resolution.models import CaseStatus
from tests.factories import CaseFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


def test_admin_is_branded_in_the_staff_language(client):
    client.force_login(ombudsman_user("banking"))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Finkelisim" in page and "Django administration" not in page


def test_review_queue_holds_only_cases_waiting_for_the_ombudsman(client):
    waiting = awaiting_case()
    ready = awaiting_case()
    answer_all(ready, dispute_second=False)
    ready.case.refresh_from_db()
    assert waiting.case.status == CaseStatus.AWAITING_CREDITORS
    assert ready.case.status == CaseStatus.UNDER_REVIEW
    client.force_login(ombudsman_user(ready.case.ombudsman))
    page = client.get("/admin/resolution/reviewqueuecase/").content.decode()
    assert ready.case.reference in page
    assert waiting.case.reference not in page


def test_ombudsman_group_opens_the_complaint_queue(client):
    borrower = CaseFactory(ombudsman="banking").borrower  # a borrower in this queue
    complaint = complaints.file_complaint(
        borrower=borrower, subject="Late answer", body="Nobody answers", language="ru"
    )
    client.force_login(ombudsman_user("banking"))
    page = client.get("/admin/borrowers/complaint/")
    assert page.status_code == 200 and "Late answer" in page.content.decode()
    assert client.get(f"/admin/borrowers/complaint/{complaint.pk}/change/").status_code == 200


def test_the_review_page_shows_the_new_state_after_a_decision(client):
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    client.force_login(ombudsman_user(world.case.ombudsman))
    url = f"/admin/resolution/case/{world.case.pk}/review/"
    response = client.post(url, {"action": "reject", "reason": "signs of fiction"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    page = response.content.decode()
    assert f'data-status="{CaseStatus.REJECTED}"' in page
    assert f"{world.case.reference} is now: {CaseStatus.REJECTED.label}." in page
    assert f'data-status="{CaseStatus.UNDER_REVIEW}"' not in page
