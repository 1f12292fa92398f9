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

from importlib import import_module

from django.db import migrations

_BASE = import_module("schedules.migrations.0008_book_payment_function").FORWARD
_BASE = _BASE[_BASE.index("CREATE OR REPLACE FUNCTION schedules_book_payment(") :]
# 0008's function up to its split (its declarations give v_tx and v_payment their ids);
# from there on the writes are new (_TAIL).
_HEAD = _BASE[: _BASE.index("        v_parts := schedules_split_towards_targets(")]
_HEAD_CHANGES = [
    (
        "p_paid_on date, p_iin varchar, p_ref varchar, p_now timestamptz\n)",
        "p_paid_on date, p_iin varchar, p_ref varchar, p_now timestamptz,\n"
        "    p_task varchar, p_request_id varchar\n)",
    ),
    (
        "outcome text, completed_case uuid,",
        "outcome text, completed_case uuid, completed_message bigint,",
    ),
    ("    v_completed uuid;\n", "    v_done boolean := false;\n"),
    ("SELECT 'existing'::text, NULL::uuid,", "SELECT 'existing'::text, NULL::uuid, NULL::bigint,"),
    (
        "'accounts_missing'::text, NULL::uuid,",
        "'accounts_missing'::text, NULL::uuid, NULL::bigint,",
    ),
]  # fmt: skip
_TAIL = """
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
            VALUES (v_tx, v_kind, v_plan, NULL, p_paid_on, p_now,
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
        SELECT v_payment, p_source, p_key, p_hash, p_amount, p_paid_at, p_paid_on,
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


def _forward_sql() -> str:
    head = _HEAD
    for old, new in _HEAD_CHANGES:
        assert old in head, old  # 0008 is a snapshot: it cannot drift
        head = head.replace(old, new)
    return _DROP_0008 + head + _TAIL.lstrip("\n")


_DROP_0008 = """
DROP FUNCTION IF EXISTS schedules_book_payment(
    varchar, varchar, varchar, bigint, timestamptz, date, varchar, varchar, timestamptz);
"""

REVERSE = """
DROP FUNCTION IF EXISTS schedules_book_payment(
    varchar, varchar, varchar, bigint, timestamptz, date, varchar, varchar, timestamptz,
    varchar, varchar);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0014_merge_refund_ident_uploads_booking_fk"),
        ("outbox", "0002_request_id_with_message"),
    ]
    operations = [
        migrations.RunSQL(_forward_sql(), REVERSE + _BASE),
    ]
