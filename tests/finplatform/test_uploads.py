"""The one upload gate (finplatform/uploads.py) and the encrypted binary field of the documents
it lets through: the migration step that encrypts rows stored in clear (and its reverse) and
the key rotation of `manage.py rotate_field_keys`."""

import importlib
import os
import re

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from finplatform import uploads
from finplatform.encryption import encrypted_columns
from schedules.models import ClaimTransfer
from tests.support.uploads import PDF_BYTES, assert_safe_name, recorded_transfer_and_termination

DOCUMENT_COLUMNS = {("schedules_claimtransfer", "document"),
                    ("schedules_plantermination", "document"),
                    ("resolution_fraudflag", "court_document"),
                    ("resolution_variation", "evidence")}  # fmt: skip


def test_the_limit_matches_the_proxy_body_limit(settings):
    caddy = open(os.path.join(settings.BASE_DIR, "deploy", "Caddyfile")).read()
    proxy_mb = int(re.search(r"max_size (\d+)MB", caddy).group(1))
    assert settings.UPLOAD_MAX_BYTES == 10 * 1024 * 1024 < proxy_mb * 1000 * 1000


@pytest.mark.parametrize("content, allowed, code", [
    (PDF_BYTES + b"0" * (10 * 1024 * 1024), uploads.PDF_ONLY, "upload_too_large"),
    (b"", uploads.PDF_ONLY, "upload_empty"),
    (b"\xff\xd8\xff\xe0 jpeg", uploads.PDF_ONLY, "upload_type"),
    (b"<html><body>hi</body></html>", uploads.PDF_OR_IMAGE, "upload_type"),
    (b"  %PDF-1.4 (not at the start)", uploads.PDF_ONLY, "upload_type"),
])  # fmt: skip
def test_the_gate_refuses(content, allowed, code):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("x.pdf", content), allowed=allowed)
    assert refused.value.code == code


@pytest.mark.parametrize("name, kind, expected", [
    ("../../etc/passwd", uploads.PDF, "passwd.pdf"),
    ("C:\\Users\\me\\scan.JPEG", uploads.JPEG, "scan.jpg"),
    ("report.pdf\x00.html", uploads.PDF, "report.pdf.html.pdf"),
    ('a"b;c\r\n.pdf', uploads.PDF, "a_b_c.pdf"),
    ("\u202egnp.pdf", uploads.PDF, "gnp.pdf"),  # a right-to-left override is dropped
    ("", uploads.PNG, "document.png"),
])  # fmt: skip
def test_names_are_sanitised(name, kind, expected):
    assert uploads.safe_name(name, kind) == expected


def test_a_long_name_is_capped_and_keeps_its_extension():
    name = uploads.safe_name("ж" * 500 + ".pdf", uploads.PDF)
    assert_safe_name(name) and len(name) == 100


def test_the_download_headers():
    response = uploads.serve(PDF_BYTES, name="договор.pdf", content_type=uploads.PDF)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


def test_rotation_covers_every_uploaded_document_column():
    assert DOCUMENT_COLUMNS <= set(encrypted_columns())


def _migration(app):
    return importlib.import_module(f"{app}.migrations.0012_encrypt_uploaded_documents")


@pytest.mark.django_db
def test_the_data_migration_encrypts_clear_rows_reversibly_and_rotation_re_encrypts(settings):
    recorded_transfer_and_termination()
    [(pk, token)] = _rows("schedules_claimtransfer")
    with connection.cursor() as cursor:  # as the old code stored it: in clear
        cursor.execute("UPDATE schedules_claimtransfer SET document = %s WHERE id = %s",
                       [PDF_BYTES, pk])  # fmt: skip
    schema_editor = connection.schema_editor(atomic=False)
    _migration("schedules").encrypt_existing(None, schema_editor)
    [(_, encrypted)] = _rows("schedules_claimtransfer")
    assert encrypted.startswith(b"gAAAAA") and PDF_BYTES not in encrypted
    _migration("schedules").encrypt_existing(None, schema_editor)  # tokens stay as they are
    assert _rows("schedules_claimtransfer")[0][1] == encrypted
    _migration("schedules").decrypt_existing(None, schema_editor)  # the reverse
    assert _rows("schedules_claimtransfer")[0][1] == PDF_BYTES
    assert _rows("schedules_plantermination")[0][1] == PDF_BYTES
    _migration("schedules").encrypt_existing(None, schema_editor)
    old = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    call_command("rotate_field_keys", stdout=open(os.devnull, "w"))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # old key retired
    assert ClaimTransfer.objects.get(pk=pk).document == PDF_BYTES
    assert token != _rows("schedules_claimtransfer")[0][1]


def _rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, document FROM {table}")  # noqa: S608
        return [(pk, bytes(value)) for pk, value in cursor.fetchall()]
