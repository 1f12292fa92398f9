"""Webhook signing secrets encrypted at rest (finplatform.encryption): the column becomes text
holding a Fernet token, existing rows encrypted in place. Reversible: backwards decrypts."""

from django.db import migrations

import finplatform.encryption
from finplatform.encryption import decrypt, encrypt_clear, is_token, reencrypt_column

TABLE = "creditors_webhookendpoint"


def encrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        reencrypt_column(cursor, TABLE, "secret", encrypt_clear)


def decrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        reencrypt_column(cursor, TABLE, "secret", lambda v: decrypt(v) if is_token(v) else v)


class Migration(migrations.Migration):

    dependencies = [
        ("creditors", "0005_creditor_notification_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=finplatform.encryption.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
