"""The payment provider's two endpoints run through the shorter middleware chain
(finplatform/wsgi.py): the same answers, statuses and headers as the full chain, without
sessions, CSRF, the signed-in user or messages; every other path keeps the full chain.

The WSGI application is called as gunicorn calls it (the test client has its own handler)."""

import io
import json
import sys

import pytest
from django.conf import settings

from finplatform import wsgi
from schedules.models import IncomingPayment, PaymentProvider
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db(transaction=True)


def call(app, path, *, body=b"", method="POST", **headers):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }  # fmt: skip
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    content = b"".join(app(environ, start_response))
    return int(seen["status"].split()[0]), seen["headers"], content


@pytest.fixture
def key():
    provider = PaymentProvider(code="machine", name="Machine")
    secret = provider.set_new_key()
    provider.save()
    return secret


def test_the_chain_is_the_full_one_without_the_browser_parts_in_the_same_order():
    assert settings.MACHINE_API_MIDDLEWARE == [
        m for m in settings.MIDDLEWARE if m not in settings.BROWSER_ONLY_MIDDLEWARE
    ]
    assert settings.BROWSER_ONLY_MIDDLEWARE <= set(settings.MIDDLEWARE)  # no stale names
    kept_names = [
        "RequestIdMiddleware", "NulByteMiddleware", "CommonMiddleware", "SecurityMiddleware",
        "LocaleMiddleware", "DatabaseUnavailableMiddleware",
    ]  # fmt: skip
    for kept in kept_names:
        assert any(m.endswith(kept) for m in settings.MACHINE_API_MIDDLEWARE), kept


def test_a_payment_through_the_short_chain_is_booked_and_answered_as_before(key):
    plan, _ = make_plan([6_000_000, 4_000_000])
    payload = json.dumps({"amount_tiyn": 1_000_00, "paid_at": "2026-01-30T10:00:00Z",
                          "case_reference": plan.case.reference}).encode()  # fmt: skip
    status, headers, content = call(
        wsgi.application, "/api/v1/payments/", body=payload, x_api_key=key, idempotency_key="m-1"
    )
    assert status == 201, content
    answer = json.loads(content)
    assert answer["status"] == "applied" and answer["applied_tiyn"] == 1_000_00
    assert IncomingPayment.objects.get(idempotency_key="m-1").plan_id == plan.pk
    assert headers["X-Request-ID"] and headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in headers
    again = call(wsgi.application, "/api/v1/payments/", body=payload, x_api_key=key,
                 idempotency_key="m-1")  # fmt: skip
    assert again[0] == 200 and json.loads(again[2])["id"] == answer["id"]
    assert IncomingPayment.objects.filter(idempotency_key="m-1").count() == 1


@pytest.mark.parametrize("path", ["/api/v1/payments/", "/api/v1/payments/batch/"])
def test_errors_status_body_and_headers_match_the_full_chain(path):
    short = call(wsgi.application, path, body=b"{}", x_api_key="wrong", accept_language="en")
    full = call(wsgi.django_application, path, body=b"{}", x_api_key="wrong",
                accept_language="en")  # fmt: skip
    assert short[0] == full[0] == 401
    assert json.loads(short[2])["error"] == json.loads(full[2])["error"]
    assert json.loads(short[2])["error"]["message"] == "Unknown or inactive API key."
    # the full chain reads the session (Vary: Cookie), and so its refusal is also not stored
    ignore = {"X-Request-ID", "Vary", "Set-Cookie", "Cache-Control"}
    assert {k: v for k, v in short[1].items() if k not in ignore} == {
        k: v for k, v in full[1].items() if k not in ignore
    }


def test_the_short_chain_still_refuses_a_foreign_host_and_a_nul_byte(key):
    assert call(wsgi.application, "/api/v1/payments/", host="evil.example")[0] == 400
    status, _, content = call(wsgi.application, "/api/v1/payments/", body=b'{"a": 1}',
                              x_api_key=key, idempotency_key="k\x00")  # fmt: skip
    assert status == 400, content


def test_only_the_two_exact_paths_take_the_short_chain():
    assert wsgi.MACHINE_API_PATHS == {"/api/v1/payments/", "/api/v1/payments/batch/"}
    # the sign-in page under the full chain sets the CSRF cookie; its session is there
    status, headers, _ = call(wsgi.application, "/admin/login/", method="GET")
    assert status == 200 and "csrftoken" in headers.get("Set-Cookie", "")
    assert call(wsgi.application, "/api/v1/payments/x/", method="GET")[0] == 404
