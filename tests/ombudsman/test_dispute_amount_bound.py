"""A disputed loan is included at most at its bureau figure (issue 16 #11): a form error in the
admin, an ApplicationError in the service, nothing recorded."""

import pytest

from finplatform.errors import ApplicationError
from resolution.models import DebtConfirmation
from resolution.services.decision import decide_disputed_loan
from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


def _disputed():
    world = awaiting_case()
    answer_all(world)  # the second loan is disputed; its bureau figure is 215 000,00
    disputed = world.loans[1]
    disputed.refresh_from_db()
    assert disputed.bureau_total_tiyn == 21_500_000
    return world, disputed


def test_the_service_refuses_an_amount_above_the_bureau_figure():
    _, disputed = _disputed()
    before = DebtConfirmation.objects.count()
    with pytest.raises(ApplicationError) as err:
        decide_disputed_loan(case_loan_id=disputed.pk, include=True, amount_tiyn=21_500_001)
    assert err.value.code == "amount_above_bureau"
    assert err.value.extra == {"max_tiyn": 21_500_000}
    assert DebtConfirmation.objects.count() == before
    decide_disputed_loan(case_loan_id=disputed.pk, include=True, amount_tiyn=21_500_000)
    disputed.refresh_from_db()
    assert disputed.confirmed_total_tiyn == 21_500_000


@pytest.mark.parametrize("amount", ["215 000,01", "99999999999"])
def test_the_admin_form_shows_an_error_for_an_amount_above_the_bureau_figure(client, amount):
    world, disputed = _disputed()
    client.force_login(ombudsman_user("banking"))
    prefix = f"l{disputed.pk.hex}"
    response = client.post(
        review_url(world.case),
        {"action": "decide_loan", "case_loan": disputed.pk, f"{prefix}-include": "1",
         f"{prefix}-amount": amount},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert "at most at its credit-bureau figure" in response.content.decode()
    disputed.refresh_from_db()
    assert disputed.confirmed_total_tiyn is None
