"""The batch booked in SQL reads its plans' status again once it holds their row locks
(custom SQL only).

0009's `schedules_book_staged` found the plans without a lock (skipping terminated ones), then
locked them. A plan terminated by a transaction that committed while the batch waited for the
lock was still booked to, against the rule "a terminated plan takes no money" that the Python
path (`payments.book_payments`, which reads the locked plan) and `schedules_book_payment` (whose
FOR UPDATE re-evaluates `status <> 'terminated'` on the locked row) keep. The function below is
0009's with one statement added after the locks: a terminated plan's payments go to suspense.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION schedules_book_staged(p_source varchar, p_now timestamptz)
RETURNS TABLE (
    outcome text, created boolean, completed_case uuid,
    id uuid, source varchar, idempotency_key varchar, request_hash varchar,
    amount_tiyn bigint, paid_at timestamptz, paid_on date, payer_iin varchar,
    case_reference varchar, plan_id uuid, status varchar, applied_tiyn bigint,
    refund_tiyn bigint, transaction_id uuid, received_at timestamptz
) AS $$
#variable_conflict use_column
DECLARE
    v_bank bigint;
    v_suspense bigint;
    v_refund_account bigint;
    v_conflict varchar;
    v_ords integer[];
    v_plans uuid[];
    v_missing uuid[] := '{}';
    r record;
    a_plan uuid[];
    a_case uuid[];
    a_total bigint[];
    a_paid bigint[];
    a_status varchar[];
    a_completed_on date[];
    b_plan uuid[];
    b_id bigint[];
    b_debt bigint[];
    b_recv bigint[];
    b_acc bigint[];
    pi integer := 1;
    si integer := 1;
    sj integer;
    cur uuid;
    cur_ok boolean := false;
    cur_case uuid;
    cur_total bigint;
    cur_paid bigint;
    cur_status varchar;
    cur_completed_on date;
    cur_changed boolean;
    s_ids bigint[];
    s_debts bigint[];
    s_recv bigint[];
    s_accs bigint[];
    parts bigint[];
    applied bigint;
    refund bigint;
    v_kind varchar;
    v_tx uuid;
    n_legs integer := 0;
    l_ord integer[] := '{}';
    l_tx uuid[] := '{}';
    l_acc bigint[] := '{}';
    l_side varchar[] := '{}';
    l_amt bigint[] := '{}';
    n_pay integer := 0;
    y_ord integer[] := '{}';
    y_id uuid[] := '{}';
    y_tx uuid[] := '{}';
    y_kind varchar[] := '{}';
    y_plan uuid[] := '{}';
    y_status varchar[] := '{}';
    y_applied bigint[] := '{}';
    y_refund bigint[] := '{}';
    y_completed uuid[] := '{}';
    n_share integer := 0;
    u_share bigint[] := '{}';
    u_recv bigint[] := '{}';
    n_plan integer := 0;
    u_plan uuid[] := '{}';
    u_paid bigint[] := '{}';
    u_status varchar[] := '{}';
    u_completed_on date[] := '{}';
BEGIN
    PERFORM count(pg_advisory_xact_lock(h)) FROM (
        SELECT DISTINCT hashtextextended(p_source || chr(31) || s.idempotency_key, 0) AS h
          FROM schedules_staged_payment s ORDER BY h) AS keys;
    -- A key with two bodies (booked before, or twice in this batch): nothing is written.
    SELECT s.idempotency_key INTO v_conflict
      FROM schedules_staged_payment s
      LEFT JOIN schedules_incomingpayment p
        ON p.source = p_source AND p.idempotency_key = s.idempotency_key
     GROUP BY s.idempotency_key, p.request_hash
    HAVING count(DISTINCT s.request_hash) > 1 OR p.request_hash <> min(s.request_hash)
     ORDER BY min(s.ord)
     LIMIT 1;
    IF v_conflict IS NOT NULL THEN
        RETURN QUERY SELECT 'conflict'::text, false, NULL::uuid, NULL::uuid, NULL::varchar,
            v_conflict, NULL::varchar, NULL::bigint, NULL::timestamptz, NULL::date,
            NULL::varchar, NULL::varchar, NULL::uuid, NULL::varchar, NULL::bigint,
            NULL::bigint, NULL::uuid, NULL::timestamptz;
        RETURN;
    END IF;
    SELECT max(a.id) FILTER (WHERE a.code = 'bank'), max(a.id) FILTER (WHERE a.code = 'suspense'),
           max(a.id) FILTER (WHERE a.code = 'refund')
      INTO v_bank, v_suspense, v_refund_account
      FROM schedules_account a WHERE a.code IN ('bank', 'suspense', 'refund');
    IF v_bank IS NULL OR v_suspense IS NULL OR v_refund_account IS NULL THEN
        RETURN QUERY SELECT 'accounts_missing'::text, false, NULL::uuid, NULL::uuid,
            NULL::varchar, NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz,
            NULL::date, NULL::varchar, NULL::varchar, NULL::uuid, NULL::varchar,
            NULL::bigint, NULL::bigint, NULL::uuid, NULL::timestamptz;
        RETURN;
    END IF;
    -- The new payments (first occurrence of each key not booked before) and their plans.
    SELECT coalesce(array_agg(x.ord ORDER BY x.plan NULLS FIRST, x.ord), '{}'),
           coalesce(array_agg(x.plan ORDER BY x.plan NULLS FIRST, x.ord), '{}')
      INTO v_ords, v_plans
      FROM (
        SELECT f.ord, CASE WHEN f.case_reference <> '' THEN byref.id
                           WHEN byiin.status <> 'terminated' THEN byiin.id END AS plan
          FROM (SELECT DISTINCT ON (s.idempotency_key) s.*
                  FROM schedules_staged_payment s
                 WHERE NOT EXISTS (SELECT 1 FROM schedules_incomingpayment p
                                    WHERE p.source = p_source
                                      AND p.idempotency_key = s.idempotency_key)
                 ORDER BY s.idempotency_key, s.ord) AS f
          LEFT JOIN LATERAL (
            SELECT pl.id FROM schedules_plan pl
              JOIN resolution_case c ON c.id = pl.case_id
              JOIN borrowers_borrower b ON b.id = c.borrower_id
             WHERE c.reference = f.case_reference AND (f.payer_iin = '' OR b.iin = f.payer_iin)
               AND pl.status <> 'terminated') AS byref ON f.case_reference <> ''
          LEFT JOIN LATERAL (
            SELECT pl.id, pl.status FROM schedules_plan pl
              JOIN resolution_case c ON c.id = pl.case_id
              JOIN borrowers_borrower b ON b.id = c.borrower_id
             WHERE b.iin = f.payer_iin
             ORDER BY pl.created_at DESC LIMIT 1) AS byiin
            ON f.case_reference = '' AND f.payer_iin <> ''
      ) AS x;
    PERFORM 1 FROM schedules_plan pl WHERE pl.id = ANY(v_plans) ORDER BY pl.id FOR UPDATE;
    -- Read again under the lock: a plan terminated while this waited for its lock takes no
    -- money (suspense), as in the Python path, which reads the locked plan's status.
    SELECT coalesce(array_agg(CASE WHEN pl.status = 'terminated' THEN NULL ELSE u.plan END
                              ORDER BY u.n), '{}')
      INTO v_plans
      FROM unnest(v_plans) WITH ORDINALITY AS u(plan, n)
      LEFT JOIN schedules_plan pl ON pl.id = u.plan;
    -- The locked plans and their live shares, each with the account its parts go to (a held
    -- share's held account, else its current creditor's payable), read once, in plan order.
    SELECT coalesce(array_agg(pl.id ORDER BY pl.id), '{}'),
           coalesce(array_agg(pl.case_id ORDER BY pl.id), '{}'),
           coalesce(array_agg(pl.total_tiyn ORDER BY pl.id), '{}'),
           coalesce(array_agg(pl.paid_tiyn ORDER BY pl.id), '{}'),
           coalesce(array_agg(pl.status ORDER BY pl.id), '{}'),
           coalesce(array_agg(pl.completed_on ORDER BY pl.id), '{}')
      INTO a_plan, a_case, a_total, a_paid, a_status, a_completed_on
      FROM schedules_plan pl WHERE pl.id = ANY(v_plans);
    SELECT coalesce(array_agg(s.plan_id ORDER BY s.plan_id, s.position), '{}'),
           coalesce(array_agg(s.id ORDER BY s.plan_id, s.position), '{}'),
           coalesce(array_agg(s.debt_tiyn ORDER BY s.plan_id, s.position), '{}'),
           coalesce(array_agg(s.received_tiyn ORDER BY s.plan_id, s.position), '{}'),
           coalesce(array_agg(CASE WHEN s.hold = 'held' THEN h.id ELSE a.id END
                              ORDER BY s.plan_id, s.position), '{}')
      INTO b_plan, b_id, b_debt, b_recv, b_acc
      FROM schedules_creditorshare s
      LEFT JOIN schedules_account a ON a.creditor_id = s.creditor_id
      LEFT JOIN schedules_account h ON h.share_id = s.id
     WHERE s.plan_id = ANY(v_plans) AND s.hold IN ('', 'held');
    FOR r IN
        SELECT s.*, u.plan FROM unnest(v_ords, v_plans) WITH ORDINALITY AS u(ord, plan, n)
          JOIN schedules_staged_payment s ON s.ord = u.ord ORDER BY u.n
    LOOP
        IF r.plan IS DISTINCT FROM cur THEN
            IF cur_ok AND cur_changed THEN
                n_plan := n_plan + 1;
                u_plan[n_plan] := cur; u_paid[n_plan] := cur_paid;
                u_status[n_plan] := cur_status; u_completed_on[n_plan] := cur_completed_on;
                FOR j IN 1..coalesce(array_length(s_ids, 1), 0) LOOP
                    n_share := n_share + 1;
                    u_share[n_share] := s_ids[j]; u_recv[n_share] := s_recv[j];
                END LOOP;
            END IF;
            cur := r.plan;
            cur_changed := false;
            cur_ok := cur IS NOT NULL;
            IF cur_ok THEN
                -- the preloaded rows of this plan (both lists are in plan id order, as the loop)
                WHILE pi <= cardinality(a_plan) AND a_plan[pi] < cur LOOP
                    pi := pi + 1;
                END LOOP;
                cur_case := a_case[pi]; cur_total := a_total[pi]; cur_paid := a_paid[pi];
                cur_status := a_status[pi]; cur_completed_on := a_completed_on[pi];
                WHILE si <= cardinality(b_plan) AND b_plan[si] < cur LOOP
                    si := si + 1;
                END LOOP;
                sj := si;
                WHILE sj <= cardinality(b_plan) AND b_plan[sj] = cur LOOP
                    sj := sj + 1;
                END LOOP;
                s_ids := b_id[si:sj - 1]; s_debts := b_debt[si:sj - 1];
                s_recv := b_recv[si:sj - 1]; s_accs := b_acc[si:sj - 1];
                IF a_plan[pi] IS DISTINCT FROM cur OR array_position(s_accs, NULL) IS NOT NULL
                THEN
                    v_missing := v_missing || cur;
                    cur_ok := false;
                END IF;
            END IF;
        END IF;
        IF r.plan IS NOT NULL AND NOT cur_ok THEN
            CONTINUE;  -- accounts missing: answered below, nothing written
        END IF;
        v_tx := gen_random_uuid();
        n_legs := n_legs + 1;
        l_ord[n_legs] := r.ord; l_tx[n_legs] := v_tx; l_acc[n_legs] := v_bank;
        l_side[n_legs] := 'D'; l_amt[n_legs] := r.amount_tiyn;
        applied := 0;
        refund := 0;
        IF r.plan IS NULL THEN
            v_kind := 'suspense';
            n_legs := n_legs + 1;
            l_ord[n_legs] := r.ord; l_tx[n_legs] := v_tx; l_acc[n_legs] := v_suspense;
            l_side[n_legs] := 'C'; l_amt[n_legs] := r.amount_tiyn;
        ELSE
            applied := least(r.amount_tiyn, cur_total - cur_paid);
            refund := r.amount_tiyn - applied;
            v_kind := CASE WHEN applied > 0 THEN 'payment' ELSE 'refund' END;
            IF applied > 0 THEN
                parts := schedules_split_towards_targets(applied, s_debts, s_recv);
                FOR j IN 1..array_length(parts, 1) LOOP
                    IF parts[j] <> 0 THEN
                        s_recv[j] := s_recv[j] + parts[j];
                        n_legs := n_legs + 1;
                        l_ord[n_legs] := r.ord; l_tx[n_legs] := v_tx; l_acc[n_legs] := s_accs[j];
                        l_side[n_legs] := 'C'; l_amt[n_legs] := parts[j];
                    END IF;
                END LOOP;
                cur_paid := cur_paid + applied;
                cur_changed := true;
                IF cur_paid = cur_total THEN
                    cur_status := 'completed';
                    cur_completed_on := r.paid_on;
                END IF;
            END IF;
            IF refund > 0 THEN
                n_legs := n_legs + 1;
                l_ord[n_legs] := r.ord; l_tx[n_legs] := v_tx; l_acc[n_legs] := v_refund_account;
                l_side[n_legs] := 'C'; l_amt[n_legs] := refund;
            END IF;
        END IF;
        n_pay := n_pay + 1;
        y_ord[n_pay] := r.ord; y_id[n_pay] := gen_random_uuid(); y_tx[n_pay] := v_tx;
        y_kind[n_pay] := v_kind; y_plan[n_pay] := r.plan;
        y_status[n_pay] := CASE v_kind WHEN 'payment' THEN 'applied' ELSE v_kind END;
        y_applied[n_pay] := applied; y_refund[n_pay] := refund;
        y_completed[n_pay] := CASE WHEN applied > 0 AND cur_paid = cur_total THEN cur_case END;
    END LOOP;
    IF cur_ok AND cur_changed THEN
        n_plan := n_plan + 1;
        u_plan[n_plan] := cur; u_paid[n_plan] := cur_paid;
        u_status[n_plan] := cur_status; u_completed_on[n_plan] := cur_completed_on;
        FOR j IN 1..coalesce(array_length(s_ids, 1), 0) LOOP
            n_share := n_share + 1;
            u_share[n_share] := s_ids[j]; u_recv[n_share] := s_recv[j];
        END LOOP;
    END IF;
    IF cardinality(v_missing) > 0 THEN
        RETURN QUERY SELECT 'accounts_missing'::text, false, NULL::uuid, NULL::uuid,
            NULL::varchar, NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz,
            NULL::date, NULL::varchar, NULL::varchar, m.plan, NULL::varchar,
            NULL::bigint, NULL::bigint, NULL::uuid, NULL::timestamptz
          FROM unnest(v_missing) AS m(plan);
        RETURN;
    END IF;
    INSERT INTO schedules_ledgertransaction
        (id, kind, plan_id, reverses_id, booked_on, created_at, description)
        SELECT y.tx, y.kind, y.plan, NULL, s.paid_on, p_now,
               left(p_source || ':' || s.idempotency_key, 200)
          FROM unnest(y_ord, y_tx, y_kind, y_plan) AS y(ord, tx, kind, plan)
          JOIN schedules_staged_payment s ON s.ord = y.ord
         ORDER BY y.ord;
    INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
        SELECT l.tx, l.acc, l.side, l.amt
          FROM unnest(l_ord, l_tx, l_acc, l_side, l_amt) WITH ORDINALITY
               AS l(ord, tx, acc, side, amt, n)
         ORDER BY l.ord, l.n;
    INSERT INTO schedules_incomingpayment
        (id, source, idempotency_key, request_hash, amount_tiyn, paid_at, paid_on, payer_iin,
         case_reference, plan_id, status, applied_tiyn, refund_tiyn, transaction_id,
         received_at)
        SELECT y.id, p_source, s.idempotency_key, s.request_hash, s.amount_tiyn, s.paid_at,
               s.paid_on, s.payer_iin, s.case_reference, y.plan, y.status, y.applied,
               y.refund, y.tx, p_now
          FROM unnest(y_ord, y_id, y_tx, y_plan, y_status, y_applied, y_refund)
               AS y(ord, id, tx, plan, status, applied, refund)
          JOIN schedules_staged_payment s ON s.ord = y.ord
         ORDER BY y.ord;
    UPDATE schedules_creditorshare s SET received_tiyn = u.recv
      FROM unnest(u_share, u_recv) AS u(share_id, recv)
     WHERE s.id = u.share_id AND s.received_tiyn <> u.recv;
    UPDATE schedules_plan pl SET paid_tiyn = u.paid, status = u.status,
           completed_on = u.completed_on
      FROM unnest(u_plan, u_paid, u_status, u_completed_on)
           AS u(plan, paid, status, completed_on)
     WHERE pl.id = u.plan;
    RETURN QUERY
        SELECT 'booked'::text, coalesce(y.ord = s.ord, false),
               CASE WHEN y.ord = s.ord THEN y.completed END,
               p.id, p.source, p.idempotency_key, p.request_hash, p.amount_tiyn, p.paid_at,
               p.paid_on, p.payer_iin, p.case_reference, p.plan_id, p.status, p.applied_tiyn,
               p.refund_tiyn, p.transaction_id, p.received_at
          FROM schedules_staged_payment s
          JOIN schedules_incomingpayment p
            ON p.source = p_source AND p.idempotency_key = s.idempotency_key
          LEFT JOIN unnest(y_id, y_ord, y_completed) AS y(id, ord, completed) ON y.id = p.id
         ORDER BY s.ord;
    DELETE FROM schedules_staged_payment;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("schedules", "0011_ledger_kinds_transfer_and_refund_payout")]
    # Backwards the corrected function stays: 0009's differs only by the missing re-read.
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
