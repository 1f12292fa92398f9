"""The single-payment booking looks its key, plan and shares up through their indexes even in a
session whose plans were made when the tables looked tiny (custom SQL only).

The same exposure 0024 closed for the batch: `schedules_book_payment` (what `POST
/api/v1/payments/` calls, one statement per payment) finds its key with `source = … AND
idempotency_key = …`, for which the planner chooses between the unique index and a sequential
scan by cost. A provider's connection whose first payments were planned while the statistics
said the payments table was one page keeps those plans (generic after five runs) until an
ANALYZE: every later payment read the whole table.
`tests/schedules/test_ledger_plans_that_scale.py` sets that up: 12,027 payment rows read for two payments on top of 6,000 before this migration,
2 after. The function now plans without sequential scans, as the batch and the statement
triggers do; everything it reads has an index. Timed with `pgbench -M prepared` against a
ledger of 681,000 payments, alternating 4 × 8 s: 1,478–1,747 calls/s without the setting,
1,577–1,802 with it: no cost. A later CREATE OR REPLACE of the function must restate the
setting; a test checks it.
"""

from django.db import migrations

FUNCTION = (
    "schedules_book_payment(varchar, varchar, varchar, bigint, timestamptz, date, varchar,"
    " varchar, timestamptz, varchar, varchar)"
)


class Migration(migrations.Migration):
    dependencies = [("schedules", "0024_staged_booking_never_scans_the_payments")]
    operations = [
        migrations.RunSQL(
            f"ALTER FUNCTION {FUNCTION} SET enable_seqscan = off;",
            f"ALTER FUNCTION {FUNCTION} RESET enable_seqscan;",
        )
    ]
