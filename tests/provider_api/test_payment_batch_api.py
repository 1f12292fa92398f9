"""POST /api/v1/payments/batch/: a provider's file of payments, all or nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from schedules.models import IncomingPayment, LedgerTransaction, PaymentProvider
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/batch/"


@pytest.fixture
def client():
    provider = PaymentProvider(code="halyk", name="Halyk")
    key = provider.set_new_key()
    provider.save()
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=key)
    return api


def item(key, plan, amount=1_000_000):
    return {"idempotency_key": key, "amount_tiyn": amount, "paid_at": "2026-01-30T10:00:00Z",
            "case_reference": plan.case.reference}  # fmt: skip


def test_a_batch_books_every_item_once_and_a_retry_books_nothing(client):
    plan, _ = make_plan([50_000_000, 30_000_000])
    other, _ = make_plan([20_000_000, 10_000_000])
    batch = {"payments": [item("b-1", plan), item("b-2", other), item("b-3", plan, 7)]}
    first = client.post(URL, batch, format="json")
    assert first.status_code == 201, first.content
    assert [p["created"] for p in first.json()["payments"]] == [True, True, True]
    assert IncomingPayment.objects.count() == 3 == LedgerTransaction.objects.count()
    again = client.post(URL, batch, format="json")
    assert again.status_code == 200
    assert [p["created"] for p in again.json()["payments"]] == [False, False, False]
    assert [p["id"] for p in again.json()["payments"]] == [
        p["id"] for p in first.json()["payments"]
    ]
    assert IncomingPayment.objects.count() == 3
    plan.refresh_from_db()
    assert plan.paid_tiyn == 1_000_007


def test_a_reused_key_with_another_body_refuses_the_whole_batch(client):
    plan, _ = make_plan([50_000_000])
    assert client.post(URL, {"payments": [item("k-1", plan)]}, format="json").status_code == 201
    clash = {"payments": [item("k-2", plan), item("k-1", plan, amount=5)]}
    response = client.post(URL, clash, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not IncomingPayment.objects.filter(idempotency_key="k-2").exists()


@pytest.mark.parametrize(
    "payments",
    [[], [{"idempotency_key": "x", "amount_tiyn": "12.50", "paid_at": "2026-01-30T10:00:00Z",
           "case_reference": "FK-1"}], "not a list"],
)  # fmt: skip
def test_invalid_batches_are_400_and_book_nothing(client, payments):
    response = client.post(URL, {"payments": payments}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not IncomingPayment.objects.exists()


def test_too_big_a_batch_is_refused(client):
    plan, _ = make_plan([50_000_000])
    batch = {"payments": [item(f"k{i}", plan, 1) for i in range(501)]}
    assert client.post(URL, batch, format="json").status_code == 400
    assert not IncomingPayment.objects.exists()


def test_without_a_key_it_is_401():
    response = APIClient().post(URL, {"payments": []}, format="json")
    assert response.status_code == 401
