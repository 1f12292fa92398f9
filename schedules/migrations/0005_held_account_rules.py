"""Rules for held accounts, enforced by PostgreSQL (custom SQL only).

A disputed loan's share is held until the ombudsman decides: its parts are credited to a
held account, which is never paid out. At COMMIT, for every debit leg inserted
(a credit can break none of these rules, so the trigger skips credits and costs little):

1. a payout transaction debits only creditor payable accounts (so nothing is paid out of a
   held, suspense or refund account);
2. a held account is debited only by a release (the ombudsman's decision) or a reversal;
3. a held account's balance (credits - debits) never goes below zero, so a release cannot
   move more than was held.

Balance of every transaction is still checked by the trigger of 0003.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION schedules_entry_account_rules() RETURNS trigger AS $$
DECLARE
    tx_kind varchar;
    acc_kind varchar;
    held_balance bigint;
BEGIN
    -- Only debit legs come here (the trigger's WHEN): a credit can break none of the rules.
    SELECT kind INTO acc_kind FROM schedules_account WHERE id = NEW.account_id;
    IF acc_kind = 'creditor_payable' THEN
        RETURN NULL;  -- a payout's own leg: nothing to check
    END IF;
    SELECT kind INTO tx_kind FROM schedules_ledgertransaction WHERE id = NEW.transaction_id;
    IF tx_kind = 'payout' THEN
        RAISE EXCEPTION 'a payout may only draw from a creditor payable account, not %', acc_kind
            USING ERRCODE = 'check_violation';
    END IF;
    IF acc_kind = 'held' THEN
        IF tx_kind IS NULL OR tx_kind NOT IN ('release', 'reversal') THEN
            RAISE EXCEPTION 'a held account is debited only by a release or a reversal, not %',
                tx_kind USING ERRCODE = 'check_violation';
        END IF;
        SELECT coalesce(sum(CASE WHEN side = 'C' THEN amount_tiyn ELSE -amount_tiyn END), 0)
          INTO held_balance FROM schedules_ledgerentry WHERE account_id = NEW.account_id;
        IF held_balance < 0 THEN
            RAISE EXCEPTION 'held account % would go negative (%)', NEW.account_id, held_balance
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER schedules_ledgerentry_account_rules
    AFTER INSERT ON schedules_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.side = 'D') EXECUTE FUNCTION schedules_entry_account_rules();
"""

REVERSE = """
DROP TRIGGER IF EXISTS schedules_ledgerentry_account_rules ON schedules_ledgerentry;
DROP FUNCTION IF EXISTS schedules_entry_account_rules();
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0004_disputed_hold")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
