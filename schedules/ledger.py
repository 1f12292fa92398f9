"""Posting to the double-entry ledger: the only code that writes `LedgerTransaction` and
`LedgerEntry`. Legs are (account_id, side, amount_tiyn) with positive amounts; zero legs are
dropped. Python checks the balance before writing and PostgreSQL checks it again at COMMIT
(migration 0003), so an unbalanced transaction can never be stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from schedules.models import Account, AccountKind, LedgerEntry, LedgerTransaction, Side

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


def creditor_account_ids(creditors) -> dict:
    """creditor_id -> payable account id, creating the accounts that are missing."""
    creditors = {c.pk: c for c in creditors}
    found = dict(Account.objects.filter(creditor_id__in=creditors).values_list("creditor_id", "pk"))
    missing = [c for pk, c in creditors.items() if pk not in found]
    if missing:
        Account.objects.bulk_create(
            [
                Account(
                    code=f"payable:{c.bin}", name=f"Payable to {c.name}"[:200],
                    kind=AccountKind.CREDITOR_PAYABLE, creditor=c,
                )
                for c in missing
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        found = dict(
            Account.objects.filter(creditor_id__in=creditors).values_list("creditor_id", "pk")
        )
    return found


@dataclass
class Posting:
    kind: str
    booked_on: date
    legs: list[Leg]
    plan_id: object = None
    reverses_id: object = None
    description: str = ""
    transaction: LedgerTransaction | None = field(default=None, repr=False)


def post_many(postings: list[Posting], *, now: datetime) -> list[LedgerTransaction]:
    """Write many balanced transactions with two INSERT statements."""
    for posting in postings:
        posting.legs = [leg for leg in posting.legs if leg[2] != 0]
        debit = sum(a for _, side, a in posting.legs if side == Side.DEBIT)
        credit = sum(a for _, side, a in posting.legs if side == Side.CREDIT)
        if debit != credit or len(posting.legs) < 2 or any(a < 0 for *_, a in posting.legs):
            raise UnbalancedTransaction(f"{posting.kind}: debit {debit} != credit {credit}")
        posting.transaction = LedgerTransaction(
            kind=posting.kind,
            plan_id=posting.plan_id,
            reverses_id=posting.reverses_id,
            booked_on=posting.booked_on,
            created_at=now,
            description=posting.description[:200],
        )
    transactions = LedgerTransaction.objects.bulk_create([p.transaction for p in postings])
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=p.transaction, account_id=acc, side=side, amount_tiyn=amount)
            for p in postings
            for acc, side, amount in p.legs
        ]
    )
    return transactions
