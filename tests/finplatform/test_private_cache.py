"""Personal pages and API answers are never cached (finplatform.middleware.PrivateCacheMiddleware):
`Cache-Control: private, no-store` on every answer to a signed-in session or an API key and on
every answer that sets a cookie or varies by Cookie; a view's own Cache-Control (downloads,
`never_cache`) is kept, and a page that reads no session stays cacheable. Before the fix the
cabinet, the schedule, the case page, the dashboard and the creditor API sent none."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from finplatform import wsgi
from finplatform.middleware import PrivateCacheMiddleware
from schedules.models import PaymentProvider
from tests.factories import CreditorStaffFactory
from tests.provider_api.test_machine_api_chain import call
from tests.support.endings import active_plan
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
NO_STORE = "private, no-store"


def test_the_borrowers_pages_are_not_stored(client):
    world = active_plan()
    client.force_login(world.case.borrower.user)
    for url in ("/portal/", "/portal/schedule/", f"/portal/cases/{world.case.reference}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_the_dashboard_and_the_creditor_api_are_not_stored(client):
    world = active_plan()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    response = client.get("/creditor/")
    assert response.status_code == 200 and response["Cache-Control"] == NO_STORE
    api = api_client_for(world.creditors[0])
    for url in ("/api/v1/creditor/cases/", f"/api/v1/creditor/cases/{world.case.pk}/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_a_download_keeps_its_own_header_and_the_admin_its_never_cache(client):
    world = active_plan()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    response = client.get("/creditor/payouts.csv")
    assert response.status_code == 200 and response["Cache-Control"] == NO_STORE
    login = client.get("/admin/login/")  # never_cache: Django's own, left as it is
    assert "must-revalidate" in login["Cache-Control"], login["Cache-Control"]


@pytest.mark.django_db(transaction=True)  # the WSGI call closes the connection at its end
def test_the_provider_api_through_the_short_chain_is_not_stored_either():
    provider = PaymentProvider(code="nostore", name="No store")
    key = provider.set_new_key()
    provider.save()
    body = json.dumps({"amount_tiyn": 100_00, "paid_at": "2026-01-30T10:00:00Z",
                       "case_reference": "FK-NOPLAN01"}).encode()  # fmt: skip
    for app in (wsgi.application, wsgi.django_application):
        status, headers, content = call(app, "/api/v1/payments/", body=body, x_api_key=key,
                                        idempotency_key="no-store-1")  # fmt: skip
        assert status in (200, 201), content
        assert headers["Cache-Control"] == NO_STORE


# --- the rule, request by request -----------------------------------------------------------


class Session(dict):
    def __init__(self, *, accessed: bool):
        super().__init__()
        self.accessed = accessed


def run(request, response: HttpResponse) -> HttpResponse:
    return PrivateCacheMiddleware(lambda _request: response)(request)


@pytest.fixture
def anonymous():
    request = RequestFactory().get("/")
    request.session, request.user = Session(accessed=False), AnonymousUser()
    return request


def test_a_page_that_reads_no_session_and_sets_no_cookie_stays_cacheable(anonymous):
    assert "Cache-Control" not in run(anonymous, HttpResponse("front page"))


def test_a_cookie_or_vary_cookie_or_an_api_key_makes_it_private(anonymous):
    with_cookie = HttpResponse()
    with_cookie.set_cookie("csrftoken", "x")
    assert run(anonymous, with_cookie)["Cache-Control"] == NO_STORE
    varies = HttpResponse()
    varies["Vary"] = "Accept-Language, Cookie"
    assert run(anonymous, varies)["Cache-Control"] == NO_STORE
    anonymous.auth = object()  # what DRF sets after an API-key check
    assert run(anonymous, HttpResponse())["Cache-Control"] == NO_STORE


def test_a_signed_in_session_makes_it_private_and_a_views_own_header_wins(anonymous):
    anonymous.session.accessed = True
    anonymous.user = CreditorStaffFactory().user
    assert run(anonymous, HttpResponse())["Cache-Control"] == NO_STORE
    own = HttpResponse()
    own["Cache-Control"] = "public, max-age=60"
    assert run(anonymous, own)["Cache-Control"] == "public, max-age=60"


def test_a_static_file_is_served_before_the_middleware():
    chain = settings.MIDDLEWARE
    here = chain.index("finplatform.middleware.PrivateCacheMiddleware")
    assert chain.index("whitenoise.middleware.WhiteNoiseMiddleware") < here
    # outside the session middleware: it sees the Vary: Cookie and Set-Cookie that adds
    assert here < chain.index("django.contrib.sessions.middleware.SessionMiddleware")
