"""The batch booked in SQL writes its ledger transactions and their legs in ONE statement
(custom SQL only).

With 0019, a ledger transaction complete and balanced when its statement ends is settled by the
statement's triggers and not noted for COMMIT. `schedules_book_staged` (0009, 0012) wrote the
transactions in one statement and their legs in the next, so every transaction of a batch was
noted (no legs yet), judged again when its legs came and checked once more at COMMIT. Now the
two INSERTs are one statement (a data-modifying WITH, run to completion whether read or not):
both triggers fire after all of it and find every payment's transaction complete. The rows, their
order and everything else in the function are 0012's.
"""

from importlib import import_module

from django.db import migrations

_0012 = import_module("schedules.migrations.0012_staged_booking_rereads_terminated_plans").FORWARD

_TWO = """\
    INSERT INTO schedules_ledgertransaction
        (id, kind, plan_id, reverses_id, booked_on, created_at, description)
        SELECT y.tx, y.kind, y.plan, NULL, s.paid_on, p_now,
               left(p_source || ':' || s.idempotency_key, 200)
          FROM unnest(y_ord, y_tx, y_kind, y_plan) AS y(ord, tx, kind, plan)
          JOIN schedules_staged_payment s ON s.ord = y.ord
         ORDER BY y.ord;
    INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
"""
_ONE = """\
    WITH transactions AS (
        INSERT INTO schedules_ledgertransaction
            (id, kind, plan_id, reverses_id, booked_on, created_at, description)
            SELECT y.tx, y.kind, y.plan, NULL, s.paid_on, p_now,
                   left(p_source || ':' || s.idempotency_key, 200)
              FROM unnest(y_ord, y_tx, y_kind, y_plan) AS y(ord, tx, kind, plan)
              JOIN schedules_staged_payment s ON s.ord = y.ord
             ORDER BY y.ord
    )
    INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
"""


def _forward() -> str:
    assert _0012.count(_TWO) == 1  # 0012 is a snapshot: it cannot drift
    return _0012.replace(_TWO, _ONE)


class Migration(migrations.Migration):
    dependencies = [("schedules", "0019_ledger_settled_at_the_statement")]
    operations = [migrations.RunSQL(_forward(), _0012)]
