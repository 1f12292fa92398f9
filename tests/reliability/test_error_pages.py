"""Every error Django raises outside a view answers in the house format: the branded page in the
reader's language, or under /api/ the API's one error body — never Django's bare English
"Bad Request (400)" or its CSRF page. A NUL byte in a filter the page reads through a form
(the creditor's dashboard status, the statements' month) is that form's error on the page.

Before the fix `?status=%00`, `?q=%00` and `?month=abc%00` answered Django's bare 400 page:
NulByteMiddleware refused them (PostgreSQL refuses NUL in text) and there was no 400.html."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from finplatform import views
from tests.factories import CreditorStaffFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.documents import banking_plan
from tests.support.endings import almaty_noon
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db
BARE = "Bad Request (400)"
HEADING = "This request could not be understood"


def translated(text: str, language: str) -> str:
    with translation.override(language):
        words = translation.gettext(text)
    assert language == "en" or words != text, f"{text!r} has no {language} translation"
    return words


def assert_branded_400(response, language: str = "en"):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert BARE not in page
    assert translated(HEADING, language) in page
    assert f'<html lang="{language}">' in page and "brand-mark" in page


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_admin_search_with_a_nul_is_the_branded_400_in_the_staff_members_language(
    client, language
):
    client.force_login(ombudsman_user("banking", language=language))
    assert_branded_400(client.get("/admin/resolution/case/?q=%00"), language)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_nul_in_the_path_is_refused_first_and_still_answers_in_the_language_cookie(
    client, language
):
    client.cookies["django_language"] = language
    assert_branded_400(client.get("/portal/cases/FK%00/"), language)


def test_a_foreign_host_is_the_branded_400_too(client):
    """Refused before the user is known: the page renders as for someone signed out."""
    assert_branded_400(client.get("/login/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en"))


def test_a_nul_in_the_dashboard_filter_is_the_filters_error_not_a_400(client):
    world = awaiting_case()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    client.cookies["django_language"] = "en"
    response = client.get("/creditor/?status=%00")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a status from the list." in page and BARE not in page
    assert world.case.reference in page  # the filter fell back to every case
    assert client.get("/creditor/?status=%00&needs_action=%00").status_code == 200


def test_a_nul_in_the_creditors_statement_month_is_the_period_forms_error(client):
    world = awaiting_case()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    client.cookies["django_language"] = "en"
    for fmt in ("pdf", "csv"):
        response = client.get(f"/creditor/statement.{fmt}?month=abc%00")
        assert response.status_code == 400  # the period form's answer, as for any bad month
        page = response.content.decode()
        assert "Enter a valid date." in page and BARE not in page


def test_a_nul_in_the_borrowers_statement_month_is_the_month_forms_error(client):
    world = banking_plan()
    client.force_login(world.case.borrower.user)
    client.cookies["django_language"] = "en"
    url = reverse("schedules:borrower_statement_pdf", args=[world.case.reference])
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        response = client.get(f"{url}?month=abc%00")
    assert response.status_code == 400  # the schedule page with the form's error, as before
    page = response.content.decode()
    assert "Choose a month from the list." in page and BARE not in page


def test_a_nul_in_another_parameter_of_those_pages_is_still_refused(client):
    """Only the views that read the query through their form let a NUL through."""
    world = awaiting_case()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    client.cookies["django_language"] = "en"
    assert_branded_400(client.get("/creditor/payouts/?status=%00"))


API_NUL_URLS = [
    "/api/v1/creditor/cases/?status=%00",
    "/api/v1/creditor/cases/%00/",
    "/api/v1/payments/?x=%00",
]


@pytest.mark.parametrize("url", API_NUL_URLS)
def test_under_api_a_nul_is_the_json_error_body(url):
    response = api_client_for(awaiting_case().creditors[0]).get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "bad_request"


def test_a_csrf_failure_is_the_branded_page_in_the_readers_language():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="kk")
    response = client.post("/login/", {"iin": "000000000000", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert translated("The form has expired", "kk") in page
    assert "CSRF verification failed" not in page and "brand-mark" in page


def test_outside_drf_an_api_403_or_csrf_failure_is_the_json_error_body():
    request = RequestFactory().post("/api/v1/creditor/cases/")
    denied = views.permission_denied(request, PermissionDenied())
    assert denied.status_code == 403
    assert b'"code": "permission_denied"' in denied.content
    csrf = views.csrf_failure(request, reason="CSRF cookie not set.")
    assert csrf.status_code == 403 and b'"code": "csrf_failed"' in csrf.content


def test_a_page_403_is_the_branded_page(client):
    world = awaiting_case()
    client.force_login(world.case.borrower.user)  # a borrower at the creditors' dashboard
    client.cookies["django_language"] = "en"
    response = client.get("/creditor/")
    assert response.status_code == 403
    assert "Your account cannot open this page." in response.content.decode()
