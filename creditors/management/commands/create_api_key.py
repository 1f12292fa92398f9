"""Issue an API key for a creditor organisation: `manage.py create_api_key <BIN> <name>`.
The key is printed once; only its hash is stored. `--revoke <prefix>` revokes one."""

from django.core.management.base import BaseCommand, CommandError

from creditors.api_keys import create_api_key, revoke_api_key
from creditors.models import ApiKey, Creditor


class Command(BaseCommand):
    help = "Create (or revoke) a creditor API key."

    def add_arguments(self, parser):
        parser.add_argument("bin", nargs="?")
        parser.add_argument("name", nargs="?", default="back office")
        parser.add_argument("--revoke", metavar="PREFIX")

    def handle(self, *args, bin=None, name="back office", revoke=None, **options):
        if revoke:
            key = ApiKey.objects.filter(prefix=revoke).first()
            if key is None:
                raise CommandError(f"no API key with prefix {revoke}")
            revoke_api_key(api_key=key)
            self.stdout.write(f"revoked {revoke}")
            return
        creditor = Creditor.objects.filter(bin=bin).first()
        if creditor is None:
            raise CommandError(f"no creditor with BIN {bin}")
        row, key = create_api_key(creditor=creditor, name=name)
        self.stdout.write(f"{creditor.name}: Authorization: Api-Key {key}")
