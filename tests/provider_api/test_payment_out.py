"""The provider API's hot path made lean: the answer body built from fields made once
(`payment_out`) is exactly what `PaymentOutSerializer` (the documented schema) renders, for
every kind of booking; the key looked up in plain SQL still finds only an active provider."""

import json
from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from provider_api.auth import active_provider
from provider_api.serializers import PaymentOutSerializer, payment_out
from schedules.models import IncomingPayment, PaymentProvider
from schedules.services.booking import book_one
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db


def test_the_fast_body_is_the_serializers_body_for_every_status():
    plan, _ = make_plan([3_000_000, 1_000_001])
    day = date(2026, 1, 30)
    book_one(source="t", item=pay("part", 1_000, day, plan=plan))
    book_one(source="t", item=pay("rest", 4_000_000, day, plan=plan))  # completes, 999 owed back
    book_one(source="t", item=pay("after", 700, day, plan=plan))  # refund
    book_one(source="t", item=pay("nobody", 500, day, ref="FK-NOSUCH1"))  # suspense
    payments = list(IncomingPayment.objects.order_by("received_at", "idempotency_key"))
    assert {p.status for p in payments} == {"applied", "refund", "suspense"}
    for payment in payments:
        for zone in ("UTC", "Asia/Almaty"):
            with timezone.override(zone):
                expected = PaymentOutSerializer(payment).data
                body = payment_out(payment)
            assert list(body) == list(expected)
            assert json.dumps(body) == json.dumps(expected)
    unsaved = IncomingPayment(idempotency_key="k", amount_tiyn=1, status="suspense")
    assert payment_out(unsaved) == PaymentOutSerializer(unsaved).data


def test_the_key_lookup_finds_only_an_active_provider_by_its_own_key():
    kaspi = PaymentProvider(code="kaspi", name="Kaspi")
    kaspi_key = kaspi.set_new_key()
    kaspi.save()
    halyk = PaymentProvider(code="halyk", name="Halyk")
    halyk_key = halyk.set_new_key()
    halyk.save()
    assert active_provider(kaspi_key) == kaspi and active_provider(kaspi_key).code == "kaspi"
    assert active_provider(halyk_key).code == "halyk"
    assert active_provider(kaspi_key[:-1]) is None
    plan, _ = make_plan([1_000_000])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=kaspi_key)
    payment = {"amount_tiyn": 100, "paid_at": "2026-01-30T10:00:00Z",
               "case_reference": plan.case.reference}  # fmt: skip
    first = client.post("/api/v1/payments/", payment, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert first.status_code == 201
    assert IncomingPayment.objects.get().source == "provider:kaspi"
    PaymentProvider.objects.filter(pk=kaspi.pk).update(is_active=False)
    refused = client.post("/api/v1/payments/", payment, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert refused.status_code == 401  # at once: no cache between the switch and the refusal
    assert IncomingPayment.objects.count() == 1
