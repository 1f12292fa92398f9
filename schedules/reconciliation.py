"""Reconciliation: proves from the ledger legs that the money adds up.

incoming payments (not reversed) = owed to creditors (awaiting payout) + paid out
                                   + suspense + refund liability + held for disputes
                                   + refunded to borrowers
bank balance                     = awaiting payout + suspense + refund liability + held
per creditor: Σ its regular shares' received (cache) = its payable credits − reversal debits
                                             = awaiting payout + paid out
              (a sold claim's received total counts to each holder its own part: the
               seller keeps what it had by the sale, `ClaimTransfer.kept_tiyn`)
per held share: received (cache) = its held account's balance; a decided share holds nothing
per plan: paid (cache) = Σ applied of its live payments − refunds of its adjustments
          = Σ its live shares' received; a completed plan paid every creditor exactly its debt
every ledger transaction balances (the trigger makes this true; we check anyway)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import F, Q, Sum

from schedules.models import (
    AccountKind,
    ChangeStatus,
    ClaimTransfer,
    CreditorShare,
    IncomingPayment,
    LedgerEntry,
    PaymentStatus,
    Payout,
    Plan,
    PlanAdjustment,
    PlanStatus,
    RefundPayout,
    RefundStatus,
    ShareHold,
    Side,
)
from schedules.models.plan import LIVE_HOLDS


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ReconciliationReport:
    on: date | None
    figures: dict[str, int] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _balances_by_kind(on: date | None) -> dict[str, int]:
    """Credit − debit per account kind (the bank, an asset, comes out negative)."""
    entries = LedgerEntry.objects.all()
    if on is not None:
        entries = entries.filter(transaction__booked_on__lte=on)
    rows = entries.values("account__kind").annotate(
        credit=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
        debit=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
    )
    return {r["account__kind"]: (r["credit"] or 0) - (r["debit"] or 0) for r in rows}


def reconcile(*, on: date | None = None) -> ReconciliationReport:
    report = ReconciliationReport(on=on)
    balances = _balances_by_kind(on)
    payments = IncomingPayment.objects.exclude(status=PaymentStatus.REVERSED)
    payouts = Payout.objects.all()
    if on is not None:
        payments = payments.filter(paid_on__lte=on)
        payouts = payouts.filter(payout_date__lte=on)
    incoming = payments.aggregate(s=Sum("amount_tiyn"))["s"] or 0
    paid_out = payouts.aggregate(s=Sum("amount_tiyn"))["s"] or 0
    refunds = RefundPayout.objects.filter(status=RefundStatus.PAID)
    if on is not None:
        refunds = refunds.filter(paid_on__lte=on)
    refunded = refunds.aggregate(s=Sum("amount_tiyn"))["s"] or 0
    awaiting = balances.get(AccountKind.CREDITOR_PAYABLE, 0)
    suspense = balances.get(AccountKind.SUSPENSE, 0)
    refund = balances.get(AccountKind.REFUND, 0)
    disputed = balances.get(AccountKind.HELD, 0)
    bank = -balances.get(AccountKind.BANK, 0)
    report.figures = {
        "incoming": incoming,
        "distributed": awaiting + paid_out,
        "awaiting_payout": awaiting,
        "paid_out": paid_out,
        "suspense": suspense,
        "refund_liability": refund,
        "refunded_to_borrowers": refunded,
        "held_for_disputes": disputed,
        "bank_balance": bank,
    }
    held = awaiting + paid_out + suspense + refund + disputed + refunded
    report.checks.append(
        Check(
            "incoming = distributed + suspense + refund + held for disputes + refunded",
            incoming == held,
            f"{incoming} vs {held}",
        )
    )
    on_hand = awaiting + suspense + refund + disputed
    report.checks.append(
        Check(
            "bank = awaiting payout + suspense + refund + held for disputes",
            bank == on_hand,
            f"{bank} vs {on_hand}",
        )
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM schedules_ledgerentry GROUP BY 1"
            " HAVING sum(CASE WHEN side = 'D' THEN amount_tiyn ELSE -amount_tiyn END) <> 0) t"
        )
        unbalanced = cursor.fetchone()[0]
    report.checks.append(Check("every transaction balances", unbalanced == 0, f"{unbalanced} not"))

    if on is None:  # the caches hold today's figures
        _check_caches(report)
    return report


def _kept_after_transfers() -> dict:
    """creditor id -> what its approved claim sales left with it, less what its purchases
    brought from earlier holders: a transferred share's received total (its cache) counts
    the whole history to the present holder, the ledger each holder's own part."""
    kept: dict = {}
    for seller, buyer, amount in ClaimTransfer.objects.filter(
        status=ChangeStatus.APPROVED
    ).values_list("from_creditor_id", "to_creditor_id", "kept_tiyn"):
        kept[seller] = kept.get(seller, 0) + amount
        kept[buyer] = kept.get(buyer, 0) - amount
    return kept


