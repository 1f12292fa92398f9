"""Take the legal name from the state register for every identified account that still
carries the name it typed (identified before identification set the name): run once after
deploying that change, so cases already past their eligibility check (which does the same for
new applications) get documents under the register's name. Idempotent: an account whose name
was taken from a trusted source is left alone; a register that does not answer leaves the
rest for the next run (exit 1)."""

from django.core.management.base import BaseCommand

from borrowers.models import Borrower
from borrowers.services import refresh_legal_name
from bureau_gateway.interfaces import AdapterError


class Command(BaseCommand):
    help = "Take unverified borrowers' legal names from the state register (ГБД ФЛ)."

    def handle(self, *args, **options):
        pending = Borrower.objects.filter(
            identified_at__isnull=False, full_name_verified_at__isnull=True
        ).order_by("pk")
        taken = failed = unknown = 0
        for borrower in pending.iterator():
            try:
                refreshed = refresh_legal_name(borrower=borrower)
            except AdapterError as exc:
                failed += 1
                self.stderr.write(f"{borrower.pk}: {type(exc).__name__}")
                continue
            if refreshed.full_name_verified_at is None:
                unknown += 1
            else:
                taken += 1
        self.stdout.write(f"names taken: {taken}, unknown to the register: {unknown}, "
                          f"not answered: {failed}")  # fmt: skip
        if failed:
            raise SystemExit(1)
