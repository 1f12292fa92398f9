"""EDS signatures encrypted at rest (finplatform.encryption); existing rows encrypted in place.

resolution_signature is append-only (a trigger refuses UPDATE, migration 0004). This one-time
rewrite keeps the meaning of every row — the same signature, now stored as a token — so it
runs with the table's user triggers disabled for its own statements only, inside this
migration's transaction, and re-enables them before committing (`reencrypt_column`). Nothing
else can write in between. Reversible."""

from django.db import migrations

import finplatform.encryption
from finplatform.encryption import decrypt, encrypt_clear, is_token, reencrypt_column


def encrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        reencrypt_column(cursor, "resolution_signature", "eds_signature", encrypt_clear)


def decrypt_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        reencrypt_column(cursor, "resolution_signature", "eds_signature",
                         lambda v: decrypt(v) if is_token(v) else v)  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('resolution', '0004_workflow_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='signature',
            name='eds_signature',
            field=finplatform.encryption.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
