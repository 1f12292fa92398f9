"""The ledger's SQL keeps plans that suit a ledger of millions of rows, whatever the tables'
size and statistics when the plans were made (custom SQL only).

A session that starts on a young ledger, as the first month-end run of a new database and every
benchmark does, planned for a small ledger: measured at 200,000 payments with autovacuum off
(docs/benchmarks.md round 6), the batch's per-payment cost rose from 269 to 927 µs, because

* `schedules_book_staged` (0020, 0021) matched a batch's thousand keys against the payments
  booked so far by joining `schedules_incomingpayment`: before its first ANALYZE the planner
  guesses that `source = 'bank'` keeps half a percent of the rows (every row of one provider
  has its source) and hashes the whole table, once for the conflict check, once for the new
  payments and once for the answer, each batch. Each of the three now looks each key up by
  itself (a LATERAL subquery that the planner cannot flatten into a join, `OFFSET 0`): the
  unique index on (source, idempotency_key) answers it, whatever the statistics say;
* the statement triggers (0019) have no parameters, so PL/pgSQL plans them once per session,
  generic, for the ledger as it is then, and keeps the plan until an ANALYZE invalidates it:
  a hash join over `schedules_ledgertransaction` and a hash anti-join over all of
  `schedules_ledgerentry`, once per batch. They only ever look up the few thousand transactions
  one statement touched, so they now plan without sequential scans, hash or merge joins of the
  ledger (the transition table, which has no index, is still read whole).

The rows written, their order and the answers are 0021's. A later migration that replaces
either trigger function (CREATE OR REPLACE) must restate its settings; a test checks them.
"""

from importlib import import_module

from django.db import migrations

_0021 = import_module("schedules.migrations.0021_ledger_ids_in_time_order")
_STAGED = _0021._in_time_order(_0021._STAGED, 2)

LOOKUP = (
    "SELECT {columns} FROM schedules_incomingpayment p\n"
    "{pad}  WHERE p.source = p_source AND p.idempotency_key = s.idempotency_key\n"
    "{pad} OFFSET 0"
)
# (0021's text, its replacement): each join of the staged keys with the payments booked so far
REWRITES = (
    (
        "      LEFT JOIN schedules_incomingpayment p\n"
        "        ON p.source = p_source AND p.idempotency_key = s.idempotency_key\n",
        "      LEFT JOIN LATERAL ("
        + LOOKUP.format(columns="p.request_hash", pad=" " * 25)
        + ") AS p ON true\n",
    ),
    (
        "                  FROM schedules_staged_payment s\n"
        "                 WHERE NOT EXISTS (SELECT 1 FROM schedules_incomingpayment p\n"
        "                                    WHERE p.source = p_source\n"
        "                                      AND p.idempotency_key = s.idempotency_key)\n",
        "                  FROM schedules_staged_payment s\n"
        "                  LEFT JOIN LATERAL ("
        + LOOKUP.format(columns="true AS booked", pad=" " * 37)
        + ") AS earlier ON true\n"
        "                 WHERE earlier.booked IS NULL\n",
    ),
    (
        "          JOIN schedules_incomingpayment p\n"
        "            ON p.source = p_source AND p.idempotency_key = s.idempotency_key\n",
        "          JOIN LATERAL (" + LOOKUP.format(columns="p.*", pad=" " * 24) + ") AS p ON true\n",
    ),
)

TRIGGERS = ("schedules_note_entries()", "schedules_note_transactions()")
TRIGGER_SETTINGS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")


def _staged() -> str:
    sql = _STAGED
    for old, new in REWRITES:
        assert sql.count(old) == 1, old  # 0021 is a snapshot
        sql = sql.replace(old, new)
    return sql


# the triggers' planner settings (0023 restates them after replacing the functions)
SETTINGS = "".join(
    f"ALTER FUNCTION {function} SET {setting} = off;\n"
    for function in TRIGGERS
    for setting in TRIGGER_SETTINGS
)
FORWARD = _staged() + SETTINGS
REVERSE = _STAGED + "".join(f"ALTER FUNCTION {function} RESET ALL;\n" for function in TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [("schedules", "0021_ledger_ids_in_time_order")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
