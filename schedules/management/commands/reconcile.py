"""`manage.py reconcile [--date YYYY-MM-DD]`: prove the ledger adds up; exit 1 on mismatch."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from finplatform.money import format_tenge
from schedules.reconciliation import reconcile


class Command(BaseCommand):
    help = "Check incoming money = distributed + suspense + awaiting payout + refund liability."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args, **options):
        report = reconcile(on=options["date"])
        for name, amount in report.figures.items():
            self.stdout.write(f"{name:>18}: {format_tenge(amount)}")
        for check in report.checks:
            mark = "OK  " if check.ok else "FAIL"
            self.stdout.write(f"{mark} {check.name} ({check.detail})")
        if not report.ok:
            raise CommandError("reconciliation failed", returncode=1)
        self.stdout.write(self.style.SUCCESS("reconciled"))
