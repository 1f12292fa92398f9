"""Regressions for what schemathesis found in the API, pinned as plain tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from schedules.models import IncomingPayment, PaymentProvider
from tests.support.ledger import make_plan
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db


def test_a_correction_beyond_bigint_is_a_400_not_a_500():
    world = awaiting_case()
    client = api_client_for(world.creditors[0])
    url = f"/api/v1/creditor/loans/{world.loans[0].pk}/correct/"
    body = {"principal_tiyn": 1430, "interest_tiyn": 15942178074891546624, "penalty_tiyn": 0}
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert "interest_tiyn" in response.json()["error"]["fields"]
    world.loans[0].refresh_from_db()
    assert world.loans[0].confirmation_status == "pending"


@pytest.mark.parametrize("path", ["/api/v1/creditor/cases/not-a-uuid/", "/api/v1/nothing/"])
def test_an_unrouted_api_url_answers_404_in_the_error_body(path):
    world = awaiting_case()
    response = api_client_for(world.creditors[0]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_a_page_url_that_matches_nothing_is_still_the_html_404(client):
    response = client.get("/portal/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("paid_at", ["0504-07-19T22:33:08.9+10:44", "2999-01-01T00:00:00Z"])
def test_a_payment_dated_in_antiquity_or_the_future_is_refused(paid_at):
    provider = PaymentProvider(code="p1", name="P1")
    key = provider.set_new_key()
    provider.save()
    plan, _ = make_plan([50_000_000])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    body = {"amount_tiyn": 100, "paid_at": paid_at, "case_reference": plan.case.reference}
    response = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400, response.content
    assert "paid_at" in response.json()["error"]["fields"]
    assert not IncomingPayment.objects.exists()


@pytest.mark.parametrize("text", ["Infinity", "-Infinity", "NaN", "sNaN", "1e400", "1e30"])
def test_amount_parsing_refuses_non_finite_and_absurd_amounts(text):
    from finplatform.money import tenge_to_tiyn

    with pytest.raises(ValueError):
        tenge_to_tiyn(text)


@pytest.mark.parametrize("amount", ["Infinity", "sNaN", "1e30", "99999999999999999999"])
def test_dashboard_correction_with_an_absurd_amount_is_a_field_error(client, amount):
    world = awaiting_case()
    client.force_login(world.staff[0])
    loan = world.loans[0]
    p = f"c{loan.pk.hex}"
    response = client.post(f"/creditor/case-loans/{loan.pk}/correct/", {
        f"{p}-principal": amount, f"{p}-interest": "0", f"{p}-penalty": "0",
        f"{p}-comment": "x",
    })  # fmt: skip
    assert response.status_code == 400
    loan.refresh_from_db()
    assert loan.confirmation_status == "pending"
