"""A loan still disputed at signing, decided by the ombudsman afterwards: its held money is
released to the creditor or shared out among the others, and the plan shrinks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform import locks
from finplatform.clock import business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import split_towards_targets
from schedules import ledger
from schedules.models import (
    CreditorShare,
    PlanAdjustment,
    PlanStatus,
    ShareHold,
    Side,
    TransactionKind,
)
from schedules.models.plan import LIVE_HOLDS
from schedules.services.common import MSG_AMOUNT, lock_plans, plan_completed

MSG_NOT_HELD = _("This share is not held, or its dispute was already decided.")
MSG_ABOVE_PROVISIONAL = _(
    "After signing, a disputed loan can be included at most at the provisional amount the"
    " borrower signed for."
)
MSG_LAST_SHARE = _("The last debt in a plan cannot be left out.")


@dataclass(frozen=True)
class HeldDecision:
    share: CreditorShare
    released_tiyn: int  # held money moved to the creditor's payable
    redistributed: dict  # creditor id -> held money moved to that creditor's payable
    refund_tiyn: int  # held money owed back to the borrower (paid beyond the new total)
    adjustment: object  # PlanAdjustment or None
    transaction_id: object  # the release transaction, or None when nothing was held


@transaction.atomic
def decide_held_share(*, share_id, decided_tiyn: int, on: date | None = None) -> HeldDecision:
    """The ombudsman decided a loan that was still disputed at signing.

    `decided_tiyn` is the debt decided: the provisional figure (include), less (include at a
    lower amount) or 0 (leave out). Guarantees, under the plan's row lock, in one balanced
    ledger transaction of kind RELEASE:
    * include at the provisional figure: the whole held balance moves to the creditor's
      payable account, to the tiyn; the share joins the creditor's regular share, so later
      parts go to the payable directly;
    * otherwise the plan total drops by (provisional - decided); the held balance is divided
      among the remaining shares (the creditor's own at its decided debt included) by the
      cumulative largest-remainder split, never beyond a share's debt; what the borrower paid
      beyond the new total is owed back (refund liability); the remaining instalments shrink
      from the end by the rest of the drop (a `PlanAdjustment`, replayed like an
      overpayment), so each remaining creditor receives exactly its debt over the schedule;
    * the held account ends at zero; a second call raises ConflictError.
    * a plan the decision leaves paid in full (the drop, or a plan paid off while this share
      was held) is completed, unless another share is still held, and
      `resolution.plan_completed` is written to the outbox in the same transaction (once).
    """
    plan_id = CreditorShare.objects.values_list("plan_id", flat=True).get(pk=share_id)
    plan = lock_plans([plan_id])[plan_id]
    group = sorted(
        locks.lock_rows(CreditorShare.objects.filter(plan_id=plan_id)), key=lambda s: s.position
    )
    share = next(s for s in group if s.pk == share_id)
    if share.hold != ShareHold.HELD:
        raise ConflictError(MSG_NOT_HELD, code="share_not_held")
    if not isinstance(decided_tiyn, int) or decided_tiyn < 0:
        raise ApplicationError(MSG_AMOUNT, code="invalid_amount")
    if decided_tiyn > share.debt_tiyn:
        raise ApplicationError(
            MSG_ABOVE_PROVISIONAL, code="above_provisional",
            extra={"provisional_tiyn": share.debt_tiyn},
        )  # fmt: skip
    on = on or business_date()
    held = share.received_tiyn
    held_account = ledger.held_account_ids([share])[share.pk]
    drop = share.debt_tiyn - decided_tiyn
    live = [s for s in group if s.hold in LIVE_HOLDS and s.pk != share.pk]
    if not live and decided_tiyn == 0:
        raise ConflictError(MSG_LAST_SHARE, code="last_share")
    own = next((s for s in live if s.creditor_id == share.creditor_id and not s.hold), None)
    if own is None and decided_tiyn:
        own = CreditorShare(
            plan=plan, creditor_id=share.creditor_id, debt_tiyn=0,
            position=max(s.position for s in group) + 1,
        )  # fmt: skip
        live.append(own)
    if own is not None:
        own.debt_tiyn += decided_tiyn

    moved: dict[int, int] = {}  # share index in `live` -> tiyn
    if drop == 0:  # included as provisionally planned: everything held goes to the creditor
        moved[live.index(own)] = held
        refund = 0
    else:
        capacity = sum(s.debt_tiyn - s.received_tiyn for s in live)
        to_move = min(held, capacity)
        refund = held - to_move
        parts = split_towards_targets(
            to_move, [s.debt_tiyn for s in live], [s.received_tiyn for s in live]
        )
        moved = {i: p for i, p in enumerate(parts) if p}
    for index, part in moved.items():
        live[index].received_tiyn += part

    system = ledger.system_account_ids()
    accounts = ledger.held_account_ids([s for s in live if s.hold == ShareHold.HELD])
    payable = ledger.creditor_account_ids(s.creditor_id for s in live)
    legs: list[ledger.Leg] = [(held_account, Side.DEBIT, held)]
    for index, part in moved.items():
        target = live[index]
        account = accounts.get(target.pk) or payable[target.creditor_id]
        legs.append((account, Side.CREDIT, part))
    legs.append((system[ledger.REFUND], Side.CREDIT, refund))
    posting = None
    if held:
        posting = ledger.Posting(
            kind=TransactionKind.RELEASE, booked_on=on, legs=legs, plan_id=plan.pk,
            description=f"dispute decided: {share.creditor_id} {decided_tiyn}",
        )  # fmt: skip
        ledger.post_many([posting], now=business_now())

    share.hold = ShareHold.INCLUDED if decided_tiyn else ShareHold.EXCLUDED
    share.decided_tiyn = decided_tiyn
    share.decided_on = on
    share.debt_tiyn = 0
    share.received_tiyn = 0
    share.save(update_fields=["hold", "decided_tiyn", "decided_on", "debt_tiyn", "received_tiyn"])
    for target in live:
        if target.pk is None:
            target.save()
        else:
            target.save(update_fields=["debt_tiyn", "received_tiyn"])

    adjustment = None
    fields = []
    if drop:
        adjustment = PlanAdjustment.objects.create(
            plan=plan, share=share, booked_on=on, total_drop_tiyn=drop,
            reduction_tiyn=drop - refund, refund_tiyn=refund,
            transaction_id=posting.transaction_id if posting else None,
        )  # fmt: skip
        plan.total_tiyn -= drop
        plan.paid_tiyn -= refund
        fields = ["total_tiyn", "paid_tiyn"]
    # A plan paid in full while this share was held stayed open (the booking completes no plan
    # with a held share): it completes now, unless another dispute is still held.
    still_held = any(s.hold == ShareHold.HELD for s in live)
    if plan.paid_tiyn == plan.total_tiyn and plan.status != PlanStatus.COMPLETED and not still_held:
        plan.status = PlanStatus.COMPLETED
        plan.completed_on = on
        fields += ["status", "completed_on"]
        plan_completed(plan)
    if fields:
        plan.save(update_fields=fields)
    redistributed: dict = {}
    for index, part in moved.items():
        creditor_id = live[index].creditor_id
        redistributed[creditor_id] = redistributed.get(creditor_id, 0) + part
    released = redistributed.pop(share.creditor_id, 0) if decided_tiyn else 0
    return HeldDecision(
        share=share, released_tiyn=released, redistributed=redistributed, refund_tiyn=refund,
        adjustment=adjustment, transaction_id=posting.transaction_id if posting else None,
    )  # fmt: skip
