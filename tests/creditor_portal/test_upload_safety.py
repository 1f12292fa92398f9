"""The assignment agreement on the creditor's side: every hostile upload is refused with a
field error (dashboard) or the documented 400 body (API) and nothing is recorded; the stored
name is safe; the agreement downloads only to the seller and the buyer, as a nosniff
attachment."""

from datetime import date

import pytest
import time_machine

from schedules.models import ClaimTransfer
from tests.factories import CreditorStaffFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.uploads import (
    HOSTILE_NAME,
    PDF_BYTES,
    assert_safe_download,
    assert_safe_name,
    attacks,
    pdf,
)  # fmt: skip
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/creditor/transfers/"


@pytest.fixture
def world():
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000))
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        yield world


def _body(world, buyer, document):
    return {"case_loan": str(world.loans[0].pk), "buyer_bin": buyer.bin,
            "effective_on": "2026-02-05", "document": document}  # fmt: skip


@pytest.mark.parametrize("index", range(4), ids=[a[0] for a in attacks()])
def test_api_refuses_each_hostile_document_with_a_field_error(world, index):
    _what, upload, message = attacks()[index]
    response = api_client_for(world.creditors[0]).post(
        API, _body(world, new_creditor(), upload), format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert message in " ".join(error["fields"]["document"])
    assert not ClaimTransfer.objects.exists()


@pytest.mark.parametrize("index", range(4), ids=[a[0] for a in attacks()])
def test_dashboard_refuses_each_hostile_document_with_a_field_error(client, world, index):
    _what, upload, message = attacks()[index]
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    response = client.post("/creditor/transfers/", {
        **_body(world, new_creditor(), upload), "case_loan": world.loans[0].pk})  # fmt: skip
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors["document"])
    assert not ClaimTransfer.objects.exists()


@pytest.mark.parametrize("language, text", [
    ("ru", "Файл не является документом PDF."), ("kk", "Файл PDF құжаты емес."),
    ("en", "The file is not a PDF document."),
])  # fmt: skip
def test_dashboard_speaks_the_refusal_in_each_language(client, world, language, text):
    staff = CreditorStaffFactory(creditor=world.creditors[0], preferred_language=language)
    client.force_login(staff.user)  # a staff member's own language wins (issue 15 point 9)
    body = {**_body(world, new_creditor(), attacks()[2][1]), "case_loan": world.loans[0].pk}
    response = client.post("/creditor/transfers/", body)
    assert text in response.content.decode()


def test_a_hostile_name_is_stored_safe_and_the_agreement_downloads_to_both_parties(world):
    seller, other = world.creditors
    buyer = new_creditor()
    response = api_client_for(seller).post(
        API, _body(world, buyer, pdf(HOSTILE_NAME)), format="multipart"
    )
    assert response.status_code == 201, response.content
    transfer = ClaimTransfer.objects.get()
    assert_safe_name(transfer.document_name)
    url = f"{API}{transfer.pk}/document/"
    for party in (seller, buyer):
        download = api_client_for(party).get(url)
        assert_safe_download(download)
        assert download["Content-Disposition"].count("filename") == 1
    assert api_client_for(other).get(url).status_code == 404  # another creditor


def test_dashboard_download_is_scoped_to_seller_and_buyer(client, world):
    seller, other = world.creditors
    buyer = new_creditor()
    api_client_for(seller).post(API, _body(world, buyer, pdf()), format="multipart")
    transfer = ClaimTransfer.objects.get()
    url = f"/creditor/transfers/{transfer.pk}/document/"
    for party in (seller, buyer):
        client.force_login(CreditorStaffFactory(creditor=party).user)
        assert_safe_download(client.get(url))
    client.force_login(CreditorStaffFactory(creditor=seller).user)
    assert url in client.get("/creditor/transfers/").content.decode()
    client.force_login(CreditorStaffFactory(creditor=other).user)
    assert client.get(url).status_code == 404


def test_openapi_documents_the_400_and_the_download(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    post = schema["paths"][API]["post"]
    assert "400" in post["responses"]
    download = schema["paths"][f"{API}{{transfer_id}}/document/"]["get"]["responses"]
    assert "application/pdf" in download["200"]["content"] and "404" in download
    assert PDF_BYTES  # the fixture the other tests upload
