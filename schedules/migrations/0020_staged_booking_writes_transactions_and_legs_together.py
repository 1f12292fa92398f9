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
from textwrap import indent

from django.db import migrations

_0012 = import_module("schedules.migrations.0012_staged_booking_rereads_terminated_plans").FORWARD

# 0012's two statements: the transactions' INSERT, then the head of the legs' INSERT
_TWO = _0012[
    _0012.index("    INSERT INTO schedules_ledgertransaction\n") : _0012.index(
        "    INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)\n"
    )
]
# ... become one: the transactions' INSERT indented into a WITH, its semicolon dropped
_ONE = (
    "    WITH transactions AS (\n"
    + indent(_TWO.rstrip().removesuffix(";"), "    ")
    + "\n    )\n"
)


def _forward() -> str:
    assert _0012.count(_TWO) == 1 and _TWO.count(";") == 1  # 0012 is a snapshot
    return _0012.replace(_TWO, _ONE)


class Migration(migrations.Migration):
    dependencies = [("schedules", "0019_ledger_settled_at_the_statement")]
    operations = [migrations.RunSQL(_forward(), _0012)]
