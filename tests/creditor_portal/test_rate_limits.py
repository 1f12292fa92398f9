"""The creditor API's rate limits (creditor_portal/api/throttles.py, finplatform/ratelimit.py):
per organisation API key, isolated between organisations, failed key checks per client
address, a staff session counted per user, fail open while Redis is down, and the 429 in the
OpenAPI schema of every operation."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from creditors.api_keys import create_api_key
from tests.factories import CreditorStaffFactory
from tests.support.ratelimit import assert_rate_limited, closed_port
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
CASES = "/api/v1/creditor/cases/"


def key_client(creditor, *, address: str = "127.0.0.1") -> APIClient:
    _, key = create_api_key(creditor=creditor, name="back office")
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@override_settings(API_RATE_LIMIT_CREDITOR="3/minute")
def test_a_key_over_its_limit_gets_429_with_the_error_body_and_retry_after():
    world = awaiting_case()
    client = key_client(world.creditors[0])
    assert [client.get(CASES).status_code for _ in range(3)] == [200, 200, 200]
    assert_rate_limited(client.get(CASES))
    loan = world.loans[0].pk  # writes are refused too, before anything is booked
    answer = client.post(f"/api/v1/creditor/loans/{loan}/confirm/", {}, format="json")
    assert_rate_limited(answer)
    assert not world.loans[0].confirmations.exists()


@override_settings(API_RATE_LIMIT_CREDITOR="2/minute")
def test_another_organisations_key_is_not_affected():
    world = awaiting_case()
    busy, calm = key_client(world.creditors[0]), key_client(world.creditors[1])
    assert [busy.get(CASES).status_code for _ in range(3)] == [200, 200, 429]
    assert [calm.get(CASES).status_code for _ in range(2)] == [200, 200]


@override_settings(API_RATE_LIMIT_CREDITOR="2/minute")
def test_each_key_has_its_own_quota():
    world = awaiting_case()
    first, second = key_client(world.creditors[0]), key_client(world.creditors[0])
    assert [first.get(CASES).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(CASES).status_code == 200


@override_settings(API_RATE_LIMIT_FAILED_AUTH="3/minute")
def test_failed_keys_are_limited_per_address_and_block_the_address():
    world = awaiting_case()
    guesser = APIClient(REMOTE_ADDR="127.0.0.9")
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key deadbeef.guess")
    assert [guesser.get(CASES).status_code for _ in range(3)] == [401, 401, 401]
    assert_rate_limited(guesser.get(CASES))
    assert_rate_limited(key_client(world.creditors[0], address="127.0.0.9").get(CASES))
    assert key_client(world.creditors[0], address="127.0.0.10").get(CASES).status_code == 200
    other = APIClient(REMOTE_ADDR="127.0.0.10")
    other.credentials(HTTP_AUTHORIZATION="Api-Key deadbeef.guess")
    assert other.get(CASES).status_code == 401  # another address has its own count


@override_settings(API_RATE_LIMIT_CREDITOR="2/minute")
def test_a_staff_session_on_the_api_is_counted_per_user():
    staff = CreditorStaffFactory()
    colleague = CreditorStaffFactory(creditor=staff.creditor)
    client, other = APIClient(), APIClient()
    client.force_login(staff.user)
    other.force_login(colleague.user)
    assert [client.get(CASES).status_code for _ in range(3)] == [200, 200, 429]
    assert other.get(CASES).status_code == 200


@override_settings(API_RATE_LIMIT_CREDITOR="1/minute")
def test_the_api_answers_while_redis_is_down():
    world = awaiting_case()
    with override_settings(API_RATE_LIMIT_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        client = key_client(world.creditors[0])
        assert [client.get(CASES).status_code for _ in range(3)] == [200, 200, 200]
    assert [client.get(CASES).status_code for _ in range(2)] == [200, 429]  # back on


def test_every_operation_documents_the_429_with_retry_after():
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    ]
    assert any(path == "/api/v1/payments/" for path, _, _ in operations)
    assert any(path.startswith("/api/v1/creditor/") for path, _, _ in operations)
    for path, method, operation in operations:
        response = operation["responses"].get("429")
        assert response, (path, method)
        assert response["headers"]["Retry-After"]["required"] is True
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/Error"
    assert "Error" in schema["components"]["schemas"]
