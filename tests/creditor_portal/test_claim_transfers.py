"""Claim transfers on the creditor's side: the REST API (list, record with the document,
scoping, access following the claim, OpenAPI) and the dashboard page."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.services.termination import approve_termination, request_termination
from resolution.services.transfers import approve_transfer
from schedules.models import ClaimTransfer
from tests.factories import CreditorStaffFactory, UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 2, 10)


def pdf(name="assignment.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 agreement", content_type="application/pdf")


@pytest.fixture
def world():
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        return active_plan((60_000_000, 40_000_000))


@pytest.fixture
def today():
    with time_machine.travel(almaty_noon(TODAY), tick=False):
        yield


def _post(client, world, buyer, **overrides):
    body = {"case_loan": str(world.loans[0].pk), "buyer_bin": buyer.bin,
            "effective_on": "2026-02-05", "document": pdf(), **overrides}  # fmt: skip
    return client.post("/api/v1/creditor/transfers/", body, format="multipart")


def test_api_records_a_sale_and_access_follows_the_claim_after_approval(world, today):
    seller, other = world.creditors
    buyer = new_creditor()
    seller_api, buyer_api = api_client_for(seller), api_client_for(buyer)
    response = _post(seller_api, world, buyer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["role"], body["status"], body["buyer"]["bin"]) == ("seller", "pending", buyer.bin)
    loan_url = f"/api/v1/creditor/loans/{world.loans[0].pk}/"
    assert seller_api.get(loan_url).status_code == 200  # nothing changes before approval
    assert buyer_api.get(loan_url).status_code == 404
    approve_transfer(transfer_id=body["id"], user=UserFactory())
    assert buyer_api.get(loan_url).status_code == 200
    assert buyer_api.get(f"/api/v1/creditor/cases/{world.case.pk}/").status_code == 200
    assert seller_api.get(loan_url).status_code == 404
    mine = seller_api.get("/api/v1/creditor/transfers/").json()
    assert [(t["role"], t["status"]) for t in mine] == [("seller", "approved")]
    bought = buyer_api.get(f"/api/v1/creditor/transfers/{body['id']}/").json()
    assert bought["role"] == "buyer" and bought["kept_tiyn"] == 0
    # a third organisation sees none of it
    outsider = api_client_for(other)
    assert outsider.get(f"/api/v1/creditor/transfers/{body['id']}/").status_code == 404
    assert outsider.get("/api/v1/creditor/transfers/").json() == []


def test_api_refuses_another_organisations_loan_and_bad_input(world, today):
    seller, other = world.creditors
    buyer = new_creditor()
    response = _post(api_client_for(other), world, buyer)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    bad_bin = _post(api_client_for(seller), world, buyer, buyer_bin="12")
    assert bad_bin.status_code == 400 and "buyer_bin" in bad_bin.json()["error"]["fields"]
    not_pdf = _post(
        api_client_for(seller), world, buyer, document=SimpleUploadedFile("x.pdf", b"x")
    )
    assert not_pdf.status_code == 400
    assert not_pdf.json()["error"]["code"] == "validation_error"  # the field says why
    assert "document" in not_pdf.json()["error"]["fields"]
    assert not ClaimTransfer.objects.exists()


def test_case_detail_shows_a_termination(world, today):
    termination = request_termination(
        case_id=world.case.pk,
        reason="bankruptcy",
        details="court ruling",
        document=pdf(),
        user=UserFactory(),
    )
    approve_termination(termination_id=termination.pk, user=UserFactory())
    body = api_client_for(world.creditors[0]).get(f"/api/v1/creditor/cases/{world.case.pk}/").json()
    assert body["status"] == "terminated"
    assert body["termination"] == {"ground": "bankruptcy", "terminated_on": "2026-02-10"}


def test_openapi_documents_transfers_and_the_terminated_status(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/creditor/transfers/" in schema["paths"]
    assert (
        "multipart/form-data"
        in (schema["paths"]["/api/v1/creditor/transfers/"]["post"]["requestBody"]["content"])
    )
    enums = [s.get("enum") or [] for s in schema["components"]["schemas"].values()]
    assert any("terminated" in e and "breached" in e for e in enums)  # the case status
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert "termination" in detail


def test_dashboard_page_records_a_sale_and_shows_field_errors(client, world, today):
    seller = world.creditors[0]
    buyer = new_creditor()
    client.force_login(CreditorStaffFactory(creditor=seller).user)
    page = client.get("/creditor/transfers/")
    assert page.status_code == 200 and world.case.reference in page.content.decode()
    bad = client.post(
        "/creditor/transfers/",
        {
            "case_loan": world.loans[0].pk,
            "buyer_bin": "1",
            "effective_on": "2026-02-05",
            "document": pdf(),
        },
    )
    assert bad.status_code == 400 and "A BIN has 12 digits." in bad.content.decode()
    done = client.post(
        "/creditor/transfers/",
        {
            "case_loan": world.loans[0].pk,
            "buyer_bin": buyer.bin,
            "effective_on": "2026-02-05",
            "document": pdf(),
        },
    )
    assert done.status_code == 302
    transfer = ClaimTransfer.objects.get()
    assert (transfer.from_creditor_id, transfer.recorded_via) == (seller.pk, "dashboard")
    listed = client.get("/creditor/transfers/").content.decode()
    assert buyer.name in listed
    # another organisation cannot offer this loan
    client.force_login(CreditorStaffFactory(creditor=world.creditors[1]).user)
    other = client.post(
        "/creditor/transfers/",
        {
            "case_loan": world.loans[0].pk,
            "buyer_bin": buyer.bin,
            "effective_on": "2026-02-05",
            "document": pdf(),
        },
    )
    assert other.status_code == 400
    assert ClaimTransfer.objects.count() == 1
