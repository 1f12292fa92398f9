"""Attacks and deployment settings that the other suites do not already cover: one-time-code
guessing, production cookie and HSTS settings, security headers, webhook signature checks,
API keys that are wrong or revoked, the audit trail in the database, and personal data in log
output during a whole flow. (Covered elsewhere: login lock-out in tests/finplatform/
test_scoping.py, signing-code attempts in tests/resolution/test_signing.py, `check --deploy`
in tests/finplatform/test_settings.py, ledger append-only in tests/schedules.)"""

from __future__ import annotations

import hmac
import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from bureau_gateway import webhooks
from creditors.api_keys import create_api_key, revoke_api_key
from finplatform.errors import ApplicationError
from finplatform.kzid import make_iin
from finplatform.logfilters import MaskPIIFilter
from resolution.models import CaseTransition
from resolution.services.signing import issue_signing_code, sign_with_code
from schedules.models import PaymentProvider
from tests.conftest import ROOT
from tests.factories import BorrowerFactory
from tests.support.identity import identify
from tests.support.workflow import answer_all, api_client_for, awaiting_case, issued_case

pytestmark = pytest.mark.django_db


def _sent_code(sim, phone: str) -> str:
    return re.search(r"\b(\d{6})\b", sim.sms(phone)[-1]["text"]).group(1)


# --- one-time codes --------------------------------------------------------------------------


def test_new_signing_codes_are_capped_per_case_so_guesses_stay_bounded():
    world = issued_case()
    for _ in range(5):
        _, code = issue_signing_code(case_id=world.case.pk)
    with pytest.raises(ApplicationError) as err:
        issue_signing_code(case_id=world.case.pk)
    assert err.value.code == "too_many_codes"
    sign_with_code(case_id=world.case.pk, code=code)  # the last code issued still works
    world.case.refresh_from_db()
    assert world.case.status in ("signed", "active")


# --- production settings and headers ---------------------------------------------------------


def test_production_cookies_and_hsts_follow_the_deployment_checklist():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE', "
        "'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG', "
        "'SECURE_REFERRER_POLICY']}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="finkelisim.kz")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    s = json.loads(out.stdout.strip().splitlines()[-1])
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert s["X_FRAME_OPTIONS"] == "DENY" and s["DEBUG"] is False
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_on_sign_in(client):
    borrower = BorrowerFactory()
    from tests.factories import PASSWORD

    response = client.post("/login/", {"iin": borrower.iin, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/login/", "/portal/register/", "/api/v1/creditor/cases/"])
def test_every_kind_of_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if response["Content-Type"].startswith("text/html"):
        csp = response["Content-Security-Policy"]
        script_src = csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "'self'" in script_src and "unsafe" not in script_src
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp


# --- signatures and keys ---------------------------------------------------------------------


def test_webhook_signature_check_refuses_wrong_tampered_and_malformed(monkeypatch):
    secret, ts, body = "s3cret", 1_764_000_000, b'{"event":"case.updated"}'
    good = webhooks.sign(secret, ts, body)
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert webhooks.verify(secret, str(ts), body, good, now=ts)
    assert calls, "the comparison must be constant-time (hmac.compare_digest)"
    assert not webhooks.verify(
        secret, str(ts), body, good[:-1] + ("0" if good[-1] != "0" else "1"), now=ts
    )
    assert not webhooks.verify(secret, str(ts), body + b" ", good, now=ts)
    assert not webhooks.verify(secret, str(ts + 1), body, good, now=ts)
    assert not webhooks.verify("other", str(ts), body, good, now=ts)
    assert not webhooks.verify(secret, "not-a-number", body, good, now=ts)
    assert not webhooks.verify(secret, str(ts), body, "", now=ts)
    assert not webhooks.verify(secret, str(ts), body, good, now=ts + 301)  # replayed too late


def test_creditor_api_key_with_a_guessed_secret_or_revoked_is_401():
    world = awaiting_case()
    row, key = create_api_key(creditor=world.creditors[0], name="k")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {row.prefix}.guessed-secret")
    response = client.get("/api/v1/creditor/cases/")
    assert response.status_code == 401 and response.json()["error"]["code"]
    revoke_api_key(api_key=row)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/creditor/loans/").status_code == 401
    assert client.post(f"/api/v1/creditor/loans/{world.loans[0].pk}/confirm/").status_code == 401
    world.loans[0].refresh_from_db()
    assert world.loans[0].confirmation_status == "pending"


def test_deactivated_payment_provider_key_is_401_and_books_nothing():
    provider = PaymentProvider(code="old", name="Old")
    key = provider.set_new_key()
    provider.is_active = False
    provider.save()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    body = {"amount_tiyn": 100, "paid_at": "2026-01-30T10:00:00Z", "case_reference": "FK-X"}
    response = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 401
    from schedules.models import IncomingPayment

    assert not IncomingPayment.objects.exists()


def test_one_organisations_key_cannot_answer_another_organisations_loan():
    world = awaiting_case()
    client = api_client_for(world.creditors[1])
    response = client.post(f"/api/v1/creditor/loans/{world.loans[0].pk}/confirm/")
    assert response.status_code == 404
    world.loans[0].refresh_from_db()
    assert world.loans[0].confirmation_status == "pending"


# --- audit trail -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE resolution_casetransition SET reason = 'rewritten' WHERE case_id = %s",
        "DELETE FROM resolution_casetransition WHERE case_id = %s",
    ],
)
def test_the_audit_trail_refuses_update_and_delete_even_in_raw_sql(sql):
    world = awaiting_case()
    answer_all(world)  # every creditor answered: the case moved on, with an audit record
    before = list(CaseTransition.objects.filter(case=world.case).values_list("pk", "reason"))
    assert before, "the case has audit records to protect"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [world.case.pk])
    after = list(CaseTransition.objects.filter(case=world.case).values_list("pk", "reason"))
    assert after == before


