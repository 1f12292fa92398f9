"""Money out: the daily payout of everything owed to each creditor."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Sum

from creditors.models import PayoutDetails, PayoutDetailsStatus
from finplatform import locks
from finplatform.clock import business_date, business_now
from schedules import ledger
from schedules.models import Account, AccountKind, LedgerEntry, Payout, Side, TransactionKind
from schedules.services import refunds

logger = logging.getLogger(__name__)


@transaction.atomic
def run_payouts(*, on: date | None = None) -> list:
    """Pay each creditor everything owed to it, once per business day (idempotent: UNIQUE
    (creditor, payout_date)). Each payout is a balanced transaction: debit the creditor's
    payable account, credit the bank. Payable accounts are locked in primary-key order.

    Money goes only to the creditor's approved payout details (maker-checker), recorded on
    the payout with the IBAN as it was; a creditor without approved details is not paid (its
    money stays on its payable account, and its payouts page says why). The same run pays
    the borrowers' refunds approved under maker-checker (services/refunds.py)."""
    on = on or business_date()
    approved = {
        creditor_id: (details_id, iban)
        for details_id, creditor_id, iban in PayoutDetails.objects.filter(
            status=PayoutDetailsStatus.ACTIVE
        ).values_list("pk", "creditor_id", "iban")
    }
    system = ledger.system_account_ids()
    accounts = list(locks.lock_rows(Account.objects.filter(kind=AccountKind.CREDITOR_PAYABLE)))
    done = set(Payout.objects.filter(payout_date=on).values_list("creditor_id", flat=True))
    sums = {
        (row["account_id"], row["side"]): row["total"]
        for row in LedgerEntry.objects.filter(account__in=accounts)
        .values("account_id", "side")
        .annotate(total=Sum("amount_tiyn"))
    }
    postings, payouts = [], []
    for account in accounts:
        balance = sums.get((account.pk, Side.CREDIT), 0) - sums.get((account.pk, Side.DEBIT), 0)
        if balance <= 0 or account.creditor_id in done:
            continue
        if account.creditor_id not in approved:
            logger.warning(
                "payout withheld: creditor %s has no approved payout details (%s tiyn waiting)",
                account.creditor_id, balance,
            )  # fmt: skip
            continue
        posting = ledger.Posting(
            kind=TransactionKind.PAYOUT, booked_on=on, description=f"payout {on}",
            legs=[(account.pk, Side.DEBIT, balance), (system[ledger.BANK], Side.CREDIT, balance)],
        )  # fmt: skip
        postings.append(posting)
        details_id, iban = approved[account.creditor_id]
        payouts.append(
            Payout(
                creditor_id=account.creditor_id, payout_date=on, amount_tiyn=balance,
                payout_details_id=details_id, iban=iban,
            )
        )  # fmt: skip
    if postings:
        ledger.post_many(postings, now=business_now())
        for payout, posting in zip(payouts, postings, strict=True):
            payout.transaction_id = posting.transaction_id
        Payout.objects.bulk_create(payouts)
    refunds.pay_approved_refunds(on=on)
    return payouts
