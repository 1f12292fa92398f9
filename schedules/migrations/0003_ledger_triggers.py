"""Ledger invariants enforced by PostgreSQL itself (custom SQL only, kept apart from the
auto-generated migrations).

1. Every ledger transaction balances: at COMMIT, for each transaction touched, the debit legs
   equal the credit legs and there are at least two legs (DEFERRABLE INITIALLY DEFERRED
   constraint triggers, after django-hordak's check_leg).
2. Legs and transactions are append-only: UPDATE and DELETE raise. (TRUNCATE stays possible for
   test teardown; it is not a row operation an application issues.)
Amount signs and the (source, idempotency_key) uniqueness are CHECK / UNIQUE constraints in
0001.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION schedules_check_transaction_balanced(tx uuid) RETURNS void AS $$
DECLARE
    legs integer;
    balance bigint;
BEGIN
    SELECT count(*), coalesce(sum(CASE WHEN side = 'D' THEN amount_tiyn ELSE -amount_tiyn END), 0)
      INTO legs, balance
      FROM schedules_ledgerentry WHERE transaction_id = tx;
    IF balance <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (debits - credits = %)', tx, balance
            USING ERRCODE = 'check_violation';
    END IF;
    IF legs < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has % legs; at least two are needed', tx, legs
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_entry_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM schedules_check_transaction_balanced(NEW.transaction_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION schedules_transaction_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM schedules_check_transaction_balanced(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER schedules_ledgerentry_balanced
    AFTER INSERT ON schedules_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_entry_balanced();

CREATE CONSTRAINT TRIGGER schedules_ledgertransaction_balanced
    AFTER INSERT ON schedules_ledgertransaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION schedules_transaction_balanced();

CREATE OR REPLACE FUNCTION schedules_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (book a reversing transaction instead)',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER schedules_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON schedules_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION schedules_refuse_change();

CREATE TRIGGER schedules_ledgertransaction_append_only
    BEFORE UPDATE OR DELETE ON schedules_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION schedules_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS schedules_ledgertransaction_append_only ON schedules_ledgertransaction;
DROP TRIGGER IF EXISTS schedules_ledgerentry_append_only ON schedules_ledgerentry;
DROP FUNCTION IF EXISTS schedules_refuse_change();
DROP TRIGGER IF EXISTS schedules_ledgertransaction_balanced ON schedules_ledgertransaction;
DROP TRIGGER IF EXISTS schedules_ledgerentry_balanced ON schedules_ledgerentry;
DROP FUNCTION IF EXISTS schedules_transaction_balanced();
DROP FUNCTION IF EXISTS schedules_entry_balanced();
DROP FUNCTION IF EXISTS schedules_check_transaction_balanced(uuid);
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0002_default_schedule_table")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
