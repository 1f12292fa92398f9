"""The /readyz checks from the command line (PostgreSQL, Redis, migrations applied): exit 0 when
ready, 1 otherwise. The healthcheck of containers without a web server (worker, beat)."""

import json

from django.core.management.base import BaseCommand, CommandError

from finplatform.health import readiness


class Command(BaseCommand):
    help = "Check PostgreSQL, Redis and migrations; exit 1 when not ready."

    def handle(self, *args, **options):
        ready, checks = readiness()
        self.stdout.write(
            json.dumps({"status": "ok" if ready else "unavailable", "checks": checks})
        )
        if not ready:
            raise CommandError("not ready", returncode=1)
