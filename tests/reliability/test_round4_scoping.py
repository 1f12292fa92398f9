"""Round 4's screens and endpoints attacked across their boundaries: another borrower's and
another organisation's ids (read and write), the wrong role, anonymous callers, CSRF-less
session POSTs, repeated POSTs, methods not allowed, malformed ids and out-of-range input.
Each must answer 4xx (the API: the documented JSON error body) or a form error, never a 500,
and write nothing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from resolution.models import Variation, VariationObjection
from resolution.services.variations import propose_variation, request_variation
from schedules.models import ClaimTransfer, PayoffQuote
from tests.factories import BorrowerFactory, CreditorStaffFactory, UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
ON = date(2026, 3, 10)
API = "/api/v1/creditor"


def pdf(name="agreement.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 agreement", content_type="application/pdf")


@pytest.fixture
def today():
    with time_machine.travel(almaty_noon(ON), tick=False):
        yield


@pytest.fixture
def mine(today):
    """An active plan of two creditors with a proposed variation (the victim's world)."""
    world = active_plan((180_000_000, 120_000_000), language="en")
    variation = request_variation(
        case=world.case, kind="holiday", holiday_months=2, reason="illness",
        monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4", evidence_name="note.pdf",
    )  # fmt: skip
    world.variation = propose_variation(variation_id=variation.pk,
                                        staff=UserFactory(is_staff=True))  # fmt: skip
    return world


def _error_body(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]


# --- the creditor API: another organisation ---------------------------------------------------


def test_api_another_organisation_reads_nothing_of_the_case(mine):
    stranger = api_client_for(new_creditor())
    case = mine.case.pk
    for url in (f"{API}/cases/{case}/payoff/", f"{API}/cases/{case}/allocations/",
                f"{API}/cases/{case}/schedule-versions/",
                f"{API}/variations/{mine.variation.pk}/"):  # fmt: skip
        _error_body(stranger.get(url), 404)
    assert stranger.get(f"{API}/variations/").json() == []
    assert stranger.get(f"{API}/transfers/").json() == []


def test_api_another_organisation_cannot_object_to_a_variation(mine):
    stranger = api_client_for(new_creditor())
    url = f"{API}/variations/{mine.variation.pk}/object/"
    _error_body(stranger.post(url, {"reason": "not ours"}, format="json"), 404)
    assert not VariationObjection.objects.exists()
    assert Variation.objects.get(pk=mine.variation.pk).status == mine.variation.status


def test_api_cannot_record_the_sale_of_a_loan_the_caller_does_not_hold(mine):
    stranger, buyer = new_creditor(), new_creditor()
    body = {"case_loan": str(mine.loans[0].pk), "buyer_bin": buyer.bin,
            "effective_on": "2026-03-10", "document": pdf()}  # fmt: skip
    _error_body(api_client_for(stranger).post(f"{API}/transfers/", body, format="multipart"), 404)
    # nor sell it to itself: the buyer records "its" purchase of the seller's loan
    body["buyer_bin"], body["document"] = stranger.bin, pdf()
    _error_body(api_client_for(buyer).post(f"{API}/transfers/", body, format="multipart"), 404)
    assert not ClaimTransfer.objects.exists()


def test_api_another_organisations_transfer_is_404(mine):
    seller_api = api_client_for(mine.creditors[0])
    body = {"case_loan": str(mine.loans[0].pk), "buyer_bin": new_creditor().bin,
            "effective_on": "2026-03-10", "document": pdf()}  # fmt: skip
    created = seller_api.post(f"{API}/transfers/", body, format="multipart")
    assert created.status_code == 201, created.content
    transfer_id = created.json()["id"]
    _error_body(api_client_for(mine.creditors[1]).get(f"{API}/transfers/{transfer_id}/"), 404)
    _error_body(api_client_for(new_creditor()).get(f"{API}/transfers/{transfer_id}/"), 404)
    # a retry of the same sale is a conflict, not a second pending transfer
    body["document"] = pdf()
    _error_body(seller_api.post(f"{API}/transfers/", body, format="multipart"), 409)
    assert ClaimTransfer.objects.count() == 1


@pytest.mark.parametrize("effective_on", ["0001-01-01", "1900-01-01", "9999-12-31", "2027-01-01",
                                          "2026-02-30", "yesterday", ""])  # fmt: skip
def test_api_transfer_dates_out_of_range_are_a_clear_4xx(mine, effective_on):
    body = {"case_loan": str(mine.loans[0].pk), "buyer_bin": new_creditor().bin,
            "effective_on": effective_on, "document": pdf()}  # fmt: skip
    response = api_client_for(mine.creditors[0]).post(f"{API}/transfers/", body,
                                                      format="multipart")  # fmt: skip
    assert 400 <= response.status_code < 500, response.content
    assert "error" in response.json()
    assert not ClaimTransfer.objects.exists()


@pytest.mark.parametrize("case_loan", ["not-a-uuid", "1", "-1", "9" * 400, str(uuid.uuid4())])
def test_api_transfer_malformed_or_unknown_loan_is_a_clear_4xx(mine, case_loan):
    body = {"case_loan": case_loan, "buyer_bin": new_creditor().bin,
            "effective_on": "2026-03-10", "document": pdf()}  # fmt: skip
    response = api_client_for(mine.creditors[0]).post(f"{API}/transfers/", body,
                                                      format="multipart")  # fmt: skip
    assert response.status_code in (400, 404), response.content
    assert "error" in response.json()


NIL = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("path", ["cases/not-a-uuid/payoff/", "variations/123/",
                                  "variations/../object/", "transfers/-1/",
                                  f"cases/{NIL}/allocations/"])  # fmt: skip
def test_api_malformed_ids_are_404_not_500(mine, path):
    response = api_client_for(mine.creditors[0]).get(f"{API}/{path}")
    assert response.status_code == 404


def test_api_objection_reason_too_long_or_wrong_type_is_400(mine):
    api = api_client_for(mine.creditors[0])
    url = f"{API}/variations/{mine.variation.pk}/object/"
    for body in ({"reason": "x" * 2001}, {"reason": ["a"]}, {"reason": {"a": 1}}, [1, 2]):
        _error_body(api.post(url, body, format="json"), 400)
    assert not VariationObjection.objects.exists()


@pytest.mark.parametrize("path", ["variations/", "cases/"])
@pytest.mark.parametrize("value", ["%00bogus", "bogus"])
def test_api_list_filter_with_an_unknown_status_is_400_not_500(mine, path, value):
    """Failed before the fix: a NUL byte in ?status= reached PostgreSQL (500)."""
    api = api_client_for(mine.creditors[0])
    _error_body(api.get(f"{API}/{path}?status={value}"), 400)
    assert api.get(f"{API}/{path}?status=").status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("delete", "cases/{case}/payoff/"), ("post", "cases/{case}/payoff/"),
    ("put", "variations/{variation}/"), ("get", "variations/{variation}/object/"),
    ("delete", "transfers/"), ("post", "cases/{case}/schedule-versions/"),
    ("patch", "cases/{case}/allocations/"),
])  # fmt: skip
def test_api_methods_not_allowed_answer_405_with_the_error_body(mine, method, path):
    url = f"{API}/" + path.format(case=mine.case.pk, variation=mine.variation.pk)
    _error_body(getattr(api_client_for(mine.creditors[0]), method)(url), 405)


