"""One check per ledger transaction at COMMIT, instead of one per row (custom SQL only).

Before: a deferred row trigger on every leg and on every transaction re-summed the whole
ledger transaction at COMMIT (about 5.5 times per payment), and a second deferred row trigger
checked the held-account rules for every debit leg.

Now: statement-level AFTER INSERT triggers with transition tables (they fire for INSERT and
COPY alike) note, once per statement, the ledger transactions it touched in
`schedules_ledgerpending` with the database transaction's id (ON CONFLICT DO NOTHING), and
that database transaction once in `schedules_ledgercheck`. The one DEFERRABLE INITIALLY
DEFERRED constraint trigger on that table fires once per database transaction, at COMMIT, and
checks every noted ledger transaction in one set-based query, with the messages of 0003/0005:

1. each exists, balances and has at least two legs (0003's rule);
2. the held-account rules of 0005 for their debit legs, once per (account, transaction kind)
   (a payout draws only from creditor payable accounts; a held account is debited only by a
   release or a reversal and never goes below zero);

then deletes the notes, so both tables are empty outside open transactions (UNLOGGED: they
hold nothing across a COMMIT). A savepoint rolled back takes its notes with it. The append-only
triggers of 0003 are unchanged.
"""

from django.db import migrations

FORWARD = """
CREATE UNLOGGED TABLE schedules_ledgerpending (
    transaction_id uuid PRIMARY KEY,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX schedules_ledgerpending_xact ON schedules_ledgerpending (xact);
CREATE UNLOGGED TABLE schedules_ledgercheck (xact xid8 PRIMARY KEY);

CREATE OR REPLACE FUNCTION schedules_ledgercheck_run() RETURNS trigger AS $$
DECLARE
    bad record;
    leg record;
    held_balance bigint;
BEGIN
    -- Per noted transaction, its legs summed through the index (LATERAL: the plan never
    -- turns into a scan of the whole ledger, whatever the statistics of the note table say).
    SELECT p.transaction_id AS tx, t.missing, l.legs, l.balance
      INTO bad
      FROM schedules_ledgerpending p
     CROSS JOIN LATERAL (
        SELECT NOT EXISTS (SELECT 1 FROM schedules_ledgertransaction t
                            WHERE t.id = p.transaction_id) AS missing) AS t
     CROSS JOIN LATERAL (
        SELECT count(*) AS legs,
               coalesce(sum(CASE WHEN e.side = 'D' THEN e.amount_tiyn ELSE -e.amount_tiyn END),
                        0) AS balance
          FROM schedules_ledgerentry e WHERE e.transaction_id = p.transaction_id) AS l
     WHERE p.xact = NEW.xact AND (t.missing OR l.legs < 2 OR l.balance <> 0)
     LIMIT 1;
    IF FOUND THEN
        IF bad.missing THEN
            RAISE EXCEPTION 'ledger legs refer to a missing transaction %', bad.tx
                USING ERRCODE = 'foreign_key_violation';
        ELSIF bad.balance <> 0 THEN
            RAISE EXCEPTION 'ledger transaction % does not balance (debits - credits = %)',
                bad.tx, bad.balance USING ERRCODE = 'check_violation';
        ELSE
            RAISE EXCEPTION 'ledger transaction % has % legs; at least two are needed',
                bad.tx, bad.legs USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    -- The held-account rules, once per (debited account, transaction kind): a month-end
    -- batch debits one bank account a thousand times and checks it once.
    FOR leg IN
        SELECT DISTINCT x.account_id, x.kind, x.tx_kind
          FROM schedules_ledgerpending p
         CROSS JOIN LATERAL (
            SELECT e.account_id, a.kind, t.kind AS tx_kind
              FROM schedules_ledgerentry e
              JOIN schedules_account a ON a.id = e.account_id
              JOIN schedules_ledgertransaction t ON t.id = e.transaction_id
             WHERE e.transaction_id = p.transaction_id AND e.side = 'D'
               AND a.kind <> 'creditor_payable'
            OFFSET 0) AS x
         WHERE p.xact = NEW.xact
    LOOP
        IF leg.tx_kind = 'payout' THEN
            RAISE EXCEPTION 'a payout may only draw from a creditor payable account, not %',
                leg.kind USING ERRCODE = 'check_violation';
        END IF;
        IF leg.kind = 'held' THEN
            IF leg.tx_kind NOT IN ('release', 'reversal') THEN
                RAISE EXCEPTION 'a held account is debited only by a release or a reversal, not %',
                    leg.tx_kind USING ERRCODE = 'check_violation';
            END IF;
            SELECT coalesce(sum(CASE WHEN side = 'C' THEN amount_tiyn ELSE -amount_tiyn END), 0)
              INTO held_balance FROM schedules_ledgerentry WHERE account_id = leg.account_id;
            IF held_balance < 0 THEN
                RAISE EXCEPTION 'held account % would go negative (%)', leg.account_id,
                    held_balance USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END LOOP;
    DELETE FROM schedules_ledgerpending WHERE xact = NEW.xact;
    DELETE FROM schedules_ledgercheck WHERE xact = NEW.xact;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER schedules_ledgercheck_run
    AFTER INSERT ON schedules_ledgercheck
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_ledgercheck_run();

CREATE OR REPLACE FUNCTION schedules_note_entries() RETURNS trigger AS $$
BEGIN
    INSERT INTO schedules_ledgerpending (transaction_id)
        SELECT DISTINCT transaction_id FROM new_rows ON CONFLICT DO NOTHING;
    INSERT INTO schedules_ledgercheck VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_note_transactions() RETURNS trigger AS $$
BEGIN
    INSERT INTO schedules_ledgerpending (transaction_id)
        SELECT id FROM new_rows ON CONFLICT DO NOTHING;
    INSERT INTO schedules_ledgercheck VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER schedules_ledgerentry_balanced ON schedules_ledgerentry;
DROP TRIGGER schedules_ledgertransaction_balanced ON schedules_ledgertransaction;
DROP TRIGGER schedules_ledgerentry_account_rules ON schedules_ledgerentry;

CREATE TRIGGER schedules_ledgerentry_note
    AFTER INSERT ON schedules_ledgerentry REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION schedules_note_entries();

CREATE TRIGGER schedules_ledgertransaction_note
    AFTER INSERT ON schedules_ledgertransaction REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION schedules_note_transactions();
"""

REVERSE = """
DROP TRIGGER IF EXISTS schedules_ledgertransaction_note ON schedules_ledgertransaction;
DROP TRIGGER IF EXISTS schedules_ledgerentry_note ON schedules_ledgerentry;
DROP FUNCTION IF EXISTS schedules_note_transactions();
DROP FUNCTION IF EXISTS schedules_note_entries();
DROP TABLE IF EXISTS schedules_ledgercheck;
DROP TABLE IF EXISTS schedules_ledgerpending;
DROP FUNCTION IF EXISTS schedules_ledgercheck_run();

CREATE CONSTRAINT TRIGGER schedules_ledgerentry_balanced
    AFTER INSERT ON schedules_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_entry_balanced();

CREATE CONSTRAINT TRIGGER schedules_ledgertransaction_balanced
    AFTER INSERT ON schedules_ledgertransaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_transaction_balanced();

CREATE CONSTRAINT TRIGGER schedules_ledgerentry_account_rules
    AFTER INSERT ON schedules_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.side = 'D') EXECUTE FUNCTION schedules_entry_account_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0006_payout_details")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