def _check_caches(report: ReconciliationReport) -> None:
    live = CreditorShare.objects.filter(hold__in=LIVE_HOLDS)
    received = dict(
        CreditorShare.objects.filter(hold=ShareHold.NONE)
        .values("creditor_id")
        .annotate(s=Sum("received_tiyn"))
        .values_list("creditor_id", "s")
    )
    ledger_rows = (
        LedgerEntry.objects.filter(account__kind=AccountKind.CREDITOR_PAYABLE)
        .exclude(transaction__kind="payout")
        .values("account__creditor_id")
        .annotate(
            credit=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
            debit=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
        )
    )
    in_ledger = {
        r["account__creditor_id"]: (r["credit"] or 0) - (r["debit"] or 0) for r in ledger_rows
    }
    for creditor_id, kept in _kept_after_transfers().items():
        received[creditor_id] = (received.get(creditor_id) or 0) + kept
    wrong = [
        str(c)
        for c in set(received) | set(in_ledger)
        if (received.get(c) or 0) != in_ledger.get(c, 0)
    ]
    report.checks.append(
        Check("each creditor's received total matches the ledger", not wrong, ", ".join(wrong))
    )
    held_rows = (
        LedgerEntry.objects.filter(account__kind=AccountKind.HELD)
        .values("account__share_id")
        .annotate(
            credit=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
            debit=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
        )
    )
    held_ledger = {
        r["account__share_id"]: (r["credit"] or 0) - (r["debit"] or 0) for r in held_rows
    }
    held_cache = dict(
        CreditorShare.objects.exclude(hold=ShareHold.NONE).values_list("pk", "received_tiyn")
    )
    wrong_held = [
        str(pk)
        for pk in set(held_cache) | set(held_ledger)
        if held_cache.get(pk, 0) != held_ledger.get(pk, 0)
    ]
    report.checks.append(
        Check("each held share matches its held account", not wrong_held, ", ".join(wrong_held))
    )
    applied = dict(
        IncomingPayment.objects.filter(status=PaymentStatus.APPLIED)
        .values("plan_id")
        .annotate(s=Sum("applied_tiyn"))
        .values_list("plan_id", "s")
    )
    for plan_id, refunded in (
        PlanAdjustment.objects.values("plan_id")
        .annotate(s=Sum("refund_tiyn"))
        .values_list("plan_id", "s")
    ):
        applied[plan_id] = applied.get(plan_id, 0) - refunded
    by_shares = dict(
        live.values("plan_id").annotate(s=Sum("received_tiyn")).values_list("plan_id", "s")
    )
    bad_plans = [
        str(pk)
        for pk, paid in Plan.objects.values_list("pk", "paid_tiyn")
        if not (paid == applied.get(pk, 0) == by_shares.get(pk, 0))
    ]
    report.checks.append(
        Check("each plan's paid total matches", not bad_plans, ", ".join(bad_plans))
    )
    # Each creditor tracks its proportional share of what its plan received: largest remainder
    # over cumulative amounts keeps |received - paid * debt / total| within a few tiyn (under
    # the number of creditors in every case our property tests have produced).
    plans_paid = dict(Plan.objects.values_list("pk", "paid_tiyn"))
    plans_total = dict(Plan.objects.values_list("pk", "total_tiyn"))
    counts: dict = {}
    rows = list(live.values_list("plan_id", "debt_tiyn", "received_tiyn"))
    for plan_id, _, _ in rows:
        counts[plan_id] = counts.get(plan_id, 0) + 1
    drift = [
        str(plan_id)
        for plan_id, debt, received in rows
        if abs(received * plans_total[plan_id] - plans_paid[plan_id] * debt)
        > counts[plan_id] * plans_total[plan_id]
    ]
    report.checks.append(
        Check(
            "each creditor's received total matches its share",
            not drift,
            ", ".join(sorted(set(drift))[:20]),
        )
    )
    short = live.filter(plan__status=PlanStatus.COMPLETED).exclude(received_tiyn=F("debt_tiyn"))
    report.checks.append(
        Check(
            "completed plans paid every creditor its debt",
            not short.exists(),
            ", ".join(str(s.pk) for s in short[:20]),
        )
    )