@pytest.mark.parametrize("path", ["cases/{case}/payoff/", "cases/{case}/allocations/",
                                  "cases/{case}/schedule-versions/", "variations/",
                                  "variations/{variation}/", "transfers/"])  # fmt: skip
def test_api_anonymous_and_bad_key_get_401(mine, path):
    from rest_framework.test import APIClient

    url = f"{API}/" + path.format(case=mine.case.pk, variation=mine.variation.pk)
    _error_body(APIClient().get(url), 401)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    _error_body(bad.get(url), 401)


# --- the creditor dashboard ---------------------------------------------------------------


def test_dashboard_another_organisation_cannot_object_or_sell(client, mine):
    stranger = CreditorStaffFactory()
    client.force_login(stranger.user)
    url = f"/creditor/variations/{mine.variation.pk}/object/"
    assert client.post(url, {f"{mine.variation.pk.hex}-reason": "x"}).status_code == 404
    assert not VariationObjection.objects.exists()
    page = client.get("/creditor/variations/")
    assert page.status_code == 200 and mine.case.reference not in page.text
    sale = client.post("/creditor/transfers/", {
        "case_loan": str(mine.loans[0].pk), "buyer_bin": new_creditor().bin,
        "effective_on": "2026-03-10", "document": pdf()})  # fmt: skip
    assert sale.status_code == 400 and "case_loan" in sale.context["form"].errors
    assert not ClaimTransfer.objects.exists()


