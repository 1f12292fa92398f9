"""The ombudsman's queue of breached cases, and the timeline on the review page."""

import pytest

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from tests.conftest import run_outbox
from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.support.endings import active_plan, breach

pytestmark = pytest.mark.django_db
QUEUE = "/admin/resolution/breachedcase/"


def _breached(ombudsman="banking"):
    world = active_plan((30_000_000, 20_000_000))
    world.case.ombudsman = ombudsman
    world.case.save(update_fields=["ombudsman"])
    breach(world)
    run_outbox(task_prefix="resolution.")
    return world


def test_the_queue_lists_the_ombudsmans_breached_cases_with_what_is_owed(client):
    mine, other = _breached("banking"), _breached("microfinance")
    active = active_plan((10_000_000,))
    active.case.ombudsman = "banking"
    active.case.save(update_fields=["ombudsman"])
    client.force_login(ombudsman_user("banking"))
    page = client.get(QUEUE)
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.case.reference in html
    assert other.case.reference not in html and active.case.reference not in html
    assert "500\xa0000,00" in html  # outstanding 30 000 000 + 20 000 000 tiyn
    assert review_url(mine.case) in html


def test_the_review_page_shows_the_timeline(client):
    world = _breached()
    client.force_login(ombudsman_user("banking"))
    html = client.get(review_url(world.case)).content.decode()
    assert 'id="timeline"' in html
    assert html.index("Status: Breached") < html.index("Breach: the creditors may resume")
    assert world.creditors[0].name in html
