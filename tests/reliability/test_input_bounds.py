"""Bounded, validated API input (issue 16 #11): control characters in the Idempotency-Key, a
too-large body under /api/, a paid_at without a time zone — each a 4xx in the one JSON error
body, never a 500 or Django's HTML 400, and nothing booked."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from resolution.models import DebtConfirmation
from schedules.models import IncomingPayment, PaymentProvider
from tests.support.ledger import make_plan
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db


def _provider_client():
    provider = PaymentProvider(code="p1", name="P1")
    key = provider.set_new_key()
    provider.save()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client


def _payment(plan, **extra):
    return {"amount_tiyn": 100, "paid_at": "2026-11-20T10:00:00+05:00",
            "case_reference": plan.case.reference, **extra}  # fmt: skip


@pytest.mark.parametrize("key", ["a\x00b", "k\x01", "line\nbreak", "tab\tkey", "del\x7f",
                                 "k" * 201])  # fmt: skip
def test_a_control_character_in_the_payments_idempotency_key_is_a_400(key):
    plan, _ = make_plan([50_000_000])
    response = _provider_client().post(
        "/api/v1/payments/", _payment(plan), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "idempotency_key_invalid"
    assert not IncomingPayment.objects.exists()


def test_a_nul_byte_in_a_batch_items_key_is_a_field_error():
    plan, _ = make_plan([50_000_000])
    body = {"payments": [_payment(plan, idempotency_key="a\x01b")]}
    response = _provider_client().post("/api/v1/payments/batch/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert not IncomingPayment.objects.exists()


@pytest.mark.parametrize("key", ["a\x00b", "k\x1b[31m", "k" * 101])
def test_a_control_character_in_the_creditor_apis_idempotency_key_is_a_400(key):
    world = awaiting_case()
    client = api_client_for(world.creditors[0])
    url = f"/api/v1/creditor/loans/{world.loans[0].pk}/confirm/"
    response = client.post(url, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "idempotency_key_invalid"
    assert not DebtConfirmation.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/payments/", "/api/v1/payments/batch/"])
def test_a_too_large_body_under_api_answers_the_json_error(settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    plan, _ = make_plan([50_000_000])
    body = json.dumps({**_payment(plan), "padding": "x" * 20_000})
    response = _provider_client().post(
        path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big-1"
    )
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "request_too_large"
    assert not IncomingPayment.objects.exists()


def test_a_too_large_form_post_to_a_page_is_still_a_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post("/login/", {"iin": "x" * 5_000, "password": "y"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("paid_at", ["2026-11-20T10:00:00", "2026-11-20 10:00"])
def test_a_paid_at_without_a_time_zone_is_refused(paid_at):
    plan, _ = make_plan([50_000_000])
    response = _provider_client().post(
        "/api/v1/payments/", _payment(plan, paid_at=paid_at), format="json",
        HTTP_IDEMPOTENCY_KEY="tz-1",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "paid_at" in error["fields"]
    assert not IncomingPayment.objects.exists()
