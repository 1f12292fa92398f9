"""Encryption at rest for sensitive fields (EDS signatures, biometric and selfie tokens, the
identity and bureau exchanges that carry them, uploaded documents with personal data), with a
rotatable key.

Keys come from settings.FIELD_ENCRYPTION_KEYS (env `FIELD_ENCRYPTION_KEYS`, comma-separated
Fernet keys; required in production, a fixed key in dev/test). `cryptography`'s MultiFernet:
the FIRST key encrypts, every key decrypts (AES-128-CBC + HMAC-SHA256, a fresh IV per value).

Rotating: put a new key first and keep the old ones after it (everything stays readable), run
`manage.py rotate_field_keys` (re-encrypts every encrypted column with the first key), then
drop the old keys. The column holds only the token: a value cannot be searched or compared in
SQL (lookups other than `isnull` / empty string match nothing). Empty strings stay empty.
"""

from __future__ import annotations

import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then the time)


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set outside DJANGO_ENV=dev/test")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds an invalid Fernet key") from exc


def _keys_changed(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_keys_changed, dispatch_uid="finplatform.encryption.keys")


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text; a token no configured key opens is an error (a lost key), never
    silently returned as if it were clear text."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a stored value does not decrypt with FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate(token):
    """The same clear text encrypted under the first key (text tokens, or the bytes of an
    `EncryptedBinaryField`)."""
    if isinstance(token, bytes | memoryview):
        return _fernet().rotate(bytes(token))
    return _fernet().rotate(token.encode()).decode()


def encrypt_bytes(content: bytes) -> bytes:
    return _fernet().encrypt(bytes(content))


def decrypt_bytes(token) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a stored value does not decrypt with FIELD_ENCRYPTION_KEYS"
        ) from exc


def is_token(value: str) -> bool:
    """Looks like a Fernet token (a cheap test; `encrypt_clear` confirms by decrypting)."""
    return value.startswith(TOKEN_PREFIX)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; '' and NULL are stored as they are."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON value (dict, list...) stored as a Fernet token of its JSON text; None is NULL."""

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)


class EncryptedBinaryField(models.BinaryField):
    """Bytes (an uploaded document) stored as the bytes of a Fernet token; b'' and NULL are
    stored as they are. Reads give bytes, as a BinaryField does."""

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None and len(value):
            value = encrypt_bytes(value)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        return value if value is None or not len(value) else decrypt_bytes(value)


def encrypted_columns():
    """(table, column) of every encrypted field in the installed models."""
    return [
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField | EncryptedBinaryField)
    ]


def reencrypt_column(cursor, table: str, column: str, transform) -> int:
    """Rewrite every non-empty value of one column through `transform` (old stored text → new
    stored text), row by row in the caller's transaction. Append-only tables refuse UPDATE by
    trigger: their user triggers are disabled for these statements only and re-enabled before
    returning: ALTER TABLE holds an exclusive lock on the table until COMMIT, so no other
    session writes meanwhile, a failure rolls the pause back with everything else, and the
    stored meaning does not change (the same clear text, encrypted again). Returns the number
    of rows rewritten."""
    qn = cursor.db.ops.quote_name
    cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                   "AND NOT tgisinternal", [table])  # fmt: skip
    guarded = cursor.fetchone()[0] > 0
    if guarded:  # deferred constraint checks still pending would block ALTER TABLE: run them now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
    cursor.execute(f"SELECT id FROM {qn(table)} WHERE {qn(column)} <> '' ORDER BY id")
    ids = [row[0] for row in cursor.fetchall()]
    changed = 0
    for start in range(0, len(ids), 500):  # bodies can be large: 500 rows in memory at most
        cursor.execute(f"SELECT id, {qn(column)} FROM {qn(table)} WHERE id = ANY(%s)",
                       [ids[start : start + 500]])  # fmt: skip
        for pk, stored in cursor.fetchall():
            new = transform(stored)
            if new != stored:
                cursor.execute(f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s", [new, pk])
                changed += 1
    if guarded:
        cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")
    return changed


def encrypt_clear(stored):
    """For the migration that introduces encryption: clear text → token; tokens stay (text, or
    the bytes of a binary column)."""
    if isinstance(stored, bytes | memoryview):
        stored = bytes(stored)
        try:
            _fernet().decrypt(stored)
            return stored
        except InvalidToken:
            return encrypt_bytes(stored)
    if is_token(stored):
        try:
            _fernet().decrypt(stored.encode())
            return stored
        except InvalidToken:
            pass  # clear text that only looks like a token
    return encrypt(stored)


def decrypt_stored(stored):
    """For reversing such a migration: token → clear bytes or text."""
    if isinstance(stored, bytes | memoryview):
        return decrypt_bytes(stored)
    return decrypt(stored)


def check_keys(app_configs=None, **kwargs):
    """System check: the field keys are present and valid (run by migrate, runserver, check)."""
    try:
        _fernet()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="finplatform.E001")]
    return []
