"""A single payment booked in ONE statement, so it can run on its own in autocommit, with fewer
statements inside (custom SQL only).

0008's `schedules_book_payment` needed the caller's transaction for one thing: a payment that
completes its plan sends `resolution.plan_completed` through the outbox, and that row was
written by Python after the call. The function now writes that outbox row itself (task name
and request id passed in; the dedup key is `schedules.services.common.plan_completed`'s,
`plan-completed:<plan id>`, so the Python path and this one record the event once between
them) and answers its id as `completed_message` for the caller to publish after COMMIT.
`schedules.services.booking.book_one` then needs no BEGIN and no COMMIT of its own: one round
trip, PostgreSQL's implicit transaction around the statement (the deferred ledger check runs
at its end, as at any COMMIT).

Inside, every write is one statement of data-modifying CTEs (shares, plan, ledger transaction,
legs, outbox, payment) instead of five, and the shares are updated by primary key (0008's join
to unnest() got a generic plan that scanned every share). The advisory lock stays a statement
of its own BEFORE the look-up of an earlier booking: a statement's snapshot is taken when it
starts, so a look-up in the statement that takes the lock could miss a booking committed while
it waited. Idempotency, the lock order, the split and the ledger rules are 0008's.
"""

from django.db import migrations

FORWARD = """
DROP FUNCTION IF EXISTS schedules_book_payment(
    varchar, varchar, varchar, bigint, timestamptz, date, varchar, varchar, timestamptz);

CREATE OR REPLACE FUNCTION schedules_book_payment(
    p_source varchar, p_key varchar, p_hash varchar, p_amount bigint, p_paid_at timestamptz,
    p_paid_on date, p_iin varchar, p_ref varchar, p_now timestamptz,
    p_task varchar, p_request_id varchar
) RETURNS TABLE (
    outcome text, completed_case uuid, completed_message bigint,
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
    v_done boolean := false;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_source || chr(31) || p_key, 0));
    RETURN QUERY
        SELECT 'existing'::text, NULL::uuid, NULL::bigint, p.id, p.source, p.idempotency_key,
               p.request_hash, p.amount_tiyn, p.paid_at, p.paid_on, p.payer_iin,
               p.case_reference, p.plan_id, p.status, p.applied_tiyn, p.refund_tiyn,
               p.transaction_id, p.received_at
          FROM schedules_incomingpayment p
         WHERE p.source = p_source AND p.idempotency_key = p_key;
    IF FOUND THEN
        RETURN;
    END IF;
    -- The plan, found and locked in one statement, with the system accounts. A reference and
    -- an IIN that disagree attribute nothing; by IIN alone, the borrower's newest plan.
    -- 'terminated' takes nothing.
    SELECT max(a.id) FILTER (WHERE a.code = 'bank'), max(a.id) FILTER (WHERE a.code = 'suspense'),
           max(a.id) FILTER (WHERE a.code = 'refund')
      INTO v_bank, v_suspense, v_refund_account
      FROM schedules_account a WHERE a.code IN ('bank', 'suspense', 'refund');
    IF v_bank IS NULL OR v_suspense IS NULL OR v_refund_account IS NULL THEN
        RETURN QUERY SELECT 'accounts_missing'::text, NULL::uuid, NULL::bigint, NULL::uuid,
            NULL::varchar, NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz,
            NULL::date, NULL::varchar, NULL::varchar, NULL::uuid, NULL::varchar, NULL::bigint,
            NULL::bigint, NULL::uuid, NULL::timestamptz;
        RETURN;
    END IF;
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
            RETURN QUERY SELECT 'accounts_missing'::text, NULL::uuid, NULL::bigint, NULL::uuid,
                NULL::varchar, NULL::varchar, NULL::varchar, NULL::bigint, NULL::timestamptz,
                NULL::date, NULL::varchar, NULL::varchar, v_plan, NULL::varchar, NULL::bigint,
                NULL::bigint, NULL::uuid, NULL::timestamptz;
            RETURN;
        END IF;
        v_parts := schedules_split_towards_targets(v_applied, v_debts, v_received);
        v_done := v_paid + v_applied = v_total;
    END IF;
    RETURN QUERY
        WITH shares AS (
            UPDATE schedules_creditorshare s
               SET received_tiyn = s.received_tiyn + v_parts[array_position(v_shares, s.id)]
             WHERE s.id = ANY(v_shares) AND v_parts[array_position(v_shares, s.id)] <> 0
        ), plan AS (
            UPDATE schedules_plan pl SET paid_tiyn = pl.paid_tiyn + v_applied,
                   status = CASE WHEN v_done THEN 'completed' ELSE pl.status END,
                   completed_on = CASE WHEN v_done THEN p_paid_on ELSE pl.completed_on END
             WHERE pl.id = v_plan AND v_applied > 0
        ), tx AS (
            INSERT INTO schedules_ledgertransaction AS t
                (id, kind, plan_id, reverses_id, booked_on, created_at, description)
            VALUES (gen_random_uuid(), v_kind, v_plan, NULL, p_paid_on, p_now,
                    left(p_source || ':' || p_key, 200))
            RETURNING t.id
        ), legs AS (
            INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)
            SELECT tx.id, leg.account, leg.side, leg.amount
              FROM tx, (
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
             ORDER BY leg.n
        ), message AS (
            INSERT INTO outbox_outboxmessage AS m
                (task_name, args, dedup_key, created_at, attempts, last_error, request_id)
            SELECT p_task, jsonb_build_array(v_case::text), 'plan-completed:' || v_plan::text,
                   p_now, 0, '', p_request_id
             WHERE v_done
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING m.id
        )
        INSERT INTO schedules_incomingpayment AS p
            (id, source, idempotency_key, request_hash, amount_tiyn, paid_at, paid_on,
             payer_iin, case_reference, plan_id, status, applied_tiyn, refund_tiyn,
             transaction_id, received_at)
        SELECT gen_random_uuid(), p_source, p_key, p_hash, p_amount, p_paid_at, p_paid_on,
               p_iin, p_ref, v_plan, v_status, v_applied, v_refund, tx.id, p_now
          FROM tx
        RETURNING 'created'::text, CASE WHEN v_done THEN v_case END,
                  (SELECT message.id FROM message), p.id, p.source, p.idempotency_key,
                  p.request_hash, p.amount_tiyn, p.paid_at, p.paid_on, p.payer_iin,
                  p.case_reference, p.plan_id, p.status, p.applied_tiyn, p.refund_tiyn,
                  p.transaction_id, p.received_at;
END;
$$ LANGUAGE plpgsql;
"""

REVERSE = """
DROP FUNCTION IF EXISTS schedules_book_payment(
    varchar, varchar, varchar, bigint, timestamptz, date, varchar, varchar, timestamptz,
    varchar, varchar);
"""


def _restore_0008(apps, schema_editor):
    from importlib import import_module  # a migration module's name starts with a digit

    forward = import_module("schedules.migrations.0008_book_payment_function").FORWARD
    schema_editor.execute(forward[forward.index("CREATE OR REPLACE FUNCTION schedules_book_payment(") :])


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0014_merge_refund_ident_uploads_booking_fk"),
        ("outbox", "0002_request_id_with_message"),
    ]
    operations = [
        migrations.RunSQL(FORWARD, REVERSE),
        migrations.RunPython(migrations.RunPython.noop, _restore_0008),
    ]
