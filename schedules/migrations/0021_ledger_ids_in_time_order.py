"""The ids the booking functions give ledger transactions and incoming payments are in time
order (UUID version 7), so their indexes grow at the right edge (custom SQL only).

`schedules_book_payment` (0015) and `schedules_book_staged` (0020) took `gen_random_uuid()`
(version 4): every new ledger transaction, payment and leg landed on a random page of the
transactions' primary key, the legs' transaction index (four to five entries a payment) and
the payments' primary key and transaction index. At a million payments those indexes no longer
stay in the CPU caches and every insert dirties another page: per-payment cost rose by a fifth
from ten thousand to a million payments, and the plain COPY of the same rows by more
(docs/benchmarks.md). `schedules_uuid7()` is RFC 9562's version 7: 48 bits of Unix time in
milliseconds, then 74 random bits — as unique as version 4 for our purposes (random within a
millisecond), and ordered by time across milliseconds. The ORM's ids (payouts, refunds, the
reference path) stay version 4; both kinds live in the same uuid columns.
"""

from importlib import import_module

from django.db import migrations

_ONE = import_module("schedules.migrations.0015_book_payment_in_one_statement")._forward_sql()
_STAGED = import_module(
    "schedules.migrations.0020_staged_booking_writes_transactions_and_legs_together"
)._forward()

UUID7 = """
CREATE OR REPLACE FUNCTION schedules_uuid7() RETURNS uuid AS $$
    -- version 4's random bytes, the first 48 bits replaced by the Unix time in ms, the
    -- version nibble turned from 4 (0100) into 7 (0111): bits 52 and 53 of the bytea
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(
                        floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$ LANGUAGE sql VOLATILE;
"""


def _in_time_order(sql: str, count: int) -> str:
    assert sql.count("gen_random_uuid()") == count  # 0015 and 0020 are snapshots
    return sql.replace("gen_random_uuid()", "schedules_uuid7()")


FORWARD = UUID7 + _in_time_order(_ONE, 2) + _in_time_order(_STAGED, 2)
REVERSE = _ONE + _STAGED + "DROP FUNCTION IF EXISTS schedules_uuid7();"


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0020_staged_booking_writes_transactions_and_legs_together"),
    ]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
