"""`bin/manage clock +41d | +3h | status | reset`: move the development clock (development
only; finplatform/devclock.py) and run the time sweeps at once (finplatform/devsweeps.py)."""

from django.core.management.base import BaseCommand, CommandError

from finplatform import devclock, devsweeps
from finplatform.clock import business_now


class Command(BaseCommand):
    help = "Move the development clock forward (+41d, +3h, +90m), show it (status) or reset it."

    def add_arguments(self, parser):
        parser.add_argument("action", help="+41d, +3h, +90m, status or reset")
        parser.add_argument(
            "--no-sweeps", action="store_true", help="only move the clock; beat sweeps later"
        )

    def handle(self, *args, action: str, no_sweeps: bool = False, **options):
        if not devclock.enabled():
            raise CommandError(
                "The development clock is off: it exists only with DJANGO_ENV=dev (or test "
                "with DEV_CLOCK=1), never in production settings."
            )
        if action == "status":
            self._status()
            return
        if action == "reset":
            devclock.reset()
        else:
            try:
                devclock.advance(devclock.parse_step(action))
            except ValueError as error:
                raise CommandError(str(error)) from error
        self._status()
        if not no_sweeps:
            ran = devsweeps.run_sweeps()
            self.stdout.write(f"sweeps run: {', '.join(ran)}")

    def _status(self) -> None:
        shift = devclock.offset()
        days, rest = divmod(int(shift.total_seconds()), 86400)
        self.stdout.write(
            f"business time: {business_now():%Y-%m-%d %H:%M} Asia/Almaty "
            f"(real time +{days}d {rest // 3600}h {rest % 3600 // 60}m)"
        )