@pytest.mark.parametrize("effective_on", ["0001-01-01", "9999-12-31", "2026-13-01"])
def test_dashboard_transfer_dates_out_of_range_are_form_errors(client, mine, effective_on):
    staff = CreditorStaffFactory(creditor=mine.creditors[0])
    client.force_login(staff.user)
    sale = client.post("/creditor/transfers/", {
        "case_loan": str(mine.loans[0].pk), "buyer_bin": new_creditor().bin,
        "effective_on": effective_on, "document": pdf()})  # fmt: skip
    assert sale.status_code == 400 and sale.context["form"].errors
    assert not ClaimTransfer.objects.exists()


def test_dashboard_objection_repeated_is_recorded_once(client, mine):
    staff = CreditorStaffFactory(creditor=mine.creditors[0])
    client.force_login(staff.user)
    url = f"/creditor/variations/{mine.variation.pk}/object/"
    for _ in range(3):
        assert client.post(url, {f"{mine.variation.pk.hex}-reason": "too low"}).status_code == 302
    assert VariationObjection.objects.count() == 1


def test_dashboard_objection_get_is_405_and_malformed_id_404(client, mine):
    staff = CreditorStaffFactory(creditor=mine.creditors[0])
    client.force_login(staff.user)
    assert client.get(f"/creditor/variations/{mine.variation.pk}/object/").status_code == 405
    assert client.post("/creditor/variations/not-a-uuid/object/").status_code == 404


# --- the borrower's portal: another borrower ------------------------------------------------


