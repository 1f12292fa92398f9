"""The batch booking looks its keys up through the unique index even in a session whose plans
were made when the payments table looked tiny (custom SQL only).

0022 made each of `schedules_book_staged`'s three key look-ups a LATERAL subquery of its own,
so the planner cannot hash the whole payments table; but inside that subquery it still chooses
between the unique index on (source, idempotency_key) and a sequential scan, by cost. A
session whose first bookings were planned when the statistics said the table was one page (a
new platform, after autovacuum saw its first few rows) keeps those plans, generic after five
runs, until an ANALYZE invalidates them: a sequential scan of every payment for each key of
every batch. One clean-clone suite run met it (7.2 million payment rows read for a batch of
301 on top of 6,000); `tests/schedules/test_ledger_plans_that_scale.py` now sets those
statistics up and reproduces it (9.1 million before this migration). The function now plans
without sequential scans (`enable_seqscan = off`, as the statement triggers since 0022): the
staging table, which is read whole anyway, still is; everything else it reads has an index.
A later CREATE OR REPLACE of the function must restate the setting; a test checks it.
"""

from django.db import migrations

FUNCTION = "schedules_book_staged(varchar, timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("schedules", "0023_ledger_triggers_look_up_by_construction")]
    operations = [
        migrations.RunSQL(
            f"ALTER FUNCTION {FUNCTION} SET enable_seqscan = off;",
            f"ALTER FUNCTION {FUNCTION} RESET enable_seqscan;",
        )
    ]
