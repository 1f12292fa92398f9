"""One check per ledger transaction at COMMIT, instead of one per row (custom SQL only).

Before: a deferred row trigger on every leg and on every transaction re-summed the whole
ledger transaction at COMMIT (about 5.5 times per payment), and a second deferred row trigger
checked the held-account rules for every debit leg.

Now: statement-level AFTER INSERT triggers with transition tables (they fire for INSERT and
COPY alike) note, once per statement, the ledger transactions it touched in
`schedules_ledgerpending` (ON CONFLICT DO NOTHING: each ledger transaction is noted once per
database transaction). One DEFERRABLE INITIALLY DEFERRED constraint trigger on that table
fires once per ledger transaction at COMMIT and checks, with the same functions and messages:

1. the transaction exists, balances and has at least two legs (0003's rule);
2. the held-account rules of 0005 for its debit legs (a payout draws only from creditor
   payable accounts; a held account is debited only by a release or a reversal and never
   goes below zero);

then deletes its note, so the table is empty outside open transactions. The append-only
triggers of 0003 are unchanged.
"""

from django.db import migrations

FORWARD = """
CREATE UNLOGGED TABLE schedules_ledgerpending (transaction_id uuid PRIMARY KEY);

CREATE OR REPLACE FUNCTION schedules_check_ledger_transaction(tx uuid) RETURNS void AS $$
DECLARE
    tx_kind varchar;
    leg record;
    held_balance bigint;
BEGIN
    SELECT kind INTO tx_kind FROM schedules_ledgertransaction WHERE id = tx;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ledger legs refer to a missing transaction %', tx
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM schedules_check_transaction_balanced(tx);
    FOR leg IN
        SELECT e.account_id, a.kind FROM schedules_ledgerentry e
          JOIN schedules_account a ON a.id = e.account_id
         WHERE e.transaction_id = tx AND e.side = 'D' AND a.kind <> 'creditor_payable'
    LOOP
        IF tx_kind = 'payout' THEN
            RAISE EXCEPTION 'a payout may only draw from a creditor payable account, not %',
                leg.kind USING ERRCODE = 'check_violation';
        END IF;
        IF leg.kind = 'held' THEN
            IF tx_kind NOT IN ('release', 'reversal') THEN
                RAISE EXCEPTION 'a held account is debited only by a release or a reversal, not %',
                    tx_kind USING ERRCODE = 'check_violation';
            END IF;
            SELECT coalesce(sum(CASE WHEN side = 'C' THEN amount_tiyn ELSE -amount_tiyn END), 0)
              INTO held_balance FROM schedules_ledgerentry WHERE account_id = leg.account_id;
            IF held_balance < 0 THEN
                RAISE EXCEPTION 'held account % would go negative (%)', leg.account_id,
                    held_balance USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_ledgerpending_check() RETURNS trigger AS $$
BEGIN
    PERFORM schedules_check_ledger_transaction(NEW.transaction_id);
    DELETE FROM schedules_ledgerpending WHERE transaction_id = NEW.transaction_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER schedules_ledgerpending_check
    AFTER INSERT ON schedules_ledgerpending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_ledgerpending_check();

CREATE OR REPLACE FUNCTION schedules_note_entries() RETURNS trigger AS $$
BEGIN
    INSERT INTO schedules_ledgerpending (transaction_id)
        SELECT DISTINCT transaction_id FROM new_rows ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_note_transactions() RETURNS trigger AS $$
BEGIN
    INSERT INTO schedules_ledgerpending (transaction_id)
        SELECT id FROM new_rows ON CONFLICT DO NOTHING;
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
DROP TABLE IF EXISTS schedules_ledgerpending;
DROP FUNCTION IF EXISTS schedules_ledgerpending_check();
DROP FUNCTION IF EXISTS schedules_check_ledger_transaction(uuid);

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
