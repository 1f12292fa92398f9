"""The payment provider's API and the borrower's simulated pay button."""

import hashlib
import json
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from schedules.models import (
    IncomingPayment,
    LedgerEntry,
    LedgerTransaction,
    PaymentProvider,
    PaymentStatus,
)
from schedules.services.payments import PaymentIn
from tests.factories import BorrowerFactory, CaseFactory, CreditorStaffFactory
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/"


@pytest.fixture
def provider():
    p = PaymentProvider(code="kaspi", name="Kaspi")
    key = p.set_new_key()
    p.save()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return p, key, client


def body(plan, amount=8_333_334, **extra):
    return {
        "amount_tiyn": amount,
        "paid_at": "2026-01-30T10:00:00Z",
        "case_reference": plan.case.reference,
        **extra,
    }


def test_key_is_stored_hashed_only(provider):
    p, key, _ = provider
    p.refresh_from_db()
    assert key not in (p.key_hash, p.key_prefix) and len(p.key_hash) == 64


def test_same_key_same_body_books_once_and_returns_the_same_booking(provider):
    _, _, client = provider
    plan, _ = make_plan([50_000_000, 50_000_000])
    first = client.post(URL, body(plan), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "applied"
    again = client.post(URL, body(plan), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert IncomingPayment.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1
    plan.refresh_from_db()
    assert plan.paid_tiyn == 8_333_334


def test_same_key_different_body_is_409_with_the_error_body(provider):
    _, _, client = provider
    plan, _ = make_plan([50_000_000, 50_000_000])
    client.post(URL, body(plan), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    clash = client.post(URL, body(plan, amount=1), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "idempotency_key_reused"
    assert clash.json()["error"]["extra"] == {"idempotency_key": "k-2"}
    assert IncomingPayment.objects.count() == 1


def test_the_request_hash_stays_the_one_stored_on_earlier_payments():
    item = PaymentIn("k", 12_345, datetime(2026, 1, 5, 10, tzinfo=UTC), "900101300123", "FK-1")
    body = {
        "amount_tiyn": 12_345, "paid_at": "2026-01-05T10:00:00+00:00",
        "payer_iin": "900101300123", "case_reference": "FK-1",
    }  # fmt: skip
    stored = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    assert item.request_hash() == stored


def test_missing_key_header_bad_amount_and_no_payer_are_4xx(provider):
    _, _, client = provider
    plan, _ = make_plan([50_000_000])
    r = client.post(URL, body(plan), format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "idempotency_key_required"
    r = client.post(URL, body(plan, amount="12.50"), format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert r.status_code == 400 and "amount_tiyn" in r.json()["error"]["fields"]
    r = client.post(URL, body(plan, amount=0), format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert r.status_code == 400
    r = client.post(
        URL, {"amount_tiyn": 5, "paid_at": "2026-01-30T10:00:00Z"}, format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )  # fmt: skip
    assert r.status_code == 400 and "case_reference" in r.json()["error"]["fields"]
    r = client.post(URL, body(plan, payer_iin="123"), format="json", HTTP_IDEMPOTENCY_KEY="y")
    assert r.status_code == 400 and "payer_iin" in r.json()["error"]["fields"]
    assert IncomingPayment.objects.count() == 0


def test_without_or_with_a_wrong_api_key_is_401():
    plan, _ = make_plan([50_000_000])
    assert APIClient().post(URL, body(plan), format="json").status_code == 401
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="pk_wrong")
    assert client.post(URL, body(plan), format="json", HTTP_IDEMPOTENCY_KEY="z").status_code == 401
    # a logged-in creditor is not a payment provider
    staff = CreditorStaffFactory()
    session = APIClient()
    session.force_login(staff.user)
    assert session.post(URL, body(plan), format="json", HTTP_IDEMPOTENCY_KEY="z").status_code in (
        401, 403,
    )  # fmt: skip
    assert IncomingPayment.objects.count() == 0


def test_unknown_case_goes_to_suspense_and_payment_after_completion_to_refund(provider):
    _, _, client = provider
    r = client.post(
        URL, {"amount_tiyn": 500, "paid_at": "2026-01-30T10:00:00Z", "case_reference": "FK-NOPE"},
        format="json", HTTP_IDEMPOTENCY_KEY="s-1",
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "suspense"
    legs = LedgerEntry.objects.filter(transaction_id=r.json()["transaction_id"])
    assert {(e.account.code, e.side, e.amount_tiyn) for e in legs} == {
        ("bank", "D", 500), ("suspense", "C", 500),
    }  # fmt: skip

    plan, _ = make_plan([1_000, 2_000])
    r = client.post(URL, body(plan, amount=3_500), format="json", HTTP_IDEMPOTENCY_KEY="o-1")
    assert r.json()["applied_tiyn"] == 3_000 and r.json()["refund_tiyn"] == 500
    plan.refresh_from_db()
    assert plan.status == "completed"
    r = client.post(URL, body(plan, amount=700), format="json", HTTP_IDEMPOTENCY_KEY="o-2")
    assert r.json()["status"] == PaymentStatus.REFUND and r.json()["refund_tiyn"] == 700


def test_payer_iin_alone_finds_the_plan_and_a_mismatching_pair_does_not(provider):
    _, _, client = provider
    plan, _ = make_plan([50_000_000])
    iin = plan.case.borrower.iin
    r = client.post(
        URL, {"amount_tiyn": 100, "paid_at": "2026-02-01T00:00:00+05:00", "payer_iin": iin},
        format="json", HTTP_IDEMPOTENCY_KEY="i-1",
    )  # fmt: skip
    assert r.json()["status"] == "applied" and r.json()["paid_on"] == "2026-02-01"
    other = BorrowerFactory()
    r = client.post(URL, body(plan, amount=100, payer_iin=other.iin), format="json",
                    HTTP_IDEMPOTENCY_KEY="i-2")  # fmt: skip
    assert r.json()["status"] == "suspense"


def test_portal_pay_button_books_through_the_same_service_once(client):
    plan, _ = make_plan([50_000_000, 10_000_000], first_due=date(2026, 1, 31))
    client.force_login(plan.case.borrower.user)
    url = reverse("schedules:borrower_schedule")
    page = client.get(url)
    assert page.status_code == 200 and plan.case.reference in page.content.decode()
    key = page.context["form"].initial["idempotency_key"]
    for _ in range(2):  # a double click
        r = client.post(url, {"amount": "50 000,00", "idempotency_key": key})
        assert r.status_code == 302, r.context["form"].errors
    assert IncomingPayment.objects.get().amount_tiyn == 5_000_000
    bad = client.post(url, {"amount": "abc", "idempotency_key": key})
    assert bad.status_code == 200 and bad.context["form"].errors["amount"]


def test_portal_schedule_is_own_plan_only(client):
    make_plan([50_000_000])
    stranger = CaseFactory().borrower  # has a case, no plan
    client.force_login(stranger.user)
    assert client.get(reverse("schedules:borrower_schedule")).status_code == 404
    staff = CreditorStaffFactory()
    client.force_login(staff.user)
    assert client.get(reverse("schedules:borrower_schedule")).status_code == 403


def test_keys_with_tabs_newlines_and_backslashes_round_trip_through_copy():
    from schedules.services.payments import book_payment
    from tests.support.payments import pay

    plan, _ = make_plan([50_000])
    key = "odd\tkey\\with\nnewline\r и юникод"
    first = book_payment(source="s\t1", item=pay(key, 100, date(2026, 1, 5), plan=plan))
    stored = IncomingPayment.objects.get()
    assert stored.idempotency_key == key and stored.source == "s\t1"
    assert LedgerTransaction.objects.get().description == f"s\t1:{key}"
    again = book_payment(source="s\t1", item=pay(key, 100, date(2026, 1, 5), plan=plan))
    assert not again.created and again.payment.pk == first.payment.pk


def test_create_payment_provider_command_prints_a_working_key_once():
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("create_payment_provider", "halyk", "Halyk", stdout=out)
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    plan, _ = make_plan([50_000])
    assert (
        client.post(URL, body(plan, amount=5), format="json", HTTP_IDEMPOTENCY_KEY="h").status_code
        == 201
    )
    with pytest.raises(CommandError):
        call_command("create_payment_provider", "halyk", stdout=io.StringIO())
    call_command("create_payment_provider", "halyk", "--rotate", stdout=io.StringIO())
    assert (
        client.post(URL, body(plan, amount=5), format="json", HTTP_IDEMPOTENCY_KEY="i").status_code
        == 401
    )
