"""The ledger's statement triggers look each touched transaction up by itself, by the shape of
their queries, not only by planner settings (custom SQL only).

0022 gave the two trigger functions `enable_seqscan/hashjoin/mergejoin = off`, because their
queries (0019) are joins the planner may run as a hash join over all of
`schedules_ledgertransaction` and a hash anti-join over all of `schedules_ledgerentry`: that is
what a session that planned them on a young ledger kept doing, once per statement, as the
ledger grew. One full-suite run still read the whole ledger once with the settings in place
(docs/benchmarks.md, round 6). Settings steer a cost model; the shape below leaves it nothing
to choose: each look-up is an aggregate in a LATERAL subquery, which PostgreSQL cannot flatten
into a join, so it runs once per touched transaction with that transaction's id as its
parameter, through the primary key and the legs' index on `transaction_id`:

* the ledger-entry trigger reads the transaction's kind as `max(t.kind)` of the one row with
  that id (NULL when it is missing, as the LEFT JOIN's NULL was), then its legs as before;
* the ledger-transaction trigger counts at most one leg of each new transaction (`LIMIT 1`
  inside the aggregate) instead of NOT EXISTS, which the planner may turn into an anti-join.

What the triggers decide is 0019's, to the row (tests/schedules/test_settled_at_the_statement*);
the settings stay as well (a test checks them), restated here because CREATE OR REPLACE drops
a function's settings.
"""

from importlib import import_module

from django.db import migrations

_0019 = import_module("schedules.migrations.0019_ledger_settled_at_the_statement").FORWARD
_0022 = import_module("schedules.migrations.0022_ledger_plans_that_scale")
OLD = _0019[_0019.index("CREATE OR REPLACE FUNCTION schedules_note_entries()") :]

# (0019's text, its replacement)
REWRITES = (
    (
        "          LEFT JOIN schedules_ledgertransaction t ON t.id = d.transaction_id\n",
        "         CROSS JOIN LATERAL (\n"
        "            SELECT max(t.kind) AS kind FROM schedules_ledgertransaction t\n"
        "             WHERE t.id = d.transaction_id) AS t\n",
    ),
    (
        "             WHERE e.transaction_id = d.transaction_id AND t.id IS NOT NULL) AS l\n",
        "             WHERE e.transaction_id = d.transaction_id AND t.kind IS NOT NULL) AS l\n",
    ),
    (
        "    SELECT array_agg(n.id) INTO bare FROM new_rows n\n"
        "     WHERE NOT EXISTS (SELECT 1 FROM schedules_ledgerentry e WHERE e.transaction_id = n.id);\n",
        "    SELECT array_agg(n.id) INTO bare FROM new_rows n\n"
        "     CROSS JOIN LATERAL (\n"
        "        SELECT count(*) AS legs FROM (SELECT 1 FROM schedules_ledgerentry e\n"
        "                                       WHERE e.transaction_id = n.id LIMIT 1) AS one\n"
        "     ) AS l\n"
        "     WHERE l.legs = 0;\n",
    ),
)


def _triggers() -> str:
    sql = OLD
    for old, new in REWRITES:
        assert sql.count(old) == 1, old  # 0019 is a snapshot
        sql = sql.replace(old, new)
    return sql


FORWARD = _triggers() + _0022.SETTINGS
REVERSE = OLD + _0022.SETTINGS


class Migration(migrations.Migration):
    dependencies = [("schedules", "0022_ledger_plans_that_scale")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
