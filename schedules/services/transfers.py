"""A creditor's claim in a plan sold to another creditor: the plan's and the ledger's side.

The share keeps its debt, its received total and its position, so the split of every later
payment among all creditors is exactly what it was (each creditor still ends at its debt);
only whose it is changes. Booking credits the share's current creditor, so once the share
names the buyer every later part and payout is the buyer's. What the seller was credited
for this plan on or after the sale date and still holds on its payable account is moved to
the buyer by one TRANSFER ledger transaction; what it was already paid out of that is for
the two to settle under their assignment agreement (recorded, never clawed back here).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from creditors.models import Creditor
from finplatform import locks
from finplatform.clock import BUSINESS_TZ, business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from schedules import ledger
from schedules.models import (
    Account,
    ChangeStatus,
    ClaimTransfer,
    CreditorShare,
    LedgerEntry,
    PlanStatus,
    ShareHold,
    Side,
    TransactionKind,
)
from schedules.services.common import lock_plans

OPEN_PLAN = (PlanStatus.ACTIVE, PlanStatus.BREACHED)

MSG_PLAN_CLOSED = _("Only a claim in a plan under way (or breached) can be transferred.")
MSG_SAME_CREDITOR = _("The buyer must be another creditor than the seller.")
MSG_BUYER_IN_PLAN = _(
    "The buyer already holds a claim in this plan; two claims of one creditor in a plan "
    "cannot be merged here. Ask the ombudsman."
)
MSG_HELD_SHARE = _(
    "A loan still disputed in the plan cannot be transferred before the ombudsman decides it."
)
MSG_DATE_RANGE = _("The sale date must be between the signing of the plan and today.")
MSG_NOT_PENDING = _("This transfer was already decided.")


def check_transfer(*, share: CreditorShare, buyer: Creditor, effective_on: date) -> None:
    """Raise a clear error when `share` cannot be sold to `buyer` from `effective_on`."""
    plan = share.plan
    if plan.status not in OPEN_PLAN:
        raise ConflictError(MSG_PLAN_CLOSED, code="plan_not_open")
    if share.hold != ShareHold.NONE:
        raise ConflictError(MSG_HELD_SHARE, code="share_held")
    if buyer.pk == share.creditor_id:
        raise ApplicationError(MSG_SAME_CREDITOR, code="same_creditor")
    if CreditorShare.objects.filter(plan=plan, creditor=buyer).exists():
        raise ConflictError(MSG_BUYER_IN_PLAN, code="buyer_in_plan")
    if CreditorShare.objects.filter(
        plan=plan, creditor_id=share.creditor_id, hold=ShareHold.HELD
    ).exists():  # its release would look for the seller's regular share
        raise ConflictError(MSG_HELD_SHARE, code="share_held")
    signed_on = plan.created_at.astimezone(BUSINESS_TZ).date()
    if not (signed_on <= effective_on <= business_date()):
        raise ApplicationError(MSG_DATE_RANGE, code="invalid_date")


def _net_credit(entries) -> int:
    sums = entries.aggregate(
        c=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
        d=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
    )
    return (sums["c"] or 0) - (sums["d"] or 0)


@transaction.atomic
def apply_transfer(*, transfer_id) -> ClaimTransfer:
    """Make a pending transfer take effect (the caller checked who approves). Locks the plan
    (as booking does: no payment is split while the share changes hands), then both payable
    accounts in primary-key order (as the payout run does); checks again; moves the money
    accrued to the seller since the sale date and not yet paid out (one TRANSFER
    transaction, none when there is nothing to move); names the buyer on the share."""
    transfer = locks.lock_row(ClaimTransfer, pk=transfer_id)
    if transfer.status != ChangeStatus.PENDING:
        raise ConflictError(MSG_NOT_PENDING, code="already_decided")
    lock_plans([transfer.plan_id])
    share = locks.lock_row(CreditorShare, pk=transfer.share_id)
    seller, buyer = transfer.from_creditor, transfer.to_creditor
    check_transfer(share=share, buyer=buyer, effective_on=transfer.effective_on)
    accounts = ledger.creditor_account_ids([seller.pk, buyer.pk])
    list(locks.lock_rows(Account.objects.filter(pk__in=accounts.values())))
    seller_entries = LedgerEntry.objects.filter(account_id=accounts[seller.pk])
    since = _net_credit(
        seller_entries.filter(
            transaction__plan_id=transfer.plan_id,
            transaction__booked_on__gte=transfer.effective_on,
        ).exclude(transaction__kind=TransactionKind.PAYOUT)
    )
    on_account = _net_credit(seller_entries)
    moved = max(0, min(since, on_account))
    if moved:
        posting = ledger.Posting(
            kind=TransactionKind.TRANSFER, booked_on=business_date(), plan_id=transfer.plan_id,
            legs=[(accounts[seller.pk], Side.DEBIT, moved),
                  (accounts[buyer.pk], Side.CREDIT, moved)],
            description=f"claim transfer {transfer.pk}: {seller.bin} -> {buyer.bin}",
        )  # fmt: skip
        ledger.post_many([posting], now=business_now())
        transfer.transaction_id = posting.transaction_id
    transfer.moved_tiyn = moved
    transfer.paid_to_seller_tiyn = max(0, since - moved)
    transfer.kept_tiyn = share.received_tiyn - moved
    transfer.status = ChangeStatus.APPROVED
    transfer.save(
        update_fields=["moved_tiyn", "paid_to_seller_tiyn", "kept_tiyn", "status", "transaction"]
    )
    share.creditor = buyer
    share.save(update_fields=["creditor"])
    return transfer
