"""Deeply nested JSON (finplatform/parsers.py, DRF's default parser for both APIs): a body
nested past the limit is 400 `parse_error` in the one error body, on the payment provider's API
(both endpoints, through the short middleware chain gunicorn uses too) and on the creditor API;
nothing is booked or registered and no traceback is logged. Before the fix the decoder's
RecursionError made every such request a 500 with a full traceback in the log."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from creditors.models import WebhookEndpoint
from finplatform import wsgi
from finplatform.parsers import MAX_DEPTH, JSONParser, nests_within
from schedules.models import IncomingPayment, PaymentProvider
from tests.provider_api.test_machine_api_chain import call
from tests.support.workflow import api_client_for, awaiting_case

PAYMENTS = "/api/v1/payments/"
BATCH = "/api/v1/payments/batch/"
WEBHOOKS = "/api/v1/creditor/webhooks/"
DEEP = b"[" * 100_000  # the tester's body: never closed
DEEP_CLOSED = b"[" * 100_000 + b"]" * 100_000


def nested(depth: int) -> bytes:
    """`depth` levels of arrays and objects around a number, interleaved."""
    text = "1"
    for level in range(depth):
        text = f'{{"a": {text}}}' if level % 2 else f"[0, {text}]"
    return text.encode()


# --- the check itself -----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 3, MAX_DEPTH])
def test_bodies_up_to_the_limit_pass(depth):
    assert nests_within(nested(depth))
    assert JSONParser().parse(io.BytesIO(nested(depth))) == json.loads(nested(depth))


@pytest.mark.parametrize(
    "body",
    [nested(MAX_DEPTH + 1), DEEP, DEEP_CLOSED, b"[1, " * 50_000, b'{"a":' * 50_000,
     b"[[]" * 1000, b"[" + b",".join([b"[" * 33 + b"]" * 33] * 100) + b"]"],
    ids=["limit+1", "open", "closed", "items", "objects", "steps", "many-items"],
)  # fmt: skip
def test_deeper_bodies_are_a_parse_error_before_decoding(body):
    assert not nests_within(body)
    with pytest.raises(ParseError) as refused:
        JSONParser().parse(io.BytesIO(body))
    assert refused.value.get_codes() == "parse_error"
    assert f"nested more than {MAX_DEPTH} levels" in str(refused.value.detail)


def test_brackets_inside_strings_do_not_count():
    body = json.dumps({"reason": "[" * 500 + "{" * 500 + '"\\' + "]" * 7}).encode()
    assert nests_within(body)
    assert JSONParser().parse(io.BytesIO(body))["reason"].startswith("[[[")


@pytest.mark.parametrize("body", [b"{", b'{"a": NaN}', b"\xff\xfe", b'{"a": 1}}'])
def test_unreadable_bodies_are_still_a_parse_error(body):
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(body))


# --- through the APIs -----------------------------------------------------------------------


def assert_parse_error(response):
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "parse_error", error
    assert str(MAX_DEPTH) in error["message"]  # "nested more than 32 levels" in any language


@pytest.fixture
def provider_client(db):
    provider = PaymentProvider(code="deep", name="Deep")
    key = provider.set_new_key()
    provider.save()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client, key


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, DEEP_CLOSED], ids=["open", "closed"])
@pytest.mark.parametrize("url", [PAYMENTS, BATCH])
def test_the_provider_api_answers_400_and_books_nothing(provider_client, url, body, caplog):
    client, _ = provider_client
    with caplog.at_level(logging.WARNING):
        response = client.post(url, body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="deep-1")  # fmt: skip
    assert_parse_error(response)
    assert not IncomingPayment.objects.exists()
    # a 400 logs one line ("Bad Request: …"), never a traceback
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.django_db
@override_settings(DEBUG=True)  # the tester saw Django's HTML debug page
def test_with_debug_on_it_is_still_the_json_body_not_the_debug_page(provider_client):
    client, _ = provider_client
    assert_parse_error(client.post(PAYMENTS, DEEP, content_type="application/json",
                                   HTTP_IDEMPOTENCY_KEY="deep-2"))  # fmt: skip


@pytest.mark.django_db(transaction=True)  # the WSGI call closes the connection at its end
@pytest.mark.parametrize("url", [PAYMENTS, BATCH])
def test_the_short_chain_gunicorn_uses_answers_the_same(provider_client, url):
    _, key = provider_client
    status, headers, content = call(wsgi.application, url, body=DEEP, x_api_key=key,
                                    idempotency_key="deep-3")  # fmt: skip
    assert status == 400, content
    assert json.loads(content)["error"]["code"] == "parse_error"
    assert not IncomingPayment.objects.exists()


@pytest.mark.django_db
def test_a_payment_nested_within_the_limit_is_a_validation_error_not_a_parse_error(
    provider_client,
):
    client, _ = provider_client
    body = json.dumps(
        {
            "amount_tiyn": json.loads(nested(MAX_DEPTH - 1)),
            "paid_at": "2026-01-30T10:00:00Z",
            "case_reference": "FK-NOPLAN01",
        }
    )
    response = client.post(PAYMENTS, body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="deep-4")  # fmt: skip
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert not IncomingPayment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, b'{"url": ' + nested(MAX_DEPTH - 1) + b"}"],
                         ids=["open", "url-nested-to-the-limit"])  # fmt: skip
def test_the_creditor_api_answers_400_and_registers_nothing(body, caplog):
    client = api_client_for(awaiting_case().creditors[0])
    with caplog.at_level(logging.WARNING):
        response = client.post(WEBHOOKS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    expected = "parse_error" if body == DEEP else "validation_error"
    assert response.json()["error"]["code"] == expected
    assert not WebhookEndpoint.objects.exists()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
