"""Monthly statements for the borrower and for a creditor (SPEC §3, last bullet), read from the
ledger, never from the caches: money in (date, amount, the provider's reference), each
creditor's part of each payment, and what is left to pay per creditor and in total at the
start and the end of the period.

A statement is built from the legs of the plan's own transactions (payments, payments after
completion, reversals) booked in the period, so its totals are the ledger's by construction:
the amount of a line is the bank leg (negative for a reversal), the creditors' parts are the
credits (minus debits) on their payable accounts, and the overpaid part is the refund leg.
Payouts are not the borrower's business and carry no plan, so they never appear here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.shortcuts import get_object_or_404

from finplatform.clock import BUSINESS_TZ
from finplatform.replica import replica_reads
from schedules.allocation import ORDER as ALLOCATION_ORDER
from schedules.models import (
    AccountKind,
    AllocationComponent,
    ChangeStatus,
    ClaimTransfer,
    CreditorShare,
    IncomingPayment,
    LedgerEntry,
    LedgerTransaction,
    PartAllocation,
    Plan,
    Side,
    TransactionKind,
)

PLAN_KINDS = (TransactionKind.PAYMENT, TransactionKind.REFUND, TransactionKind.REVERSAL)


@dataclass(frozen=True)
class StatementLine:
    booked_on: date
    kind: str
    provider: str  # the payment's source, e.g. "provider:kaspi"
    reference: str  # the provider's idempotency key of the payment
    amount_tiyn: int  # money in; negative for a reversal
    overpaid_tiyn: int  # the part owed back (paid after the schedule was complete)
    parts: tuple[int, ...]  # each creditor's part, in share order

    @property
    def parts_total(self) -> int:
        return sum(self.parts)

    @property
    def kind_label(self) -> str:
        return str(TransactionKind(self.kind).label)


@dataclass(frozen=True)
class BorrowerStatement:
    plan: Plan
    date_from: date
    date_to: date
    creditors: tuple  # creditors.Creditor, in share order
    debts: tuple[int, ...]
    opening: tuple[int, ...]  # left to pay to each creditor at the start of the period
    closing: tuple[int, ...]  # ... and at its end
    lines: tuple[StatementLine, ...]

    @property
    def total_in_tiyn(self) -> int:
        return sum(line.amount_tiyn for line in self.lines)

    @property
    def parts_totals(self) -> tuple[int, ...]:
        totals = [0] * len(self.creditors)
        for line in self.lines:
            for index, part in enumerate(line.parts):
                totals[index] += part
        return tuple(totals)

    @property
    def overpaid_tiyn(self) -> int:
        return sum(line.overpaid_tiyn for line in self.lines)

    @property
    def parts_total(self) -> int:
        return sum(self.parts_totals)

    @property
    def opening_total(self) -> int:
        return sum(self.opening)

    @property
    def closing_total(self) -> int:
        return sum(self.closing)

    @property
    def rows(self):
        """(creditor, debt, opening, part in the period, closing), for templates."""
        return zip(
            self.creditors, self.debts, self.opening, self.parts_totals, self.closing, strict=True
        )


def _references(transaction_ids) -> dict:
    """transaction id → (source, idempotency key) of its payment, or of the payment it
    reverses."""
    refs = {
        tx: (source, key)
        for tx, source, key in IncomingPayment.objects.filter(
            transaction_id__in=transaction_ids
        ).values_list("transaction_id", "source", "idempotency_key")
    }
    for tx, source, key in LedgerTransaction.objects.filter(
        pk__in=transaction_ids, reverses__isnull=False
    ).values_list("pk", "reverses__payment__source", "reverses__payment__idempotency_key"):
        refs[tx] = (source or "", key or "")
    return refs


def _debts_on(shares, creditor_ids, day: date, transfers=()) -> tuple[int, ...]:
    """Each creditor's debt in the plan as it stood at the end of `day`: today's figures, with
    a disputed loan decided after `day` counted at its provisional figure (the decision moved
    `provisional - decided` out of the creditor's debt, and the held share to zero). A sold
    claim counts to its seller what the seller kept and to the buyer the rest."""
    debts = dict.fromkeys(creditor_ids, 0)
    for share in shares:
        debts[share.creditor_id] += share.debt_tiyn
        if share.decided_on is not None and share.decided_on > day:
            debts[share.creditor_id] += (share.provisional_tiyn or 0) - (share.decided_tiyn or 0)
    for transfer in transfers:
        debts[transfer.from_creditor_id] += transfer.kept_tiyn
        debts[transfer.to_creditor_id] -= transfer.kept_tiyn
    return tuple(debts[c] for c in creditor_ids)


def _sold(plan: Plan) -> list:
    return list(
        ClaimTransfer.objects.filter(plan=plan, status=ChangeStatus.APPROVED)
        .select_related("from_creditor")
        .order_by("decided_at")
    )


@replica_reads
def borrower_statement(plan: Plan, *, date_from: date, date_to: date) -> BorrowerStatement:
    """The borrower's statement of `plan` for the business dates date_from..date_to: one column
    per creditor, whether its money sits on its payable account or, for a disputed loan, on
    the loan's held account (a decision's release moves it between columns, never out)."""
    shares = list(
        CreditorShare.objects.filter(plan=plan).select_related("creditor").order_by("position")
    )
    transfers = _sold(plan)
    creditors = list({s.creditor_id: s.creditor for s in shares}.values())
    for transfer in transfers:  # a seller keeps its column for what it received
        if transfer.from_creditor not in creditors:
            creditors.append(transfer.from_creditor)
    position = {c.pk: i for i, c in enumerate(creditors)}
    received_before = [0] * len(creditors)
    received_by_end = [0] * len(creditors)
    lines: dict = {}
    rows = (
        LedgerEntry.objects.filter(
            transaction__plan=plan,
            transaction__kind__in=PLAN_KINDS
            + (TransactionKind.RELEASE, TransactionKind.TRANSFER, TransactionKind.REFUND_PAYOUT),
            transaction__booked_on__lte=date_to,
        )
        .order_by("transaction__booked_on", "transaction__created_at", "transaction_id", "pk")
        .values_list(
            "transaction_id", "transaction__booked_on", "transaction__kind", "account__kind",
            "account__creditor_id", "account__share__creditor_id", "side", "amount_tiyn",
        )
    )  # fmt: skip
    for tx, booked_on, kind, account_kind, creditor_id, held_for, side, amount in rows:
        signed = amount if side == Side.CREDIT else -amount
        owner = None
        if account_kind == AccountKind.CREDITOR_PAYABLE:
            owner = position[creditor_id]
        elif account_kind == AccountKind.HELD:
            owner = position[held_for]
        if owner is not None:
            received_by_end[owner] += signed
            if booked_on < date_from:
                received_before[owner] += signed
        if booked_on < date_from:
            continue
        line = lines.setdefault(tx, {"on": booked_on, "kind": kind, "in": 0, "over": 0,
                                     "parts": [0] * len(creditors)})  # fmt: skip
        if account_kind == AccountKind.BANK:
            line["in"] -= signed  # money in is a debit of the bank account
        elif account_kind == AccountKind.REFUND:
            line["over"] += signed
        elif owner is not None:
            line["parts"][owner] += signed
    refs = _references(list(lines))
    ids = [c.pk for c in creditors]
    debts_at_start = _debts_on(shares, ids, date_from - timedelta(days=1), transfers)
    debts = _debts_on(shares, ids, date_to, transfers)
    return BorrowerStatement(
        plan=plan,
        date_from=date_from,
        date_to=date_to,
        creditors=tuple(creditors),
        debts=debts,
        opening=tuple(d - r for d, r in zip(debts_at_start, received_before, strict=True)),
        closing=tuple(d - r for d, r in zip(debts, received_by_end, strict=True)),
        lines=tuple(
            StatementLine(
                booked_on=line["on"],
                kind=line["kind"],
                provider=refs.get(tx, ("", ""))[0],
                reference=refs.get(tx, ("", ""))[1],
                amount_tiyn=line["in"],
                overpaid_tiyn=line["over"],
                parts=tuple(line["parts"]),
            )  # fmt: skip
            for tx, line in lines.items()
        ),
    )


def plan_for_borrower_reference(borrower, reference: str) -> Plan:
    """The borrower's own plan for case `reference`; anyone else's answers 404."""
    return get_object_or_404(
        Plan.objects.select_related("case"), case__reference=reference, case__borrower=borrower
    )


# --- the creditor's statement ---------------------------------------------------------------


@dataclass(frozen=True)
class CreditorStatementLine:
    booked_on: date
    kind: str
    case_reference: str
    credit_tiyn: int  # the creditor's part of a payment (negative legs of a reversal: debit)
    debit_tiyn: int  # paid out to the creditor, or a reversed part
    provider: str
    reference: str
    payment_tiyn: int  # the whole payment the part came from (0 for a payout)
    case_balance_tiyn: int | None  # left to pay to this creditor in that case after the line
    # what the part paid, by component in the MFO rules' order (schedules.allocation); empty
    # for a payout, or while the allocation job has not run yet
    allocation: tuple[tuple[str, int], ...] = ()

    @property
    def kind_label(self) -> str:
        return str(TransactionKind(self.kind).label)

    def allocated(self, component: str) -> int:
        return sum(amount for kind, amount in self.allocation if kind == component)

    @property
    def allocation_labels(self) -> list[tuple[str, int]]:
        return [(str(AllocationComponent(kind).label), amount) for kind, amount in self.allocation]


@dataclass(frozen=True)
class CreditorStatement:
    creditor: object
    date_from: date
    date_to: date
    lines: tuple[CreditorStatementLine, ...]
    opening_owed_tiyn: int  # left to pay to the creditor over all its cases, at the start
    closing_owed_tiyn: int
    opening_payable_tiyn: int  # received and not yet paid out, at the start
    closing_payable_tiyn: int

    @property
    def total_credit_tiyn(self) -> int:
        return sum(line.credit_tiyn for line in self.lines)

    @property
    def total_debit_tiyn(self) -> int:
        return sum(line.debit_tiyn for line in self.lines)


def _allocations(creditor, tx_ids) -> dict:
    """transaction -> ((component, amount), ...) of this creditor's parts, in the rules'
    order: the regular share's (a held share's parts went to its held account, not here)."""
    totals: dict = defaultdict(lambda: defaultdict(int))
    for tx, component, amount in PartAllocation.objects.filter(
        transaction_id__in=tx_ids, share__creditor=creditor, share__case_loan__isnull=True
    ).values_list("transaction_id", "component", "amount_tiyn"):
        totals[tx][component] += amount
    order = [*ALLOCATION_ORDER, AllocationComponent.UNALLOCATED]
    return {
        tx: tuple((kind, by_kind[kind]) for kind in order if by_kind.get(kind))
        for tx, by_kind in totals.items()
    }


@replica_reads
def creditor_statement(creditor, *, date_from: date, date_to: date) -> CreditorStatement:
    """Every movement on this creditor's payable account between two business dates, with the
    payment each part came from and what is left to pay in that case after it; opening and
    closing figures of what borrowers still owe and of what awaits payout."""
    debts, signed_on = {}, {}
    for plan_id, debt, created_at in CreditorShare.objects.filter(creditor=creditor).values_list(
        "plan_id", "debt_tiyn", "plan__created_at"
    ):
        debts[plan_id], signed_on[plan_id] = debt, created_at.astimezone(BUSINESS_TZ).date()
    rows = ClaimTransfer.objects.filter(
        Q(from_creditor=creditor) | Q(to_creditor=creditor), status=ChangeStatus.APPROVED
    ).values_list("plan_id", "from_creditor_id", "kept_tiyn", "plan__created_at")
    # sold first (what it kept is what it was owed), then bought (less the sellers' part)
    for plan_id, seller_id, kept, created_at in sorted(rows, key=lambda r: r[1] != creditor.pk):
        if seller_id == creditor.pk:
            debts[plan_id] = kept
            signed_on[plan_id] = created_at.astimezone(BUSINESS_TZ).date()
        elif plan_id in debts:
            debts[plan_id] -= kept
    received = defaultdict(int)  # plan -> net parts received up to the current line
    payable = opening_payable = 0
    lines = []
    rows = (
        LedgerEntry.objects.filter(account__creditor=creditor, transaction__booked_on__lte=date_to)
        .order_by("transaction__booked_on", "transaction__created_at", "pk")
        .values_list(
            "transaction_id", "transaction__booked_on", "transaction__kind",
            "transaction__plan_id", "transaction__plan__case__reference", "side", "amount_tiyn",
        )
    )  # fmt: skip
    in_period = []
    opening_received = None
    for tx, booked_on, kind, plan_id, case_ref, side, amount in rows:
        if booked_on >= date_from and opening_received is None:
            opening_received, opening_payable = dict(received), payable
        signed = amount if side == Side.CREDIT else -amount
        payable += signed
        if plan_id is not None and kind != TransactionKind.PAYOUT:
            received[plan_id] += signed
        if booked_on >= date_from:
            in_period.append((tx, booked_on, kind, plan_id, case_ref, side, amount,
                              received[plan_id] if plan_id in debts else None))  # fmt: skip
    if opening_received is None:
        opening_received, opening_payable = dict(received), payable
    tx_ids = [row[0] for row in in_period]
    refs = _references(tx_ids)
    bank_in = defaultdict(int)  # money in through the bank: negative for a reversal
    for tx, side, amount in LedgerEntry.objects.filter(
        transaction_id__in=tx_ids, account__kind=AccountKind.BANK
    ).values_list("transaction_id", "side", "amount_tiyn"):
        bank_in[tx] += amount if side == Side.DEBIT else -amount
    allocations = _allocations(creditor, tx_ids)
    for tx, booked_on, kind, plan_id, case_ref, side, amount, got in in_period:
        source, key = refs.get(tx, ("", ""))
        lines.append(
            CreditorStatementLine(
                booked_on=booked_on,
                kind=kind,
                case_reference=case_ref or "",
                credit_tiyn=amount if side == Side.CREDIT else 0,
                debit_tiyn=amount if side == Side.DEBIT else 0,
                provider=source,
                reference=key,
                payment_tiyn=0 if kind == TransactionKind.PAYOUT else bank_in.get(tx, 0),
                case_balance_tiyn=None if got is None else debts[plan_id] - got,
                allocation=allocations.get(tx, ()),
            )  # fmt: skip
        )

    def owed(got: dict, *, before: date) -> int:  # plans signed by then, less their parts
        return sum(d - got.get(p, 0) for p, d in debts.items() if signed_on[p] < before)

    return CreditorStatement(
        creditor=creditor,
        date_from=date_from,
        date_to=date_to,
        lines=tuple(lines),
        opening_owed_tiyn=owed(opening_received, before=date_from),
        closing_owed_tiyn=owed(received, before=date_to + timedelta(days=1)),
        opening_payable_tiyn=opening_payable,
        closing_payable_tiyn=payable,
    )
