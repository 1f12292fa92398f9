"""The creditor sees a "not mine" flag on its own loan (dashboard, API, webhook event), and
only on its own."""

import pytest

from creditors.models import WebhookDelivery, WebhookEndpoint
from resolution.services import fraud
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db
STATEMENT = "I never took this loan; my phone was stolen."


def _flagged():
    world = awaiting_case()
    WebhookEndpoint.objects.create(creditor=world.creditors[1], url="https://hooks.example.kz/x",
                                   secret="s" * 64)  # fmt: skip
    fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                             statement=STATEMENT)  # fmt: skip
    return world


def test_the_creditor_sees_the_flag_on_dashboard_api_and_webhook(client):
    world = _flagged()
    client.force_login(world.staff[1])
    page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
    assert STATEMENT in page and f"fraud-{world.loans[1].pk}" in page
    body = api_client_for(world.creditors[1]).get(
        f"/api/v1/creditor/loans/{world.loans[1].pk}/").json()  # fmt: skip
    assert body["fraud_flag"]["status"] == "open"
    assert body["fraud_flag"]["statement"] == STATEMENT
    assert body["fraud_flag"]["accrual_stopped_on"]
    delivery = WebhookDelivery.objects.get(event="loan.fraud_flagged")
    assert '"claims_work_stopped": true' in delivery.body


def test_other_creditors_do_not_see_the_flag(client):
    world = _flagged()
    client.force_login(world.staff[0])
    page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
    assert STATEMENT not in page
    api = api_client_for(world.creditors[0])
    assert api.get(f"/api/v1/creditor/loans/{world.loans[1].pk}/").status_code == 404
    own = api.get(f"/api/v1/creditor/loans/{world.loans[0].pk}/").json()
    assert own["fraud_flag"] is None
