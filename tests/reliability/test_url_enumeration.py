"""Every URL of the borrower's portal, the creditor's dashboard and the creditor API, found
by walking the URL resolver (so a page added later is attacked without anyone listing it):
anonymous callers are sent to sign in (the API: 401 in the error body), a borrower does not
reach creditor pages, and creditor staff do not reach the borrower's pages."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import BorrowerFactory, CreditorStaffFactory

pytestmark = pytest.mark.django_db

# pages anyone may open: signing up, identifying to sign up, a forgotten password
PUBLIC = {"/portal/register/", "/portal/register/identify/", "/portal/forgot-password/"}
FILL = {"uuid": str(uuid.UUID(int=7)), "str": "x", "int": "1", "slug": "x", "path": "x"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _url(route: str) -> str:
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: FILL[m.group(1) or "str"], route)
    return "/" + url.lstrip("^").rstrip("$")


def urls(start: str) -> list[str]:
    found = sorted({_url(r) for r in _walk(get_resolver().url_patterns)})
    return [u for u in found if u.startswith(start) and "(?P" not in u]


PORTAL = [u for u in urls("/portal/") if u not in PUBLIC]
CREDITOR = urls("/creditor/")
API = urls("/api/v1/creditor/")


def test_the_walk_finds_round_4_pages():
    assert "/portal/refund/" in PORTAL and "/portal/schedule/payoff/" in PORTAL
    assert "/creditor/transfers/" in CREDITOR and "/creditor/variations/" in CREDITOR
    assert f"/api/v1/creditor/cases/{FILL['uuid']}/payoff/" in API


@pytest.mark.parametrize("url", PORTAL + CREDITOR)
def test_anonymous_is_sent_to_sign_in(client, url):
    """The method the page takes sends to sign in; the other may be refused (405)."""
    answers = [method(url) for method in (client.get, client.post)]
    to_login = [r for r in answers if r.status_code == 302 and "/login/" in r.url]
    assert to_login and all(r in to_login or r.status_code == 405 for r in answers), url


@pytest.mark.parametrize("url", API)
def test_anonymous_api_call_is_401(client, url):
    response = client.get(url)
    assert response.status_code in (401, 405) and "error" in response.json(), url


@pytest.mark.parametrize("url", PORTAL)
def test_creditor_staff_do_not_reach_the_borrowers_pages(client, url):
    client.force_login(CreditorStaffFactory().user)
    assert client.get(url).status_code in (403, 404, 405), url


@pytest.mark.parametrize("url", CREDITOR + API)
def test_a_borrower_does_not_reach_creditor_pages(client, url):
    client.force_login(BorrowerFactory().user)
    assert client.get(url).status_code in (403, 404, 405), url
