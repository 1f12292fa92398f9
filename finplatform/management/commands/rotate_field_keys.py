"""Re-encrypt every encrypted column under the first of FIELD_ENCRYPTION_KEYS (key rotation:
put the new key first, keep the old ones after it, run this, then drop the old keys)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from finplatform.encryption import encrypted_columns, reencrypt_column, rotate


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            for table, column in encrypted_columns():
                count = reencrypt_column(cursor, table, column, rotate)
                self.stdout.write(f"{table}.{column}: {count} re-encrypted")
