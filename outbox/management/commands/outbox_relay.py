from datetime import timedelta

from django.core.management.base import BaseCommand

from outbox.services import pending_count, relay


class Command(BaseCommand):
    help = "Publish undispatched outbox messages now (what the 30-second beat entry does)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=float, default=None, help="seconds")

    def handle(self, *args, **options):
        older = options["older_than"]
        sent = relay(older_than=timedelta(seconds=older) if older is not None else None)
        self.stdout.write(f"published {sent}, still pending {pending_count()}")
