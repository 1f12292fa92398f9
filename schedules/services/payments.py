"""Money in: booking incoming payments (one or a month-end batch), reversing one, and
attributing a payment held in suspense to a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform import idempotency, locks
from finplatform.clock import BUSINESS_TZ, business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import split_towards_targets
from schedules import ledger
from schedules.models import (
    AccountKind,
    ChangeStatus,
    ClaimTransfer,
    CreditorShare,
    IncomingPayment,
    LedgerEntry,
    PaymentStatus,
    Plan,
    PlanStatus,
    ShareHold,
    Side,
    TransactionKind,
)
from schedules.models.plan import LIVE_HOLDS
from schedules.services.common import MSG_AMOUNT, lock_plans, plan_completed

MSG_PAID_AT = _("paid_at must be a date and time with a time zone.")
MSG_NOT_REVERSIBLE = _("This payment cannot be reversed.")
MSG_HELD_RELEASED = _(
    "This payment's held part was released by the ombudsman's decision; it cannot be reversed."
)
MSG_PLAN_COMPLETED = _("The schedule is already paid in full; reverse nothing on it.")
MSG_NOT_SUSPENSE = _("Only a payment held in suspense can be attributed to a case.")
MSG_SOLD_SINCE = _(
    "A claim in this plan was sold after this payment: reverse it with both creditors."
)  # noqa: E501


@dataclass(frozen=True)
class PaymentIn:
    """One incoming payment as the provider (or the portal) reports it."""

    idempotency_key: str
    amount_tiyn: int
    paid_at: datetime
    payer_iin: str = ""
    case_reference: str = ""

    def request_hash(self) -> str:
        """The idempotency fingerprint of the body (stored on the payment: keep it stable)."""
        return idempotency.fingerprint(
            {
                "amount_tiyn": self.amount_tiyn,
                "paid_at": self.paid_at.isoformat(),
                "payer_iin": self.payer_iin,
                "case_reference": self.case_reference,
            }
        )


@dataclass(frozen=True)
class PaymentResult:
    payment: IncomingPayment
    created: bool  # False: the same payment was already booked under this key


PAYMENT_COLUMNS = (
    "id", "source", "idempotency_key", "request_hash", "amount_tiyn", "paid_at", "paid_on",
    "payer_iin", "case_reference", "plan_id", "status", "applied_tiyn", "refund_tiyn",
    "transaction_id", "received_at",
)  # fmt: skip


@dataclass(slots=True)
class ShareRow:
    """A live share of a locked plan while a batch is distributed (`received_tiyn` grows).
    `account_id` is the share's held account if it is held, else its creditor's payable."""

    share_id: int
    creditor_id: object
    debt_tiyn: int
    received_tiyn: int
    account_id: int | None = None
    held: bool = False  # held for an undecided dispute: the plan does not complete


@dataclass(frozen=True, slots=True)
class SystemAccounts:
    bank: int
    suspense: int
    refund: int


@dataclass(slots=True)
class Batch:
    """What one call books, gathered in memory and written at the end in a few statements."""

    source: str
    now: datetime
    postings: list[ledger.Posting] = field(default_factory=list)
    payments: list[IncomingPayment] = field(default_factory=list)
    touched: dict[int, ShareRow] = field(default_factory=dict)  # first touched first
    completed: list[Plan] = field(default_factory=list)


def book_payment(*, source: str, item: PaymentIn) -> PaymentResult:
    """Book one incoming payment; see `book_payments`."""
    return book_payments(source=source, items=[item])[0]


@transaction.atomic
def book_payments(*, source: str, items: list[PaymentIn]) -> list[PaymentResult]:
    """Book incoming payments, all or nothing, in one database transaction.

    Guarantees:
    * idempotent: a (source, key) already booked with the same body returns the earlier
      booking (created=False) and books nothing; with a different body the whole call raises
      KeyReused (409). Concurrent posts of one key are serialised by an advisory lock and the
      UNIQUE(source, idempotency_key) constraint backs it up;
    * each payment is ONE balanced ledger transaction: debit bank; credit each creditor its
      part (largest remainder over cumulative amounts: parts sum to the payment, nobody ever
      gets more than its confirmed debt, creditors paid in full drop out); what exceeds the
      plan's outstanding total is credited to the refund liability; a payment we cannot
      attribute to a plan is credited to suspense;
    * plans are locked FOR UPDATE in primary-key order before any ledger write, so
      concurrent payments to one case never double-distribute;
    * a plan that becomes fully paid is completed, and `resolution.plan_completed` is written
      to the outbox in the same transaction (once per plan).
    """
    for item in items:
        validate_payment(item)
    keys = [i.idempotency_key for i in items]
    idempotency.lock(source, keys)
    existing = {
        p.idempotency_key: p
        for p in IncomingPayment.objects.filter(source=source, idempotency_key__in=keys)
    }
    fresh = _dedupe(items, existing)
    plan_of = _find_plans(fresh)
    plans = lock_plans(set(plan_of.values()))
    accounts = _system_accounts()
    shares = _load_shares(plans)
    batch = Batch(source=source, now=business_now())
    for index, item in enumerate(fresh):
        _distribute(batch, item, plans.get(plan_of.get(index)), shares, accounts)
    _write(batch, plans)
    for plan in batch.completed:
        plan_completed(plan)
    return _results(items, existing, batch.payments)


def validate_payment(item: PaymentIn) -> None:
    if not isinstance(item.amount_tiyn, int) or isinstance(item.amount_tiyn, bool):
        raise ApplicationError(MSG_AMOUNT, code="invalid_amount")
    if item.amount_tiyn <= 0:
        raise ApplicationError(MSG_AMOUNT, code="invalid_amount")
    if item.paid_at.tzinfo is None:
        raise ApplicationError(MSG_PAID_AT, code="invalid_paid_at")


def _dedupe(items: list[PaymentIn], existing: dict) -> list[PaymentIn]:
    """The items to book: not booked before under their key, each key once. A key repeated
    with a different body (before or within this call) raises KeyReused."""
    fresh: dict[str, PaymentIn] = {}
    for item in items:
        key = item.idempotency_key
        earlier = existing.get(key)
        if earlier is None:
            earlier = fresh.get(key)
            if earlier is None:
                fresh[key] = item
                continue
            stored = earlier.request_hash()
        else:
            stored = earlier.request_hash
        idempotency.ensure_same(stored, item.request_hash(), key=key)
    return list(fresh.values())


def _find_plans(items: list[PaymentIn]) -> dict[int, object]:
    """index of item -> plan id, for the payments we can attribute to a plan. A reference
    and an IIN that disagree attribute nothing (the money waits in suspense)."""
    refs = {i.case_reference for i in items if i.case_reference}
    iins = {i.payer_iin for i in items if i.payer_iin}
    by_ref, by_iin = {}, {}
    if refs:
        for pk, ref, iin in Plan.objects.filter(case__reference__in=refs).values_list(
            "pk", "case__reference", "case__borrower__iin"
        ):
            by_ref[ref] = (pk, iin)
    if iins:
        for pk, iin in (
            Plan.objects.filter(case__borrower__iin__in=iins)
            .order_by("created_at")
            .values_list("pk", "case__borrower__iin")
        ):
            by_iin[iin] = pk  # the newest plan of that borrower wins
    found = {}
    for index, item in enumerate(items):
        if item.case_reference:
            pk, iin = by_ref.get(item.case_reference, (None, None))
            if pk is not None and (not item.payer_iin or item.payer_iin == iin):
                found[index] = pk
        elif item.payer_iin in by_iin:
            found[index] = by_iin[item.payer_iin]
    return found


def _load_shares(plans: dict) -> dict[object, list[ShareRow]]:
    """plan id -> its live shares in share order, each with the account its parts go to."""
    shares: dict[object, list[ShareRow]] = {pk: [] for pk in plans}
    for plan_id, pk, creditor_id, debt, received, hold in (
        CreditorShare.objects.filter(plan_id__in=plans, hold__in=LIVE_HOLDS)
        .order_by("plan_id", "position")
        .values_list("plan_id", "pk", "creditor_id", "debt_tiyn", "received_tiyn", "hold")
    ):
        shares[plan_id].append(ShareRow(pk, creditor_id, debt, received, None, hold == "held"))
    held = [s.share_id for group in shares.values() for s in group if s.held]
    payable = ledger.creditor_account_ids(s.creditor_id for g in shares.values() for s in g)
    held_accounts = ledger.held_account_ids(
        CreditorShare.objects.filter(pk__in=held).select_related("creditor")
    ) if held else {}  # fmt: skip
    for group in shares.values():
        for share in group:
            share.account_id = held_accounts.get(share.share_id) or payable[share.creditor_id]
    return shares


def _system_accounts() -> SystemAccounts:
    system = ledger.system_account_ids()
    return SystemAccounts(system[ledger.BANK], system[ledger.SUSPENSE], system[ledger.REFUND])


def _distribute(batch: Batch, item: PaymentIn, plan, shares, accounts) -> None:
    """Add one payment to `batch`: its balanced posting and its payment row. Money for a plan
    goes to the shares (their `received_tiyn` and the plan's `paid_tiyn` grow), the excess
    over the plan's outstanding total to the refund liability; no plan, to suspense."""
    paid_on = item.paid_at.astimezone(BUSINESS_TZ).date()
    if plan is not None and plan.status == PlanStatus.TERMINATED:
        plan = None  # a terminated plan takes no money: like an unknown reference, suspense
    legs: list[ledger.Leg] = [(accounts.bank, Side.DEBIT, item.amount_tiyn)]
    applied = refund = 0
    if plan is None:
        kind, status = TransactionKind.SUSPENSE, PaymentStatus.SUSPENSE
        legs.append((accounts.suspense, Side.CREDIT, item.amount_tiyn))
    else:
        applied = min(item.amount_tiyn, plan.total_tiyn - plan.paid_tiyn)
        refund = item.amount_tiyn - applied
        kind = TransactionKind.PAYMENT if applied else TransactionKind.REFUND
        status = PaymentStatus.APPLIED if applied else PaymentStatus.REFUND
        group = shares[plan.pk]
        parts = split_towards_targets(
            applied, [s.debt_tiyn for s in group], [s.received_tiyn for s in group]
        )
        for share, part in zip(group, parts, strict=True):
            if part:
                share.received_tiyn += part
                batch.touched[share.share_id] = share
                legs.append((share.account_id, Side.CREDIT, part))
        legs.append((accounts.refund, Side.CREDIT, refund))
        if applied:
            plan.paid_tiyn += applied
            # a share held for a dispute keeps it open: `holds.decide_held_share` completes it
            if plan.paid_tiyn == plan.total_tiyn and not any(s.held for s in group):
                plan.status = PlanStatus.COMPLETED
                plan.completed_on = paid_on
                batch.completed.append(plan)
    plan_id = plan.pk if plan else None
    posting = ledger.Posting(
        kind=kind, booked_on=paid_on, legs=legs, plan_id=plan_id,
        description=f"{batch.source}:{item.idempotency_key}",
    )  # fmt: skip
    batch.postings.append(posting)
    payment = IncomingPayment(
        source=batch.source, idempotency_key=item.idempotency_key,
        request_hash=item.request_hash(), amount_tiyn=item.amount_tiyn,
        paid_at=item.paid_at, paid_on=paid_on, payer_iin=item.payer_iin,
        case_reference=item.case_reference, plan_id=plan_id,
        status=status, applied_tiyn=applied, refund_tiyn=refund,
        transaction_id=posting.transaction_id, received_at=batch.now,
    )  # fmt: skip
    payment._state.adding = False  # written by COPY below, as if saved
    payment._state.db = "default"
    batch.payments.append(payment)


def _write(batch: Batch, plans: dict) -> None:
    """Write the batch: COPY the ledger rows and the payments, then one UPDATE … FROM VALUES
    for the touched shares and one for the paid plans (in the plans' lock order)."""
    if not batch.postings:
        return
    ledger.post_many(batch.postings, now=batch.now)
    ledger.copy_rows(
        "schedules_incomingpayment",
        PAYMENT_COLUMNS,
        ([getattr(p, c) for c in PAYMENT_COLUMNS] for p in batch.payments),
    )
    ledger.update_rows(
        "schedules_creditorshare", {"received_tiyn": "bigint"},
        [(s.share_id, s.received_tiyn) for s in batch.touched.values()],
    )  # fmt: skip
    ledger.update_rows(
        "schedules_plan", {"paid_tiyn": "bigint", "status": "varchar", "completed_on": "date"},
        [(p.pk, p.paid_tiyn, p.status, p.completed_on) for p in plans.values() if p.paid_tiyn],
    )  # fmt: skip


def _results(items: list[PaymentIn], existing: dict, booked: list) -> list[PaymentResult]:
    """One result per item, in order: the earlier booking, or the new one (created once)."""
    by_key = {p.idempotency_key: p for p in booked}
    results, reported = [], set()
    for item in items:
        key = item.idempotency_key
        if key in existing:
            results.append(PaymentResult(existing[key], False))
        else:
            results.append(PaymentResult(by_key[key], key not in reported))
            reported.add(key)
    return results


@transaction.atomic
def reverse_payment(*, payment_id, reason: str) -> IncomingPayment:
    """Correct a booked payment with a reversing transaction (legs mirrored); the original
    legs stay as they were. The plan's and creditors' totals go back by the same parts."""
    payment = locks.lock_row(IncomingPayment, pk=payment_id)
    if payment.status == PaymentStatus.REVERSED:
        raise ConflictError(MSG_NOT_REVERSIBLE, code="already_reversed")
    plan = lock_plans([payment.plan_id])[payment.plan_id] if payment.plan_id else None
    if plan is not None and plan.status == PlanStatus.COMPLETED:
        raise ConflictError(MSG_PLAN_COMPLETED, code="plan_completed")
    original = list(
        LedgerEntry.objects.filter(transaction_id=payment.transaction_id).values_list(
            "account_id", "side", "amount_tiyn", "account__kind", "account__share__hold"
        )
    )
    sold = ClaimTransfer.objects.filter(plan_id=payment.plan_id, status=ChangeStatus.APPROVED)
    accounts = [account for account, *_rest in original]
    if payment.plan_id and sold.filter(from_creditor__ledger_account__in=accounts).exists():
        raise ConflictError(MSG_SOLD_SINCE, code="claim_sold_since")  # its legs credit a seller
    if any(kind == AccountKind.HELD and hold != ShareHold.HELD for _, _, _, kind, hold in original):
        # the held part has since been released or redistributed by the ombudsman's decision
        raise ConflictError(MSG_HELD_RELEASED, code="held_share_released")
    legs = [
        (acc, Side.CREDIT if side == Side.DEBIT else Side.DEBIT, amount)
        for acc, side, amount, _, _ in original
    ]
    ledger.post_many(
        [
            ledger.Posting(
                kind=TransactionKind.REVERSAL, booked_on=business_date(), legs=legs,
                plan_id=payment.plan_id, reverses_id=payment.transaction_id,
                description=reason,
            )
        ],
        now=business_now(),
    )  # fmt: skip
    if plan is not None and payment.applied_tiyn:
        credited = {acc: amount for acc, side, amount, _, _ in original if side == Side.CREDIT}
        group = list(plan.shares.filter(hold__in=LIVE_HOLDS).select_related("held_account"))
        payable = ledger.creditor_account_ids(s.creditor_id for s in group)
        for share in group:
            held = share.hold == ShareHold.HELD
            account = share.held_account.pk if held else payable[share.creditor_id]
            share.received_tiyn -= credited.get(account, 0)
        CreditorShare.objects.bulk_update(group, ["received_tiyn"])
        plan.paid_tiyn -= payment.applied_tiyn
        plan.save(update_fields=["paid_tiyn"])
    payment.status = PaymentStatus.REVERSED
    payment.save(update_fields=["status"])
    return payment


@transaction.atomic
def attribute_suspense_payment(*, payment_id, case_reference: str) -> PaymentResult:
    """Staff found whose an unidentified payment is: reverse its suspense booking and book it
    again, with its original credit date, against the case's schedule. Both transactions
    commit together or not at all; the new booking keeps the original key under the source
    "attributed:<original source>", so doing this twice books once."""
    payment = locks.lock_row(IncomingPayment, pk=payment_id)
    if payment.status != PaymentStatus.SUSPENSE:
        raise ConflictError(MSG_NOT_SUSPENSE, code="not_in_suspense")
    reverse_payment(payment_id=payment.pk, reason=f"attributed to {case_reference}")
    return book_payment(
        source=f"attributed:{payment.source}",
        item=PaymentIn(
            idempotency_key=payment.idempotency_key,
            amount_tiyn=payment.amount_tiyn,
            paid_at=payment.paid_at,
            case_reference=case_reference,
        ),
    )
