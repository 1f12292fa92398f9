"""A single payment booked in one server-side call (custom SQL only).

`schedules_split_largest_remainder` and `schedules_split_towards_targets` are
finplatform/money.py's functions of the same names, step for step (numeric products, so no
bigint overflow; ties to the earlier part). The Python ones stay the reference: a Hypothesis
test checks both agree.

`schedules_book_payment` does what `schedules.services.payments.book_payments` does for one
payment, in one round trip: the advisory lock on (source, key) (the same lock as
finplatform/locks.py, so both paths serialise), the idempotency look-up, the plan found and
locked FOR UPDATE in one statement (a terminated plan takes no money: suspense, like an
unknown reference), the split, and every write. It answers one row: `outcome` ('created',
'existing': the payment booked before under this key, for the caller to compare request
hashes; 'accounts_missing': nothing written, the caller creates the ledger accounts and calls
again), the case id of a plan this payment completed, and the payment's columns. The ledger
rules of 0003/0005/0007 apply to its inserts exactly as to any other.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION schedules_split_largest_remainder(amount bigint, weights bigint[])
RETURNS bigint[] AS $$
DECLARE
    n integer := coalesce(array_length(weights, 1), 0);
    total numeric := 0;
    parts bigint[] := '{}';
    rems numeric[] := '{}';
    product numeric;
    quotient numeric;
    leftover bigint := amount;
    best integer;
BEGIN
    FOR i IN 1..n LOOP
        total := total + weights[i];
    END LOOP;
    IF total <= 0 THEN
        RAISE EXCEPTION 'weights must not all be zero';
    END IF;
    FOR i IN 1..n LOOP
        product := amount::numeric * weights[i];
        quotient := div(product, total);
        parts[i] := quotient;
        rems[i] := product - quotient * total;
        leftover := leftover - quotient;
    END LOOP;
    -- fewer tiyn left over than parts: one each to the largest remainders, ties to the earlier
    WHILE leftover > 0 LOOP
        best := 0;
        FOR i IN 1..n LOOP
            IF rems[i] >= 0 AND (best = 0 OR rems[i] > rems[best]) THEN
                best := i;
            END IF;
        END LOOP;
        parts[best] := parts[best] + 1;
        rems[best] := -1;
        leftover := leftover - 1;
    END LOOP;
    RETURN parts;
END;
$$ LANGUAGE plpgsql IMMUTABLE STRICT;

CREATE OR REPLACE FUNCTION schedules_split_towards_targets(
    amount bigint, weights bigint[], already bigint[]
) RETURNS bigint[] AS $$
DECLARE
    n integer := coalesce(array_length(weights, 1), 0);
    cumulative bigint := amount;
    targets bigint[];
    parts bigint[] := '{}';
    cuts bigint[];
    surplus bigint := -amount;
BEGIN
    IF amount = 0 THEN
        RETURN array_fill(0::bigint, ARRAY[n]);
    END IF;
    FOR i IN 1..n LOOP
        cumulative := cumulative + already[i];
    END LOOP;
    targets := schedules_split_largest_remainder(cumulative, weights);
    FOR i IN 1..n LOOP
        parts[i] := greatest(targets[i] - already[i], 0);
        surplus := surplus + parts[i];
    END LOOP;
    IF surplus <> 0 THEN
        cuts := schedules_split_largest_remainder(surplus, parts);
        FOR i IN 1..n LOOP
            parts[i] := parts[i] - cuts[i];
        END LOOP;
    END IF;
    RETURN parts;
END;
$$ LANGUAGE plpgsql IMMUTABLE STRICT;

CREATE OR REPLACE FUNCTION schedules_book_payment(
    p_source varchar, p_key varchar, p_hash varchar, p_amount bigint, p_paid_at timestamptz,
    p_paid_on date, p_iin varchar, p_ref varchar, p_now timestamptz
) RETURNS TABLE (
    outcome text, completed_case uuid,
    id uuid, source varchar, idempotency_key varchar, request_hash varchar,
    amount_tiyn bigint, paid_at timestamptz, paid_on date, payer_iin varchar,
    case_reference varchar, plan_id uuid, status varchar, applied_tiyn bigint,
    refund_tiyn bigint, transaction_id uuid, received_at timestamptz
) AS $$
#variable_conflict use_column
DECLARE
    v_plan uuid;
    v_case uuid;
    v_total bigint;
    v_paid bigint;
    v_bank bigint;
    v_suspense bigint;
    v_refund_account bigint;
    v_applied bigint := 0;
    v_refund bigint := 0;
    v_kind varchar;
    v_status varchar;
    v_shares bigint[] := '{}';
    v_debts bigint[] := '{}';
    v_received bigint[] := '{}';
    v_accounts bigint[] := '{}';
    v_parts bigint[] := '{}';
    v_tx uuid := gen_random_uuid();
    v_payment uuid := gen_random_uuid();
    v_completed uuid;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_source || chr(31) || p_key, 0));
    RETURN QUERY
        SELECT 'existing'::text, NULL::uuid, p.id, p.source, p.idempotency_key, p.request_hash,
               p.amount_tiyn, p.paid_at, p.paid_on, p.payer_iin, p.case_reference, p.plan_id,
               p.status, p.applied_tiyn, p.refund_tiyn, p.transaction_id, p.received_at
          FROM schedules_incomingpayment p
         WHERE p.source = p_source AND p.idempotency_key = p_key;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT max(a.id) FILTER (WHERE a.code = 'bank'), max(a.id) FILTER (WHERE a.code = 'suspense'),
           max(a.id) FILTER (WHERE a.code = 'refund')
      INTO v_bank, v_suspense, v_refund_account
      FROM schedules_account a WHERE a.code IN ('bank', 'suspense', 'refund');
    IF v_bank IS NULL OR v_suspense IS NULL OR v_refund_account IS NULL THEN
        RETURN QUERY SELECT 'accounts_missing'::text, NULL::uuid, NULL::uuid, NULL::varchar,
            NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz, NULL::date,
            NULL::varchar, NULL::varchar, NULL::uuid, NULL::varchar, NULL::bigint,
            NULL::bigint, NULL::uuid, NULL::timestamptz;
        RETURN;
    END IF;
    -- The plan, found and locked in one statement. A reference and an IIN that disagree
    -- attribute nothing; by IIN alone, the borrower's newest plan. 'terminated' takes nothing.
    IF p_ref <> '' THEN
        SELECT pl.id, pl.case_id, pl.total_tiyn, pl.paid_tiyn
          INTO v_plan, v_case, v_total, v_paid
          FROM schedules_plan pl
          JOIN resolution_case c ON c.id = pl.case_id
          JOIN borrowers_borrower b ON b.id = c.borrower_id
         WHERE c.reference = p_ref AND (p_iin = '' OR b.iin = p_iin)
           AND pl.status <> 'terminated'
           FOR UPDATE OF pl;
    ELSIF p_iin <> '' THEN
        SELECT pl.id, pl.case_id, pl.total_tiyn, pl.paid_tiyn
          INTO v_plan, v_case, v_total, v_paid
          FROM schedules_plan pl
          JOIN resolution_case c ON c.id = pl.case_id
          JOIN borrowers_borrower b ON b.id = c.borrower_id
         WHERE b.iin = p_iin
         ORDER BY pl.created_at DESC
         LIMIT 1
           FOR UPDATE OF pl;
        IF v_plan IS NOT NULL AND (SELECT pl.status FROM schedules_plan pl
                                    WHERE pl.id = v_plan) = 'terminated' THEN
            v_plan := NULL;
        END IF;
    END IF;
    IF v_plan IS NULL THEN
        v_kind := 'suspense';
        v_status := 'suspense';
    ELSE
        v_applied := least(p_amount, v_total - v_paid);
        v_refund := p_amount - v_applied;
        v_kind := CASE WHEN v_applied > 0 THEN 'payment' ELSE 'refund' END;
        v_status := CASE WHEN v_applied > 0 THEN 'applied' ELSE 'refund' END;
    END IF;
    IF v_applied > 0 THEN
        -- Live shares in share order, each with the account its parts go to: a held share's
        -- held account, else the payable account of the share's (current) creditor.
        SELECT coalesce(array_agg(s.id ORDER BY s.position), '{}'),
               coalesce(array_agg(s.debt_tiyn ORDER BY s.position), '{}'),
               coalesce(array_agg(s.received_tiyn ORDER BY s.position), '{}'),
               coalesce(array_agg(CASE WHEN s.hold = 'held' THEN h.id ELSE a.id END
                                  ORDER BY s.position), '{}')
          INTO v_shares, v_debts, v_received, v_accounts
          FROM schedules_creditorshare s
          LEFT JOIN schedules_account a ON a.creditor_id = s.creditor_id
          LEFT JOIN schedules_account h ON h.share_id = s.id
         WHERE s.plan_id = v_plan AND s.hold IN ('', 'held');
        IF array_position(v_accounts, NULL) IS NOT NULL THEN
            RETURN QUERY SELECT 'accounts_missing'::text, NULL::uuid, NULL::uuid, NULL::varchar,
                NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz, NULL::date,
                NULL::varchar, NULL::varchar, v_plan, NULL::varchar, NULL::bigint,
                NULL::bigint, NULL::uuid, NULL::timestamptz;
            RETURN;
        END IF;
        v_parts := schedules_split_towards_targets(v_applied, v_debts, v_received);
        UPDATE schedules_creditorshare s SET received_tiyn = s.received_tiyn + u.part
          FROM unnest(v_shares, v_parts) AS u(share_id, part)
         WHERE s.id = u.share_id AND u.part <> 0;
        v_paid := v_paid + v_applied;
        IF v_paid = v_total THEN
            v_completed := v_case;
        END IF;
        UPDATE schedules_plan pl SET paid_tiyn = v_paid,
               status = CASE WHEN v_paid = v_total THEN 'completed' ELSE pl.status END,
               completed_on = CASE WHEN v_paid = v_total THEN p_paid_on ELSE pl.completed_on END
         WHERE pl.id = v_plan;
    END IF;
    INSERT INTO schedules_ledgertransaction
        (id, kind, plan_id, reverses_id, booked_on, created_at, description)
        VALUES (v_tx, v_kind, v_plan, NULL, p_paid_on, p_now, left(p_source || ':' || p_key, 200));
    INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
        SELECT v_tx, leg.account, leg.side, leg.amount
          FROM (
            SELECT 0::bigint AS n, v_bank AS account, 'D' AS side, p_amount AS amount
            UNION ALL
            SELECT 0, v_suspense, 'C', p_amount WHERE v_plan IS NULL
            UNION ALL
            SELECT u.n, u.account, 'C', u.part
              FROM unnest(v_accounts, v_parts) WITH ORDINALITY AS u(account, part, n)
            UNION ALL
            SELECT 1000000, v_refund_account, 'C', v_refund
          ) AS leg
         WHERE leg.amount <> 0
         ORDER BY leg.n;
    RETURN QUERY
        INSERT INTO schedules_incomingpayment AS p
            (id, source, idempotency_key, request_hash, amount_tiyn, paid_at, paid_on,
             payer_iin, case_reference, plan_id, status, applied_tiyn, refund_tiyn,
             transaction_id, received_at)
        VALUES (v_payment, p_source, p_key, p_hash, p_amount, p_paid_at, p_paid_on, p_iin,
                p_ref, v_plan, v_status, v_applied, v_refund, v_tx, p_now)
        RETURNING 'created'::text, v_completed, p.id, p.source, p.idempotency_key, p.request_hash,
                  p.amount_tiyn, p.paid_at, p.paid_on, p.payer_iin, p.case_reference,
                  p.plan_id, p.status, p.applied_tiyn, p.refund_tiyn, p.transaction_id,
                  p.received_at;
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
DROP FUNCTION IF EXISTS schedules_book_payment(
    varchar, varchar, varchar, bigint, timestamptz, date, varchar, varchar, timestamptz);
DROP FUNCTION IF EXISTS schedules_split_towards_targets(bigint, bigint[], bigint[]);
DROP FUNCTION IF EXISTS schedules_split_largest_remainder(bigint, bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0007_set_based_ledger_checks")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