# --- personal data in logs -------------------------------------------------------------------


@pytest.fixture
def log_output():
    """What the configured handlers really write (after the PII filter), at DEBUG level."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(isinstance(f, MaskPIIFilter) for f in h.filters)]
    assert handlers, "the configured console handler carries the PII filter"
    stream = io.StringIO()
    old_streams = [h.setStream(stream) for h in handlers]
    old_level = root.level
    root.setLevel(logging.DEBUG)
    db_logger = logging.getLogger("django.db.backends")
    old_db_level = db_logger.level
    db_logger.setLevel(logging.DEBUG)  # even SQL with IINs in it, if someone turned it on
    try:
        yield stream
    finally:
        root.setLevel(old_level)
        db_logger.setLevel(old_db_level)
        for handler, old in zip(handlers, old_streams, strict=True):
            handler.setStream(old)


def test_iin_and_phone_never_reach_log_output_in_a_whole_flow(client, sim, log_output):
    from django.test.utils import CaptureQueriesContext

    iin = make_iin(date(1991, 2, 3), serial=777)
    phone = "+77015550123"
    password = "Very-long-pass-2026"
    with CaptureQueriesContext(connection):  # makes Django log every SQL statement
        response = client.post("/portal/register/", {
            "iin": iin, "full_name": "Тест Тестов", "phone": phone, "email": "",
            "password": password, "password_again": password, "consent": "on",
        })  # fmt: skip
        assert response.status_code == 302
        sim.set_phone(iin, phone)
        identify(client, "/portal/register/identify/", sim, iin, "biometric", selfie="other:1")
        client.get(f"/portal/cases/{iin}/")  # a 404 whose URL is an IIN: logged as a warning
        client.logout()
        client.post("/login/", {"iin": iin, "password": "wrong"})
        provider = PaymentProvider(code="logs", name="Logs")
        key = provider.set_new_key()
        provider.save()
        api = APIClient()
        api.credentials(HTTP_X_API_KEY=key)
        api.post("/api/v1/payments/", {"amount_tiyn": 100, "paid_at": "2026-01-30T10:00:00Z",
                                       "payer_iin": iin}, format="json",
                 HTTP_IDEMPOTENCY_KEY="logs-1")  # fmt: skip
        logging.getLogger("finplatform").info("borrower %s phone %s", iin, phone)
    output = log_output.getvalue()
    assert len(output) > 1000, "the flow produced log output to inspect"
    assert iin[:2] + "**********" in output  # the IIN was there, masked
    assert iin not in output
    digits = re.sub(r"\D", "", phone)
    squeezed = re.sub(r"[\s()-]", "", output)
    assert digits not in squeezed, squeezed[
        squeezed.find(digits) - 300 : squeezed.find(digits) + 50
    ]
    assert "701 555 01 23" not in output and "7015550123" not in output
