"""Posting to the double-entry ledger: the only code that writes `LedgerTransaction` and
`LedgerEntry`. Legs are (account_id, side, amount_tiyn) with positive amounts; zero legs are
dropped. Python checks the balance before writing and PostgreSQL checks it again at COMMIT
(migration 0003), so an unbalanced transaction can never be stored.

Rows are written with PostgreSQL COPY (one statement per table per call), which is what makes
a month-end run of 100,000 payments fast; constraints and triggers apply to COPY exactly as to
INSERT. The statements are recorded in `connection.queries` like any other query, so tests
capturing SQL see them. `update_rows` changes many cached totals in one UPDATE … FROM VALUES.
"""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection

from creditors.models import Creditor
from schedules.models import Account, AccountKind, Side

BANK, SUSPENSE, REFUND = "bank", "suspense", "refund"
SYSTEM_ACCOUNTS = {
    BANK: ("Settlement bank account", AccountKind.BANK),
    SUSPENSE: ("Unidentified payments (suspense)", AccountKind.SUSPENSE),
    REFUND: ("Owed back to borrowers", AccountKind.REFUND),
}

Leg = tuple[int, str, int]


class UnbalancedTransaction(ValueError):
    pass


def system_account_ids() -> dict[str, int]:
    found = dict(Account.objects.filter(code__in=SYSTEM_ACCOUNTS).values_list("code", "pk"))
    missing = [code for code in SYSTEM_ACCOUNTS if code not in found]
    if missing:
        Account.objects.bulk_create(
            [
                Account(code=c, name=SYSTEM_ACCOUNTS[c][0], kind=SYSTEM_ACCOUNTS[c][1])
                for c in missing
            ],
            ignore_conflicts=True,
        )
        found = dict(Account.objects.filter(code__in=SYSTEM_ACCOUNTS).values_list("code", "pk"))
    return found


def creditor_account_ids(creditor_ids) -> dict:
    """creditor_id -> payable account id, creating the accounts that are missing."""
    creditor_ids = set(creditor_ids)
    found = dict(
        Account.objects.filter(creditor_id__in=creditor_ids).values_list("creditor_id", "pk")
    )
    missing = creditor_ids - set(found)
    if missing:
        Account.objects.bulk_create(
            [
                Account(
                    code=f"payable:{c.bin}", name=f"Payable to {c.name}"[:200],
                    kind=AccountKind.CREDITOR_PAYABLE, creditor=c,
                )
                for c in Creditor.objects.filter(pk__in=missing)
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        found = dict(
            Account.objects.filter(creditor_id__in=creditor_ids).values_list("creditor_id", "pk")
        )
    return found


def held_account_ids(shares) -> dict:
    """share id -> held account id for held `CreditorShare`s, creating missing accounts."""
    shares = list(shares)
    ids = {s.pk for s in shares}
    found = dict(Account.objects.filter(share_id__in=ids).values_list("share_id", "pk"))
    missing = [s for s in shares if s.pk not in found]
    if missing:
        Account.objects.bulk_create(
            [
                Account(
                    code=f"held:{s.pk}", name=f"Held for a disputed loan of {s.creditor}"[:200],
                    kind=AccountKind.HELD, share=s,
                )
                for s in missing
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        found = dict(Account.objects.filter(share_id__in=ids).values_list("share_id", "pk"))
    return found


# --- COPY and bulk UPDATE -----------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    kind = type(value)
    if kind is int or kind is uuid.UUID:
        return str(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def copy_rows(table: str, columns: tuple[str, ...], rows) -> int:
    """COPY `rows` (tuples in `columns` order) into `table`; returns the row count."""
    return copy_lines(table, columns, ("\t".join(map(_text, row)) for row in rows))


def copy_lines(table: str, columns: tuple[str, ...], lines) -> int:
    """COPY pre-formatted lines (COPY text format, tab-separated, already escaped)."""
    buffer = io.StringIO()
    count = 0
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
        count += 1
    if not count:
        return 0
    buffer.seek(0)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )
    return count


def update_rows(table: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """UPDATE many rows by primary key in one statement (UPDATE ... FROM (VALUES ...)), which
    bulk_update's CASE WHEN would do in quadratic time for thousands of rows. `columns` maps
    column -> SQL type; each row is (pk, *values)."""
    if not rows:
        return
    names = ["id", *columns]
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    sets = ", ".join(f"{c} = v.{c}::{t}" for c, t in columns.items())
    pk_type = "uuid" if table == "schedules_plan" else "bigint"
    sql = (
        f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([one] * len(rows))})"
        f" AS v({', '.join(names)}) WHERE t.id = v.id::{pk_type}"
    )
    params = [str(v) if v is not None and not isinstance(v, int) else v for r in rows for v in r]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass
class Posting:
    kind: str
    booked_on: date
    legs: list[Leg]
    plan_id: object = None
    reverses_id: object = None
    description: str = ""
    transaction_id: uuid.UUID = field(default_factory=uuid.uuid4)


TX_COLUMNS = ("id", "kind", "plan_id", "reverses_id", "booked_on", "created_at", "description")
ENTRY_COLUMNS = ("transaction_id", "account_id", "side", "amount_tiyn")


def post_many(postings: list[Posting], *, now: datetime) -> None:
    """Write many balanced transactions: one COPY for the transactions, one for the legs."""
    for posting in postings:
        posting.legs = [leg for leg in posting.legs if leg[2] != 0]
        debit = credit = 0
        for _, side, amount in posting.legs:
            if amount < 0:
                raise UnbalancedTransaction(f"{posting.kind}: negative leg")
            if side == Side.DEBIT:
                debit += amount
            else:
                credit += amount
        if debit != credit or len(posting.legs) < 2:
            raise UnbalancedTransaction(f"{posting.kind}: debit {debit} != credit {credit}")
    copy_rows(
        "schedules_ledgertransaction",
        TX_COLUMNS,
        (
            (
                p.transaction_id,
                p.kind,
                p.plan_id,
                p.reverses_id,
                p.booked_on,
                now,
                p.description[:200],
            )
            for p in postings
        ),
    )
    # Legs are ints and a one-letter side: nothing to escape, so format them directly.
    copy_lines(
        "schedules_ledgerentry",
        ENTRY_COLUMNS,
        (
            f"{p.transaction_id}\t{acc}\t{side}\t{amount}"
            for p in postings
            for acc, side, amount in p.legs
        ),
    )
