"""The batch booked in SQL reads its plans' status again once it holds their row locks
(custom SQL only).

0009's `schedules_book_staged` found the plans without a lock (skipping terminated ones), then
locked them. A plan terminated by a transaction that committed while the batch waited for the
lock was still booked to, against the rule "a terminated plan takes no money" that the Python
path (`payments.book_payments`, which reads the locked plan) and `schedules_book_payment` (whose
FOR UPDATE re-evaluates `status <> 'terminated'` on the locked row) keep. The function below is
0009's with one statement added after the locks: a terminated plan's payments go to suspense.
"""

from importlib import import_module

from django.db import migrations

_STAGED = import_module("schedules.migrations.0009_book_staged_payments").FORWARD
_STAGED = _STAGED[: _STAGED.index("$$ LANGUAGE plpgsql;") + len("$$ LANGUAGE plpgsql;\n")]
_LOCK = (
    "    PERFORM 1 FROM schedules_plan pl WHERE pl.id = ANY(v_plans) ORDER BY pl.id"
    " FOR UPDATE;\n"
)
_REREAD = """\
    -- Read again under the lock: a plan terminated while this waited for its lock takes no
    -- money (suspense), as in the Python path, which reads the locked plan's status.
    SELECT coalesce(array_agg(CASE WHEN pl.status = 'terminated' THEN NULL ELSE u.plan END
                              ORDER BY u.n), '{}')
      INTO v_plans
      FROM unnest(v_plans) WITH ORDINALITY AS u(plan, n)
      LEFT JOIN schedules_plan pl ON pl.id = u.plan;
"""
assert _STAGED.count(_LOCK) == 1  # 0009 is a snapshot: it cannot drift
FORWARD = _STAGED.replace(_LOCK, _LOCK + _REREAD)


class Migration(migrations.Migration):
    dependencies = [("schedules", "0011_ledger_kinds_transfer_and_refund_payout")]
    # Backwards the corrected function stays: 0009's differs only by the missing re-read.
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