def test_portal_another_borrower_reaches_nothing_of_the_variation(client, mine):
    client.force_login(BorrowerFactory().user)
    v = mine.variation.pk
    for url in (f"/portal/cases/{mine.case.pk}/changes/", f"/portal/cases/changes/{v}/",
                f"/portal/cases/changes/{v}/agreement.pdf"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url in (f"/portal/cases/{mine.case.pk}/changes/", f"/portal/cases/changes/{v}/code/",
                f"/portal/cases/changes/{v}/sign/"):  # fmt: skip
        assert client.post(url, {"code": "123456"}).status_code == 404, url
    assert Variation.objects.filter(case=mine.case).count() == 1
    assert not mine.variation.codes.exists()


def test_portal_another_borrower_cannot_flag_a_loan_as_not_mine(client, mine):
    other = active_plan((10_000_000,))
    client.force_login(other.case.borrower.user)
    # the victim's case, and the victim's loan under the attacker's own case reference
    for reference in (mine.case.reference, other.case.reference):
        url = f"/portal/cases/{reference}/loans/{mine.loans[0].pk}/not-mine/"
        assert client.post(url, {"statement": "not mine"}).status_code == 404
    from resolution.models import FraudFlag

    assert not FraudFlag.objects.exists()


def test_portal_payoff_and_refund_without_a_plan_are_404(client, mine):
    client.force_login(BorrowerFactory().user)
    for url in ("/portal/schedule/payoff/", "/portal/refund/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"step": "request"}).status_code == 404
    assert not PayoffQuote.objects.exists()


def test_portal_payoff_repeated_posts_make_one_quote(client, mine):
    client.force_login(mine.case.borrower.user)
    for _ in range(3):
        assert client.post("/portal/schedule/payoff/").status_code == 302
    assert PayoffQuote.objects.filter(plan=mine.plan).count() == 1
    assert client.put("/portal/schedule/payoff/").status_code == 405


@pytest.mark.parametrize("purpose", ["bogus", "%00", "x" * 300, "processing' OR 1=1"])
def test_portal_consent_unknown_purpose_is_a_message_not_a_500(client, mine, purpose):
    client.force_login(mine.case.borrower.user)
    for action in ("withdraw", "give"):
        response = client.post(f"/portal/consents/{purpose}/{action}/")
        assert response.status_code in (302, 400, 404), (action, response.status_code)


def test_portal_consent_withdraw_twice_and_get(client, mine):
    from borrowers.consents import accept_consent

    borrower = mine.case.borrower
    accept_consent(borrower=borrower, purpose="notifications", method="cabinet")
    client.force_login(borrower.user)
    assert client.get("/portal/consents/notifications/withdraw/").status_code == 405
    for _ in range(2):
        assert client.post("/portal/consents/notifications/withdraw/").status_code == 302
    for _ in range(2):
        assert client.post("/portal/consents/notifications/give/").status_code == 302
    assert borrower.consents.filter(purpose="notifications", withdrawn_at__isnull=True).count() == 1


@pytest.mark.parametrize("income", ["-1", "0", "99999999999999999999", "1e308", "NaN", "-0,01"])
def test_portal_variation_income_out_of_range_is_a_field_error(client, mine, income):
    client.force_login(mine.case.borrower.user)
    Variation.objects.filter(pk=mine.variation.pk).update(status="declined")
    response = client.post(f"/portal/cases/{mine.case.pk}/changes/", {
        "kind": "lower", "reason": "r", "monthly_income": income, "proposed_monthly": income,
        "evidence": pdf("payslip.pdf")})  # fmt: skip
    assert response.status_code == 400
    assert Variation.objects.filter(case=mine.case).count() == 1


# --- the wrong role, anonymous, CSRF --------------------------------------------------------


BORROWER_PAGES = ["/portal/consents/", "/portal/refund/", "/portal/schedule/payoff/",
                  "/portal/cases/{case}/changes/", "/portal/cases/changes/{variation}/",
                  "/portal/cases/{ref}/loans/{loan}/not-mine/"]  # fmt: skip
CREDITOR_PAGES = ["/creditor/transfers/", "/creditor/variations/"]


def _fill(url, world):
    return url.format(case=world.case.pk, variation=world.variation.pk, ref=world.case.reference,
                      loan=world.loans[0].pk)  # fmt: skip


def test_creditor_staff_on_borrower_pages_and_borrower_on_creditor_pages_get_403(client, mine):
    client.force_login(CreditorStaffFactory(creditor=mine.creditors[0]).user)
    for url in BORROWER_PAGES:
        assert client.get(_fill(url, mine)).status_code == 403, url
    client.force_login(mine.case.borrower.user)
    for url in CREDITOR_PAGES:
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    staff = UserFactory(is_staff=True)  # an ombudsman's staff member is neither
    client.force_login(staff)
    for url in [*BORROWER_PAGES, *CREDITOR_PAGES]:
        assert client.get(_fill(url, mine)).status_code == 403, url


def test_anonymous_is_sent_to_login_from_every_new_page(client, mine):
    for url in [*BORROWER_PAGES, *CREDITOR_PAGES]:
        response = client.get(_fill(url, mine))
        assert response.status_code == 302 and "/login/" in response.url, url


def test_session_posts_without_csrf_token_are_refused(mine):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(mine.case.borrower.user)
    for url in [
        "/portal/schedule/payoff/",
        "/portal/consents/notifications/withdraw/",
        "/portal/refund/",
        f"/portal/cases/changes/{mine.variation.pk}/code/",
    ]:
        assert strict.post(url, {"step": "request"}).status_code == 403, url
    assert not PayoffQuote.objects.exists()
    strict.force_login(CreditorStaffFactory(creditor=mine.creditors[0]).user)
    url = f"/creditor/variations/{mine.variation.pk}/object/"
    assert strict.post(url, {f"{mine.variation.pk.hex}-reason": "x"}).status_code == 403
    assert not VariationObjection.objects.exists()


def test_dev_pages_do_not_exist_without_local_settings(settings):
    import importlib

    import portal.root_urls as root_urls

    settings.LOCAL = False
    try:
        names = [p.name for p in importlib.reload(root_urls).urlpatterns]
        assert "dev_clock" not in names and "dev_inbox" not in names
    finally:
        settings.LOCAL = True
        importlib.reload(root_urls)


def test_api_with_a_staff_session_needs_the_csrf_token(mine):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(CreditorStaffFactory(creditor=mine.creditors[0]).user)
    assert api.get(f"{API}/variations/").status_code == 200
    url = f"{API}/variations/{mine.variation.pk}/object/"
    _error_body(api.post(url, {"reason": "x"}, format="json"), 403)
    assert not VariationObjection.objects.exists()


def test_portal_repeated_requests_book_once(client, mine):
    """A double-submitted change request, 'not mine' statement and refund request: one each."""
    from resolution.models import FraudFlag

    client.force_login(mine.case.borrower.user)
    Variation.objects.filter(pk=mine.variation.pk).update(status="declined")
    for _ in range(2):
        client.post(f"/portal/cases/{mine.case.pk}/changes/", {
            "kind": "holiday", "reason": "r", "monthly_income": "150 000",
            "holiday_months": "2", "evidence": pdf("payslip.pdf")})  # fmt: skip
    assert Variation.objects.filter(case=mine.case).exclude(status="declined").count() == 1
    url = f"/portal/cases/{mine.case.reference}/loans/{mine.loans[1].pk}/not-mine/"
    for _ in range(2):
        assert client.post(url, {"statement": "never took it"}).status_code in (200, 302)
    assert FraudFlag.objects.filter(case_loan=mine.loans[1]).count() <= 1
