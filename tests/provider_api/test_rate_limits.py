"""The payment provider's rate limits (provider_api/throttles.py, finplatform/ratelimit.py):
per provider key on both endpoints and through the short middleware chain gunicorn uses,
failed key checks per client address, and payments still booked while Redis is down."""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from finplatform import wsgi
from finplatform.ratelimit import limiter
from schedules.models import IncomingPayment, PaymentProvider
from tests.provider_api.test_machine_api_chain import call
from tests.support.ratelimit import assert_rate_limited, closed_port

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/"
BATCH = "/api/v1/payments/batch/"


def provider_client(code: str, *, address: str = "127.0.0.1") -> tuple[APIClient, str]:
    provider = PaymentProvider(code=code, name=code.title())
    key = provider.set_new_key()
    provider.save()
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_X_API_KEY=key)
    return client, key


def payment(n: int) -> dict:
    # no schedule has this reference: the money is booked to suspense, still a booking
    return {"amount_tiyn": 100_00 + n, "paid_at": "2026-01-30T10:00:00Z",
            "case_reference": "FK-NOPLAN01"}  # fmt: skip


def post(client, n: int):
    return client.post(URL, payment(n), format="json", HTTP_IDEMPOTENCY_KEY=f"rl-{n}")


@override_settings(API_RATE_LIMIT_PROVIDER="3/minute")
def test_a_key_over_its_limit_gets_429_and_nothing_is_booked():
    client, _ = provider_client("kaspi")
    assert [post(client, n).status_code for n in range(3)] == [201, 201, 201]
    assert_rate_limited(post(client, 3))
    assert not IncomingPayment.objects.filter(idempotency_key="rl-3").exists()
    # the batch endpoint shares the key's quota: one request, one from the quota
    batch = {"payments": [{**payment(9), "idempotency_key": "rl-b9"}]}
    assert_rate_limited(client.post(BATCH, batch, format="json"))


@override_settings(API_RATE_LIMIT_PROVIDER="2/minute")
def test_another_providers_key_is_not_affected():
    first, _ = provider_client("kaspi")
    second, _ = provider_client("halyk")
    assert [post(first, n).status_code for n in range(3)] == [201, 201, 429]
    assert [post(second, n).status_code for n in range(10, 12)] == [201, 201]


@override_settings(API_RATE_LIMIT_PROVIDER="2/second")
def test_the_window_opens_again_after_retry_after():
    client, _ = provider_client("kaspi")
    assert [post(client, n).status_code for n in range(2)] == [201, 201]
    wait = assert_rate_limited(post(client, 2))
    time.sleep(wait + 0.05)
    assert post(client, 2).status_code == 201


@pytest.mark.django_db(transaction=True)  # the WSGI call closes the connection at its end
@override_settings(API_RATE_LIMIT_PROVIDER="1/minute")
def test_the_short_chain_answers_429_in_the_same_shape():
    """gunicorn calls finplatform.wsgi.application, whose provider paths skip the browser
    middleware: the limit and its answer are the same there."""
    _, key = provider_client("kaspi")
    body = json.dumps(payment(1)).encode()
    first = call(wsgi.application, URL, body=body, x_api_key=key, idempotency_key="w-1")
    assert first[0] == 201, first[2]
    status, headers, content = call(wsgi.application, URL, body=body, x_api_key=key,
                                    idempotency_key="w-2", accept_language="en")  # fmt: skip
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert json.loads(content)["error"]["code"] == "rate_limited"


@override_settings(API_RATE_LIMIT_FAILED_AUTH="3/minute")
def test_failed_keys_are_limited_per_address_valid_keys_included():
    guesser = APIClient(REMOTE_ADDR="127.0.0.7")
    guesser.credentials(HTTP_X_API_KEY="pk_guess")
    assert [post(guesser, n).status_code for n in range(3)] == [401, 401, 401]
    assert_rate_limited(post(guesser, 3))
    # a right key from the blocked address is refused as well: a guess that hits is not told
    same_address, _ = provider_client("kaspi", address="127.0.0.7")
    assert_rate_limited(post(same_address, 4))
    elsewhere, _ = provider_client("halyk", address="127.0.0.8")
    assert post(elsewhere, 5).status_code == 201
    assert IncomingPayment.objects.count() == 1


@override_settings(API_RATE_LIMIT_PROVIDER="1/minute", API_RATE_LIMIT_FAILED_AUTH="1/minute")
def test_payments_are_booked_while_redis_is_down(caplog):
    """Fail open: with the limiter's Redis unreachable (a closed loopback port) every payment
    is booked as without limits, a wrong key is still a 401, and one warning is logged."""
    with override_settings(API_RATE_LIMIT_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        client, _ = provider_client("kaspi")
        assert [post(client, n).status_code for n in range(4)] == [201] * 4
        wrong = APIClient()
        wrong.credentials(HTTP_X_API_KEY="pk_wrong")
        assert [post(wrong, n).status_code for n in range(10, 13)] == [401] * 3
    assert IncomingPayment.objects.count() == 4
    warnings = [r for r in caplog.records if r.name == "finplatform.ratelimit"]
    assert len(warnings) == 1


def test_a_provider_request_costs_one_redis_round_trip(monkeypatch):
    """The fast path asks Redis once: the key's quota and the address's failed-key block go
    in one pipeline (each round trip takes one connection from the limiter's pool)."""
    client, _ = provider_client("kaspi")
    assert post(client, 0).status_code == 201  # scripts known to Redis, pool warm
    pool = limiter().storage.get_connection().connection_pool
    taken = []
    real = pool.get_connection
    monkeypatch.setattr(pool, "get_connection", lambda *a, **k: taken.append(1) or real(*a, **k))
    assert post(client, 1).status_code == 201
    assert len(taken) == 1
