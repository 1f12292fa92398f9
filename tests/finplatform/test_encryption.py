"""Sensitive identification data is encrypted at rest with a rotatable key (issue 16 #12): the
raw columns read with SQL hold no clear text, the application reads it back, a new key can be
put first and the rows re-encrypted, and the append-only trigger on signatures still holds."""

import os
import secrets
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from bureau_gateway.adapters import get_adapter
from bureau_gateway.models import BureauExchange
from bureau_gateway.simulator import demo_data
from creditors.models import WebhookEndpoint
from finplatform.clock import BUSINESS_TZ
from finplatform.encryption import encrypt_clear, reencrypt_column
from resolution.models import Signature
from resolution.services.signing import sign_with_eds
from tests.conftest import ROOT
from tests.factories import CreditorFactory
from tests.resolution.test_locks_and_adapters import eds_signature
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)
SELFIE = "live:selfie-reference-7f3c91"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def signed_with_eds():
    with time_machine.travel(T0, tick=False):
        world = issued_case()
    iin = world.case.borrower.iin
    signature = eds_signature(iin, world.case.package.package_hash)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        row = sign_with_eds(case_id=world.case.pk, signature=signature)
    return world, row, signature


def test_selfie_token_and_identity_exchange_are_not_stored_in_clear():
    iin = demo_data.BORROWERS[0]["iin"]
    identity = get_adapter("identity")
    challenge = identity.start_liveness(iin=iin)
    answer = "-".join(challenge.movements) + ":" + challenge.nonce
    assert identity.verify_biometrics(iin=iin, selfie_token=SELFIE, challenge_answer=answer,
                                      challenge_id=challenge.challenge_id).verified  # fmt: skip
    exchange = BureauExchange.objects.get(endpoint="/biometric")
    assert exchange.request_body == {"iin": iin, "selfie_token": SELFIE, "challenge_answer": answer,
                                     "challenge_id": challenge.challenge_id}  # fmt: skip
    assert isinstance(exchange.body, dict) and "verified" in exchange.body
    stored = raw("SELECT request_body, body, raw_body FROM bureau_gateway_bureauexchange "
                 "WHERE id = %s", [exchange.pk])[0]  # fmt: skip
    text = " ".join(v or "" for v in stored)
    assert "selfie" not in text and iin not in text and "verified" not in text
    assert stored[0].startswith("gAAAAA")


def test_eds_signature_is_not_stored_in_clear_in_the_signature_or_the_exchange_log():
    _, row, signature = signed_with_eds()
    assert Signature.objects.get(pk=row.pk).eds_signature == signature
    [(stored,)] = raw("SELECT eds_signature FROM resolution_signature WHERE id = %s", [row.pk])
    assert signature not in stored and stored.startswith("gAAAAA")
    logs = raw("SELECT coalesce(request_body, '') FROM bureau_gateway_bureauexchange")
    assert logs and not any(signature in text for (text,) in logs)


def test_rotation_re_encrypts_with_the_new_key_and_keeps_the_append_only_trigger(settings):
    _, row, signature = signed_with_eds()
    old = settings.FIELD_ENCRYPTION_KEYS
    new = [Fernet.generate_key().decode()]
    settings.FIELD_ENCRYPTION_KEYS = new + old  # the new key first: it encrypts, both decrypt
    assert Signature.objects.get(pk=row.pk).eds_signature == signature  # old rows still read
    [(before,)] = raw("SELECT eds_signature FROM resolution_signature WHERE id = %s", [row.pk])
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))
    [(after,)] = raw("SELECT eds_signature FROM resolution_signature WHERE id = %s", [row.pk])
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = new  # the old key retired: everything still reads
    assert Signature.objects.get(pk=row.pk).eds_signature == signature
    exchange = BureauExchange.objects.filter(endpoint="/eds/documents").first()
    assert exchange.request_body["signature"] == signature
    settings.FIELD_ENCRYPTION_KEYS = old  # without the new key nothing decrypts
    with pytest.raises(ImproperlyConfigured):
        Signature.objects.get(pk=row.pk)
    with pytest.raises(DatabaseError), transaction.atomic():  # still append-only
        raw("UPDATE resolution_signature SET eds_signature = '' WHERE id = %s", [row.pk])


def test_the_migration_step_encrypts_clear_rows_once_even_on_the_append_only_table():
    _, row, signature = signed_with_eds()
    with connection.cursor() as cursor:  # a row as the old code stored it, in clear
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE resolution_signature DISABLE TRIGGER USER")
        cursor.execute("UPDATE resolution_signature SET eds_signature = %s WHERE id = %s",
                       [signature, row.pk])  # fmt: skip
        cursor.execute("ALTER TABLE resolution_signature ENABLE TRIGGER USER")
        assert reencrypt_column(cursor, "resolution_signature", "eds_signature",
                                encrypt_clear) == 1  # fmt: skip
        assert reencrypt_column(cursor, "resolution_signature", "eds_signature",
                                encrypt_clear) == 0  # fmt: skip
    [(stored,)] = raw("SELECT eds_signature FROM resolution_signature WHERE id = %s", [row.pk])
    assert signature not in stored
    assert Signature.objects.get(pk=row.pk).eds_signature == signature
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM resolution_signature WHERE id = %s", [row.pk])


def test_production_refuses_to_run_without_field_keys():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "FIELD_ENCRYPTION_KEYS"}}
    env.update(DJANGO_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="finkelisim.kz")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr + result.stdout


def test_webhook_signing_secrets_are_not_stored_in_clear_and_still_sign():
    clear = secrets.token_hex(32)
    endpoint = WebhookEndpoint.objects.create(
        creditor=CreditorFactory(), url="https://hooks.example.kz/in", secret=clear
    )
    [(stored,)] = raw("SELECT secret FROM creditors_webhookendpoint WHERE id = %s", [endpoint.pk])
    assert clear not in stored and stored.startswith("gAAAAA")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == clear  # read back to sign
