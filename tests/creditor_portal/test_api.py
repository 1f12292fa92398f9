import pytest
from rest_framework.test import APIClient

from creditors.api_keys import create_api_key, revoke_api_key
from creditors.models import ApiKey
from resolution.models import DebtConfirmation
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/creditor"


def assert_error_body(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_no_key_and_bad_key_are_401_with_the_error_body():
    assert_error_body(APIClient().get(f"{BASE}/cases/"), 401)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key deadbeef.nope")
    assert_error_body(client.get(f"{BASE}/cases/"), 401, "authentication_failed")


def test_revoked_key_stops_working_and_last_used_is_recorded():
    world = awaiting_case()
    row, key = create_api_key(creditor=world.creditors[0], name="bo")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(f"{BASE}/cases/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert row.key_hash != key and key.startswith(row.prefix)
    revoke_api_key(api_key=row)
    assert_error_body(client.get(f"{BASE}/cases/"), 401)


def test_lists_only_own_cases_and_loans():
    world = awaiting_case()
    other = awaiting_case()
    client = api_client_for(world.creditors[0])
    cases = client.get(f"{BASE}/cases/").json()["results"]
    assert [c["id"] for c in cases] == [str(world.case.pk)]
    assert cases[0]["answer_deadline"] is not None
    loans = client.get(f"{BASE}/loans/").json()["results"]
    assert [row["id"] for row in loans] == [str(world.loans[0].pk)]
    detail = client.get(f"{BASE}/cases/{world.case.pk}/").json()
    assert [row["id"] for row in detail["loans"]] == [str(world.loans[0].pk)]
    assert_error_body(client.get(f"{BASE}/cases/{other.case.pk}/"), 404, "not_found")


def test_cross_org_reads_and_writes_are_404_and_book_nothing():
    world = awaiting_case()
    client = api_client_for(world.creditors[0])
    foreign = world.loans[1].pk  # same case, another creditor's loan
    assert_error_body(client.get(f"{BASE}/loans/{foreign}/"), 404)
    assert_error_body(client.post(f"{BASE}/loans/{foreign}/confirm/"), 404)
    assert_error_body(
        client.post(f"{BASE}/loans/{foreign}/dispute/", {"reason": "x"}, format="json"), 404
    )
    assert not DebtConfirmation.objects.exists()


def test_confirm_with_idempotency_key_books_once():
    world = awaiting_case()
    client = api_client_for(world.creditors[1])
    url = f"{BASE}/loans/{world.loans[1].pk}/confirm/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert DebtConfirmation.objects.filter(case_loan=world.loans[1]).count() == 1
    assert first.json()["total_tiyn"] == world.loans[1].bureau_total_tiyn
    conflict = client.post(f"{BASE}/loans/{world.loans[1].pk}/dispute/", {"reason": "r"},
                           format="json", HTTP_IDEMPOTENCY_KEY="retry-1")  # fmt: skip
    assert_error_body(conflict, 409, "idempotency_key_reused")


def test_correct_validates_fields_in_the_error_body():
    world = awaiting_case()
    client = api_client_for(world.creditors[0])
    url = f"{BASE}/loans/{world.loans[0].pk}/correct/"
    error = assert_error_body(
        client.post(url, {"principal_tiyn": -1, "interest_tiyn": 0}, format="json"),
        400, "validation_error",
    )  # fmt: skip
    assert set(error["fields"]) == {"principal_tiyn", "penalty_tiyn"}
    ok = client.post(url, {"principal_tiyn": 100, "interest_tiyn": 20, "penalty_tiyn": 3,
                           "comment": "restructured"}, format="json")  # fmt: skip
    assert ok.status_code == 201 and ok.json()["total_tiyn"] == 123


def test_answer_after_review_started_is_409():
    world = awaiting_case()
    for creditor, loan in zip(world.creditors, world.loans, strict=True):
        assert api_client_for(creditor).post(f"{BASE}/loans/{loan.pk}/confirm/").status_code == 201
    late = api_client_for(world.creditors[0]).post(f"{BASE}/loans/{world.loans[0].pk}/confirm/")
    assert_error_body(late, 409, "case_not_awaiting_creditors")


def test_webhook_registration_is_scoped():
    world = awaiting_case()
    a, b = api_client_for(world.creditors[0]), api_client_for(world.creditors[1])
    created = a.post(f"{BASE}/webhooks/", {"url": "http://127.0.0.1:9/hook"}, format="json")
    assert created.status_code == 201 and len(created.json()["secret"]) == 64
    endpoint_id = created.json()["id"]
    assert "secret" not in a.get(f"{BASE}/webhooks/").json()[0]
    assert b.get(f"{BASE}/webhooks/").json() == []
    assert_error_body(b.delete(f"{BASE}/webhooks/{endpoint_id}/"), 404)
    assert_error_body(b.get(f"{BASE}/webhooks/{endpoint_id}/deliveries/"), 404)
    assert a.delete(f"{BASE}/webhooks/{endpoint_id}/").status_code == 204


def test_session_user_of_a_creditor_may_use_the_api_but_a_borrower_may_not(client):
    world = awaiting_case()
    client.force_login(world.staff[0])
    assert client.get(f"{BASE}/loans/").status_code == 200
    client.force_login(world.case.borrower.user)
    assert client.get(f"{BASE}/loans/").status_code == 403


def test_openapi_schema_lists_the_creditor_endpoints(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@x.kz", "pw"))
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/creditor/cases/", "/api/v1/creditor/loans/{case_loan_id}/correct/",
                 "/api/v1/creditor/webhooks/"):  # fmt: skip
        assert path in paths
    correct = paths["/api/v1/creditor/loans/{case_loan_id}/correct/"]["post"]
    assert "409" in correct["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in correct["parameters"])
    assert ApiKey.objects.count() == 0  # schema generation created nothing


def test_create_api_key_command_prints_a_working_key():
    from io import StringIO

    from django.core.management import call_command

    world = awaiting_case()
    out = StringIO()
    call_command("create_api_key", world.creditors[2].bin, "erp", stdout=out)
    key = out.getvalue().strip().rsplit(" ", 1)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(f"{BASE}/loans/").json()["count"] == 1
    prefix = key.split(".")[0]
    call_command("create_api_key", revoke=prefix, stdout=StringIO())
    assert_error_body(client.get(f"{BASE}/loans/"), 401)
