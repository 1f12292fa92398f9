"""`manage.py create_payment_provider CODE "Name"`: register a payment provider and print its
API key once (only its hash is stored). `--rotate` issues a new key for an existing one."""

from django.core.management.base import BaseCommand, CommandError

from schedules.models import PaymentProvider


class Command(BaseCommand):
    help = "Create a payment provider (or rotate its key) and print the API key once."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name", nargs="?", default="")
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args, code, name, rotate, **options):
        provider = PaymentProvider.objects.filter(code=code).first()
        if provider is not None and not rotate:
            raise CommandError(f"provider {code!r} exists; use --rotate for a new key")
        if provider is None:
            provider = PaymentProvider(code=code, name=name or code)
        key = provider.set_new_key()
        provider.save()
        self.stdout.write(key)
