"""A ledger transaction that is already complete when its statement ends is not left for COMMIT
(custom SQL only).

0007 noted every ledger transaction an INSERT or COPY touched and checked them all at COMMIT:
for one payment booked in one statement (0015) that was two notes, two conflicting notes, the
deferred check's two queries and two deletes — about a quarter of the payment's time in
PostgreSQL. Now the statement-level triggers look first:

* the ledger-entry trigger reads each touched transaction's legs through the index (as the
  check does): a transaction that exists, has at least two legs, balances, and whose debit legs
  are ones the held-account rules have nothing to say about (a payable account debited by
  anything but a refund payout; a bank or suspense account debited by anything but a payout or
  a refund payout) is SETTLED: nothing is noted, and a note an earlier statement left for it is
  dropped. Every other one is noted for COMMIT as before (unbalanced, too few legs, missing
  transaction, or a debit the held-account and refund rules must judge, whose balances are read
  at COMMIT, as late as possible);
* the ledger-transaction trigger notes only transactions that have no legs yet; one that has
  legs got them in this database transaction, either in this very statement (the ledger-entry
  trigger of this statement sees both rows: the triggers of a statement fire after all of it)
  or earlier (then that trigger noted it as missing).

Why it is as safe: ledger rows are append-only (0003's triggers refuse UPDATE and DELETE), so a
transaction settled when a statement ends can only change by more legs, and every INSERT or
COPY of legs fires the trigger again, which judges the transaction as a whole again. A
savepoint rolled back takes its notes, its dropped notes and its legs with it alike. The check
at COMMIT (0007, 0016) and its messages are unchanged; an unbalanced transaction is still
refused at COMMIT and not before, whether written in one statement, several or by COPY
(tests/schedules/test_balance_check_at_commit.py).
"""

from importlib import import_module

from django.db import migrations

_0007 = import_module("schedules.migrations.0007_set_based_ledger_checks").FORWARD
OLD_TRIGGERS = _0007[
    _0007.index("CREATE OR REPLACE FUNCTION schedules_note_entries()") : _0007.index(
        "DROP TRIGGER schedules_ledgerentry_balanced"
    )
]
REVERSE = OLD_TRIGGERS + "DROP FUNCTION IF EXISTS schedules_note_for_commit(uuid[]);\n"

FORWARD = """
-- The one way both triggers leave ledger transactions to the check at COMMIT: the notes, the
-- database transaction registered once for the deferred check, and the hint that it has notes.
CREATE OR REPLACE FUNCTION schedules_note_for_commit(ids uuid[]) RETURNS void AS $$
BEGIN
    INSERT INTO schedules_ledgerpending (transaction_id)
        SELECT unnest(ids) ON CONFLICT DO NOTHING;
    INSERT INTO schedules_ledgercheck VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    PERFORM set_config('schedules.ledger_noted', pg_current_xact_id()::text, true);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_note_entries() RETURNS trigger AS $$
DECLARE
    settled uuid[];
    unsettled uuid[];
BEGIN
    SELECT array_agg(v.id) FILTER (WHERE v.ok), array_agg(v.id) FILTER (WHERE NOT v.ok)
      INTO settled, unsettled
      FROM (
        SELECT d.transaction_id AS id, coalesce(l.ok, false) AS ok
          FROM (SELECT DISTINCT transaction_id FROM new_rows) AS d
          LEFT JOIN schedules_ledgertransaction t ON t.id = d.transaction_id
         CROSS JOIN LATERAL (
            SELECT count(*) >= 2
                   AND sum(CASE WHEN e.side = 'D' THEN e.amount_tiyn ELSE -e.amount_tiyn END) = 0
                   AND bool_and(CASE WHEN e.side = 'C' THEN true ELSE coalesce((
                       SELECT (a.kind = 'creditor_payable' AND t.kind <> 'refund_payout')
                           OR (a.kind NOT IN ('held', 'refund', 'creditor_payable')
                               AND t.kind NOT IN ('payout', 'refund_payout'))
                         FROM schedules_account a WHERE a.id = e.account_id), false) END) AS ok
              FROM schedules_ledgerentry e
             WHERE e.transaction_id = d.transaction_id AND t.id IS NOT NULL) AS l
      ) AS v;
    IF unsettled IS NOT NULL THEN
        PERFORM schedules_note_for_commit(unsettled);
    END IF;
    -- Notes of this database transaction may be dropped only if it wrote any: the setting is
    -- a hint, not a guarantee (anyone may set it). Wrong either way it costs time, never a
    -- check: a note kept is checked at COMMIT, and only settled transactions lose theirs.
    IF settled IS NOT NULL
       AND current_setting('schedules.ledger_noted', true) = pg_current_xact_id()::text THEN
        DELETE FROM schedules_ledgerpending
         WHERE transaction_id = ANY(settled) AND xact = pg_current_xact_id();
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_note_transactions() RETURNS trigger AS $$
DECLARE
    bare uuid[];
BEGIN
    SELECT array_agg(n.id) INTO bare FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM schedules_ledgerentry e WHERE e.transaction_id = n.id);
    IF bare IS NOT NULL THEN
        PERFORM schedules_note_for_commit(bare);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0018_payment_plan_index_covered_by_plan_paid_on")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
