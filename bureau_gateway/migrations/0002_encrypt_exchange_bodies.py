"""Exchange bodies (selfie tokens, EDS signatures, credit reports) encrypted at rest: the jsonb
columns become text holding a Fernet token (finplatform.encryption), existing rows encrypted
in place. Reversible: backwards decrypts, then the columns go back to jsonb."""

from django.db import migrations

import finplatform.encryption
from finplatform.encryption import decrypt, encrypt_clear, is_token, reencrypt_column

COLUMNS = ("request_body", "body", "raw_body")


def encrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            reencrypt_column(cursor, "bureau_gateway_bureauexchange", column, encrypt_clear)


def decrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            reencrypt_column(cursor, "bureau_gateway_bureauexchange", column,
                             lambda v: decrypt(v) if is_token(v) else v)  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('bureau_gateway', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='bureauexchange',
            name='body',
            field=finplatform.encryption.EncryptedJSONField(blank=True, null=True, verbose_name='response body'),
        ),
        migrations.AlterField(
            model_name='bureauexchange',
            name='raw_body',
            field=finplatform.encryption.EncryptedTextField(blank=True, verbose_name='response text, when not JSON'),
        ),
        migrations.AlterField(
            model_name='bureauexchange',
            name='request_body',
            field=finplatform.encryption.EncryptedJSONField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
