"""The refund-payout rules join the one set-based check at COMMIT (custom SQL only).

0008_refunds_to_borrowers checked them with a deferred trigger FOR EACH debit leg: at COMMIT,
one PL/pgSQL call and one look-up per payment booked (a thousand per month-end batch) to find
that the leg was not a refund payout's. 0007's check already visits each (debited account,
transaction kind) of the database transaction once; it now also takes a refund payout's debit
legs, whatever their account, and applies the same rules with the same messages: a refund
payout draws only from the refund account, and never takes it below zero.
"""

from importlib import import_module

from django.db import migrations

_CHECK = import_module("schedules.migrations.0007_set_based_ledger_checks").FORWARD
_CHECK = _CHECK[_CHECK.index("CREATE OR REPLACE FUNCTION schedules_ledgercheck_run()") :]
_CHECK = _CHECK[: _CHECK.index("CREATE CONSTRAINT TRIGGER schedules_ledgercheck_run")]
_REFUND = import_module("schedules.migrations.0008_refunds_to_borrowers")

_CHANGES = [
    (
        "               AND a.kind <> 'creditor_payable'\n",
        "               AND (a.kind <> 'creditor_payable' OR t.kind = 'refund_payout')\n",
    ),
    (
        "    LOOP\n        IF leg.tx_kind = 'payout' THEN\n",
        "    LOOP\n"
        "        IF leg.tx_kind = 'refund_payout' THEN\n"
        "            IF leg.kind <> 'refund' THEN\n"
        "                RAISE EXCEPTION\n"
        "                    'a refund payout may only draw from the refund account, not %',\n"
        "                    leg.kind USING ERRCODE = 'check_violation';\n"
        "            END IF;\n"
        "            SELECT coalesce(sum(CASE WHEN side = 'C' THEN amount_tiyn\n"
        "                                     ELSE -amount_tiyn END), 0)\n"
        "              INTO held_balance FROM schedules_ledgerentry\n"
        "             WHERE account_id = leg.account_id;\n"
        "            IF held_balance < 0 THEN\n"
        "                RAISE EXCEPTION 'the refund account would go negative (%)', held_balance\n"
        "                    USING ERRCODE = 'check_violation';\n"
        "            END IF;\n"
        "            CONTINUE;\n"
        "        END IF;\n"
        "        IF leg.tx_kind = 'payout' THEN\n",
    ),
]  # fmt: skip


def _folded() -> str:
    body = _CHECK
    for old, new in _CHANGES:
        assert body.count(old) == 1, old  # 0007 is a snapshot: it cannot drift
        body = body.replace(old, new)
    return body


FORWARD = _folded() + _REFUND.REFUND_RULES_REVERSE
REVERSE = _CHECK + _REFUND.REFUND_RULES


class Migration(migrations.Migration):
    dependencies = [("schedules", "0015_book_payment_in_one_statement")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
