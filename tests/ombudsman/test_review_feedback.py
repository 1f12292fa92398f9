"""What the review page says back (outside tester's findings): a dispute decision with a bad
amount is told in plain, translated words (the field's label, not its name, and no escaped
HTML), with the error beside the field; a case handed to the other queue returns its former
reviewer to their own queue instead of a review page they may no longer open."""

import pytest
from django.contrib.messages import get_messages

from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.ombudsman.test_admin_scope import senior_user
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db
QUEUE = "/admin/resolution/reviewqueuecase/"


def test_a_bad_amount_is_told_in_russian_plain_text_and_beside_the_field(client):
    world = awaiting_case()
    answer_all(world)  # the second loan is disputed
    disputed = world.loans[1]
    client.force_login(ombudsman_user("banking", language="ru"))
    prefix = f"l{disputed.pk.hex}"
    response = client.post(review_url(world.case), {
        "action": "decide_loan", "case_loan": disputed.pk, f"{prefix}-include": "1",
        f"{prefix}-amount": "abc",
    }, HTTP_ACCEPT_LANGUAGE="ru")  # fmt: skip
    assert response.status_code == 200
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "Проверьте решение: Сумма, ₸: Введите сумму в тенге."
    html = response.content.decode()
    assert "&lt;ul" not in html and "amount" not in message
    # the bound form in the loan's row, with its error and what was typed
    assert 'class="errorlist' in html and 'value="abc"' in html
    disputed.refresh_from_db()
    assert disputed.confirmation_status == "disputed" and disputed.confirmed_total_tiyn is None


def test_reassigning_to_the_other_queue_returns_to_the_own_queue_with_a_message(client):
    world = awaiting_case()
    answer_all(world)
    client.force_login(ombudsman_user("banking"))
    response = client.post(review_url(world.case),
                           {"action": "reassign", "ombudsman": "microfinance"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == QUEUE
    page = client.get(QUEUE)
    assert page.status_code == 200
    messages = [str(m) for m in get_messages(page.wsgi_request)]
    assert messages == [f"{world.case.reference} was handed to: Microfinance ombudsman."]
    assert world.case.reference not in page.content.decode().replace(messages[0], "")
    assert client.get(review_url(world.case)).status_code == 404  # why it is not the page


def test_a_senior_who_reassigns_stays_on_the_review_page(client):
    world = awaiting_case()
    answer_all(world)
    client.force_login(senior_user("banking"))
    response = client.post(review_url(world.case),
                           {"action": "reassign", "ombudsman": "microfinance"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == review_url(world.case)
    assert client.get(response["Location"]).status_code == 200
