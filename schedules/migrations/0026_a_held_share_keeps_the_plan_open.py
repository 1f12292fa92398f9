"""A plan with a share still held for an undecided dispute is not completed by a payment that
pays its total (custom SQL only).

The total of a plan signed with a dispute open includes the disputed loan at its bureau figure,
its share held: paid into a held account, never out, until the ombudsman decides
(`schedules.services.holds.decide_held_share`). Both booking functions completed the plan as
soon as its paid total reached that total, so a borrower who paid off such a plan got the
completion certificate (the disputing creditor "paid in full" with its money still held) and
the credit bureau a `completed` report, and the ombudsman's later decision — leave the loan out,
or include it at less — lowered a total that had already been declared paid. Now a plan whose
live shares include a held one stays active when paid in full; `decide_held_share` completes
it once nothing is held and its paid total is its (possibly lower) total, as the Python
reference path (`payments._distribute`) does.

The rows written, their order and the answers are otherwise 0021's and 0022's; the planner
settings of 0024 and 0025 are restated (CREATE OR REPLACE drops them).
"""

from importlib import import_module

from django.db import migrations

_0021 = import_module("schedules.migrations.0021_ledger_ids_in_time_order")
_0022 = import_module("schedules.migrations.0022_ledger_plans_that_scale")
_SINGLE = _0021._in_time_order(_0021._ONE, 2)
_STAGED = _0022._staged()

# (the text before, its replacement), each found exactly once
SINGLE_REWRITES = (
    (
        "    v_done boolean := false;\n",
        "    v_done boolean := false;\n    v_held boolean := false;\n",
    ),
    (
        "                                  ORDER BY s.position), '{}')\n"
        "          INTO v_shares, v_debts, v_received, v_accounts\n",
        "                                  ORDER BY s.position), '{}'),\n"
        "               coalesce(bool_or(s.hold = 'held'), false)\n"
        "          INTO v_shares, v_debts, v_received, v_accounts, v_held\n",
    ),
    (
        "        v_done := v_paid + v_applied = v_total;\n",
        "        v_done := v_paid + v_applied = v_total AND NOT v_held;\n",
    ),
)
STAGED_REWRITES = (
    (
        "    b_acc bigint[];\n",
        "    b_acc bigint[];\n    b_held boolean[];\n    cur_held boolean;\n",
    ),
    (
        "                              ORDER BY s.plan_id, s.position), '{}')\n"
        "      INTO b_plan, b_id, b_debt, b_recv, b_acc\n",
        "                              ORDER BY s.plan_id, s.position), '{}'),\n"
        "           coalesce(array_agg(s.hold = 'held' ORDER BY s.plan_id, s.position), '{}')\n"
        "      INTO b_plan, b_id, b_debt, b_recv, b_acc, b_held\n",
    ),
    (
        "                s_recv := b_recv[si:sj - 1]; s_accs := b_acc[si:sj - 1];\n",
        "                s_recv := b_recv[si:sj - 1]; s_accs := b_acc[si:sj - 1];\n"
        "                cur_held := coalesce(true = ANY(b_held[si:sj - 1]), false);\n",
    ),
    (
        "                IF cur_paid = cur_total THEN\n",
        "                IF cur_paid = cur_total AND NOT cur_held THEN\n",
    ),
    (
        "CASE WHEN applied > 0 AND cur_paid = cur_total THEN cur_case END;\n",
        "CASE WHEN applied > 0 AND cur_paid = cur_total AND NOT cur_held\n"
        "                                    THEN cur_case END;\n",
    ),
)

# the functions as 0025 and 0024 name them, with the setting those gave them
SINGLE = import_module("schedules.migrations.0025_single_booking_never_scans_the_payments").FUNCTION
STAGED = import_module("schedules.migrations.0024_staged_booking_never_scans_the_payments").FUNCTION
SETTINGS = "".join(f"ALTER FUNCTION {f} SET enable_seqscan = off;\n" for f in (SINGLE, STAGED))


def _rewritten(sql: str, rewrites) -> str:
    for old, new in rewrites:
        assert sql.count(old) == 1, old  # the earlier migrations are snapshots
        sql = sql.replace(old, new)
    return sql


FORWARD = _rewritten(_SINGLE, SINGLE_REWRITES) + _rewritten(_STAGED, STAGED_REWRITES) + SETTINGS
REVERSE = _SINGLE + _STAGED + SETTINGS


class Migration(migrations.Migration):
    dependencies = [("schedules", "0025_single_booking_never_scans_the_payments")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
