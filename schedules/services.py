"""What other apps may do to schedules and the ledger. Every service is keyword-only, runs in
one database transaction and says in its docstring what it guarantees."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from finplatform.clock import BUSINESS_TZ, business_date, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import split_towards_targets
from schedules import engine, ledger, signals
from schedules.models import (
    AccountKind,
    CollectionResumption,
    CreditorShare,
    IncomingPayment,
    Instalment,
    InstalmentPart,
    LedgerEntry,
    PaymentStatus,
    Plan,
    PlanStatus,
    ShareHold,
    Side,
    TransactionKind,
)
from schedules.selectors import instalment_parts, preview_schedule  # noqa: F401 (re-export)
from schedules.table import Terms, terms_for

logger = logging.getLogger(__name__)

# Shares that still take part in distribution (a decided held share is closed).
LIVE_HOLDS = (ShareHold.NONE, ShareHold.HELD)

MSG_DEBTS_EMPTY = _("A plan needs at least one creditor with a positive debt.")
MSG_DUPLICATE_CREDITOR = _("A creditor appears twice; give one total per creditor.")
MSG_PLAN_DIFFERS = _("This case already has a different plan.")


def propose_terms(*, total_tiyn: int, category: str, table_version=None) -> Terms:
    """Term and even monthly amount for a debt under the schedule table (the current version
    unless `table_version` — an instance or id — is given). Raises ApplicationError when the
    debt is outside the table."""
    return terms_for(total_tiyn=total_tiyn, category=category, table_version=table_version)


def _lock_case(case_id):
    Case = apps.get_model("resolution", "Case")
    return Case.objects.select_for_update(of=("self",)).get(pk=case_id)


@transaction.atomic
def create_plan(
    *,
    case,
    debts,
    category: str,
    first_due: date,
    table_version_id: int | None = None,
    held=(),
) -> Plan:
    """Fix the unified schedule of `case` at signing.

    `debts` is a list of (Creditor, confirmed debt in tiyn), one per creditor. `held` is a
    list of (Creditor, case-loan id, provisional debt in tiyn), one per loan still disputed
    when the ombudsman approved: each gets its own held share, whose parts are credited to a
    held account until the dispute is decided (`decide_held_share`). Each share (debt / total)
    is fixed here; the instalments and each instalment's creditor parts are created so that
    over the whole schedule every share receives exactly its debt. Idempotent per case: a
    second call with the same debts returns the existing plan; with different debts it
    raises ConflictError.
    """
    debts = [(creditor, int(amount)) for creditor, amount in debts]
    held = [(creditor, case_loan_id, int(amount)) for creditor, case_loan_id, amount in held]
    if not (debts or held) or any(a <= 0 for _, a in debts) or any(a <= 0 for *_, a in held):
        raise ApplicationError(MSG_DEBTS_EMPTY, code="debts_empty")
    if len({creditor.pk for creditor, _ in debts}) != len(debts):
        raise ApplicationError(MSG_DUPLICATE_CREDITOR, code="duplicate_creditor")
    _lock_case(case.pk)  # serialises concurrent create_plan calls for one case
    wanted = sorted(
        [(str(c.pk), a, "") for c, a in debts] + [(str(c.pk), a, str(cl)) for c, cl, a in held]
    )
    existing = Plan.objects.filter(case_id=case.pk).first()
    if existing is not None:
        have = sorted(
            (str(s.creditor_id), s.provisional_tiyn or s.debt_tiyn, str(s.case_loan_id or ""))
            for s in existing.shares.all()
        )
        if have != wanted:
            raise ConflictError(MSG_PLAN_DIFFERS, code="plan_differs")
        return existing

    all_debts = [*debts, *((c, a) for c, _, a in held)]
    total = sum(amount for _, amount in all_debts)
    terms = propose_terms(total_tiyn=total, category=category, table_version=table_version_id)
    lines = engine.build_instalments(
        total_tiyn=total, term_months=terms.term_months, first_due=first_due
    )
    plan = Plan.objects.create(
        case_id=case.pk,
        table_version_id=terms.table_version_id,
        category=category,
        total_tiyn=total,
        term_months=terms.term_months,
        monthly_tiyn=terms.monthly_tiyn,
        first_due=first_due,
    )
    shares = [
        CreditorShare(plan=plan, creditor=creditor, position=index, debt_tiyn=amount)
        for index, (creditor, amount) in enumerate(debts)
    ] + [
        CreditorShare(
            plan=plan, creditor=creditor, position=len(debts) + index, debt_tiyn=amount,
            hold=ShareHold.HELD, case_loan_id=case_loan_id, provisional_tiyn=amount,
        )
        for index, (creditor, case_loan_id, amount) in enumerate(held)
    ]  # fmt: skip
    CreditorShare.objects.bulk_create(shares)
    if held:
        ledger.held_account_ids([s for s in shares if s.hold == ShareHold.HELD])
    instalments = Instalment.objects.bulk_create(
        Instalment(plan=plan, number=n, due_date=due, amount_tiyn=amount)
        for n, due, amount in lines
    )
    split = instalment_parts(
        debts=[a for _, a in all_debts], amounts=[i.amount_tiyn for i in instalments]
    )
    # One part per creditor and instalment (a held share adds to its creditor's part).
    InstalmentPart.objects.bulk_create(
        InstalmentPart(instalment=inst, creditor_id=creditor_id, amount_tiyn=amount)
        for inst, parts in zip(instalments, split, strict=True)
        for creditor_id, amount in _by_creditor(all_debts, parts).items()
    )
    return plan


def _by_creditor(debts, parts) -> dict:
    summed: dict = {}
    for (creditor, _amount), part in zip(debts, parts, strict=True):
        summed[creditor.pk] = summed.get(creditor.pk, 0) + part
    return summed


# --- payments in ----------------------------------------------------------------------------

MSG_KEY_REUSED = _("This Idempotency-Key was already used for a different payment.")
MSG_AMOUNT = _("The amount must be a positive number of tiyn.")
MSG_PAID_AT = _("paid_at must be a date and time with a time zone.")
MSG_NOT_REVERSIBLE = _("This payment cannot be reversed.")
MSG_HELD_RELEASED = _(
    "This payment's held part was released by the ombudsman's decision; it cannot be reversed."
)
MSG_PLAN_COMPLETED = _("The schedule is already paid in full; reverse nothing on it.")


@dataclass(frozen=True)
class PaymentIn:
    """One incoming payment as the provider (or the portal) reports it."""

    idempotency_key: str
    amount_tiyn: int
    paid_at: datetime
    payer_iin: str = ""
    case_reference: str = ""

    def request_hash(self) -> str:
        body = {
            "amount_tiyn": self.amount_tiyn,
            "paid_at": self.paid_at.isoformat(),
            "payer_iin": self.payer_iin,
            "case_reference": self.case_reference,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


PAYMENT_COLUMNS = (
    "id", "source", "idempotency_key", "request_hash", "amount_tiyn", "paid_at", "paid_on",
    "payer_iin", "case_reference", "plan_id", "status", "applied_tiyn", "refund_tiyn",
    "transaction_id", "received_at",
)  # fmt: skip


@dataclass(frozen=True)
class PaymentResult:
    payment: IncomingPayment
    created: bool  # False: the same payment was already booked under this key


def _validate(item: PaymentIn) -> None:
    if not isinstance(item.amount_tiyn, int) or isinstance(item.amount_tiyn, bool):
        raise ApplicationError(MSG_AMOUNT, code="invalid_amount")
    if item.amount_tiyn <= 0:
        raise ApplicationError(MSG_AMOUNT, code="invalid_amount")
    if item.paid_at.tzinfo is None:
        raise ApplicationError(MSG_PAID_AT, code="invalid_paid_at")


def _lock_keys(source: str, keys) -> None:
    """Transaction-level advisory locks on the idempotency keys, taken in sorted order, so the
    same payment posted at once from several places is looked up and booked by one at a time."""
    names = sorted({f"{source}\x1f{key}" for key in keys})
    with connection.cursor() as cursor:
        # Locks are taken in the order of their 64-bit hashes, the same in every session.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT DISTINCT"
            " hashtextextended(k, 0) AS h FROM unnest(%s::text[]) AS k ORDER BY h) AS keys",
            [names],
        )


def _lock_plans(plan_ids) -> dict:
    """The one lock helper for plans: FOR UPDATE in primary-key order (no deadlocks)."""
    plans = (
        Plan.objects.select_for_update(of=("self",))
        .filter(pk__in=plan_ids)
        .order_by("pk")
        .only("pk", "case_id", "total_tiyn", "paid_tiyn", "status", "completed_on")
    )
    return {plan.pk: plan for plan in plans}


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


def _update_rows(table: str, columns: dict[str, str], rows: list[tuple]) -> None:
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


def book_payment(*, source: str, item: PaymentIn) -> PaymentResult:
    """Book one incoming payment; see `book_payments`."""
    return book_payments(source=source, items=[item])[0]


@transaction.atomic
def book_payments(*, source: str, items: list[PaymentIn]) -> list[PaymentResult]:
    """Book incoming payments, all or nothing, in one database transaction.

    Guarantees:
    * idempotent: a (source, key) already booked with the same body returns the earlier
      booking (created=False) and books nothing; with a different body the whole call raises
      ConflictError. Concurrent posts of one key are serialised by an advisory lock and the
      UNIQUE(source, idempotency_key) constraint backs it up;
    * each payment is ONE balanced ledger transaction: debit bank; credit each creditor its
      part (largest remainder over cumulative amounts: parts sum to the payment, nobody ever
      gets more than its confirmed debt, creditors paid in full drop out); what exceeds the
      plan's outstanding total is credited to the refund liability; a payment we cannot
      attribute to a plan is credited to suspense;
    * plans are locked FOR UPDATE in primary-key order before any ledger write, so
      concurrent payments to one case never double-distribute;
    * a plan that becomes fully paid is completed and `plan_completed` is sent after COMMIT.
    """
    for item in items:
        _validate(item)
    _lock_keys(source, [i.idempotency_key for i in items])
    existing = {
        p.idempotency_key: p
        for p in IncomingPayment.objects.filter(
            source=source, idempotency_key__in=[i.idempotency_key for i in items]
        )
    }
    fresh_index: dict[str, int] = {}
    fresh: list[PaymentIn] = []
    for item in items:
        earlier = existing.get(item.idempotency_key)
        if earlier is not None:
            if earlier.request_hash != item.request_hash():
                raise ConflictError(
                    MSG_KEY_REUSED, code="idempotency_key_reused",
                    extra={"idempotency_key": item.idempotency_key},
                )  # fmt: skip
            continue
        if item.idempotency_key in fresh_index:
            if fresh[fresh_index[item.idempotency_key]].request_hash() != item.request_hash():
                raise ConflictError(MSG_KEY_REUSED, code="idempotency_key_reused")
            continue
        fresh_index[item.idempotency_key] = len(fresh)
        fresh.append(item)

    plan_of = _find_plans(fresh)
    plans = _lock_plans(set(plan_of.values()))
    # [share id, creditor id, debt, received, account] per plan, in share order (received is
    # updated). A held share's parts go to its held account, the others' to the payable.
    shares: dict[object, list[list]] = {pk: [] for pk in plans}
    held_shares = []
    for plan_id, pk, creditor_id, debt, received, hold in (
        CreditorShare.objects.filter(plan_id__in=plans, hold__in=LIVE_HOLDS)
        .order_by("plan_id", "position")
        .values_list("plan_id", "pk", "creditor_id", "debt_tiyn", "received_tiyn", "hold")
    ):
        shares[plan_id].append([pk, creditor_id, debt, received, None])
        if hold == ShareHold.HELD:
            held_shares.append(pk)
    system = ledger.system_account_ids()
    payable = ledger.creditor_account_ids(s[1] for group in shares.values() for s in group)
    held_accounts = ledger.held_account_ids(
        CreditorShare.objects.filter(pk__in=held_shares).select_related("creditor")
    ) if held_shares else {}  # fmt: skip
    for group in shares.values():
        for share in group:
            share[4] = held_accounts.get(share[0]) or payable[share[1]]
    bank, suspense, refund_account = (
        system[ledger.BANK], system[ledger.SUSPENSE], system[ledger.REFUND]
    )  # fmt: skip

    now = business_now()
    postings: list[ledger.Posting] = []
    payments: list[IncomingPayment] = []
    touched_shares: dict[int, list] = {}
    completed: list[Plan] = []
    for index, item in enumerate(fresh):
        paid_on = item.paid_at.astimezone(BUSINESS_TZ).date()
        plan = plans.get(plan_of.get(index))
        legs: list[ledger.Leg] = [(bank, Side.DEBIT, item.amount_tiyn)]
        applied = refund = 0
        if plan is None:
            kind, status = TransactionKind.SUSPENSE, PaymentStatus.SUSPENSE
            legs.append((suspense, Side.CREDIT, item.amount_tiyn))
        else:
            applied = min(item.amount_tiyn, plan.total_tiyn - plan.paid_tiyn)
            refund = item.amount_tiyn - applied
            kind = TransactionKind.PAYMENT if applied else TransactionKind.REFUND
            status = PaymentStatus.APPLIED if applied else PaymentStatus.REFUND
            group = shares[plan.pk]
            parts = split_towards_targets(applied, [s[2] for s in group], [s[3] for s in group])
            for share, part in zip(group, parts, strict=True):
                if part:
                    share[3] += part
                    touched_shares[share[0]] = share
                    legs.append((share[4], Side.CREDIT, part))
            legs.append((refund_account, Side.CREDIT, refund))
            if applied:
                plan.paid_tiyn += applied
                if plan.paid_tiyn == plan.total_tiyn:
                    plan.status = PlanStatus.COMPLETED
                    plan.completed_on = paid_on
                    completed.append(plan)
        posting = ledger.Posting(
            kind=kind, booked_on=paid_on, legs=legs, plan_id=plan.pk if plan else None,
            description=f"{source}:{item.idempotency_key}",
        )  # fmt: skip
        postings.append(posting)
        payment = IncomingPayment(
            source=source, idempotency_key=item.idempotency_key,
            request_hash=item.request_hash(), amount_tiyn=item.amount_tiyn,
            paid_at=item.paid_at, paid_on=paid_on, payer_iin=item.payer_iin,
            case_reference=item.case_reference, plan_id=plan.pk if plan else None,
            status=status, applied_tiyn=applied, refund_tiyn=refund,
            transaction_id=posting.transaction_id, received_at=now,
        )  # fmt: skip
        payment._state.adding = False
        payment._state.db = "default"
        payments.append(payment)
    if postings:
        ledger.post_many(postings, now=now)
        ledger.copy_rows(
            "schedules_incomingpayment",
            PAYMENT_COLUMNS,
            ([getattr(p, c) for c in PAYMENT_COLUMNS] for p in payments),
        )
        _update_rows(
            "schedules_creditorshare", {"received_tiyn": "bigint"},
            [(s[0], s[3]) for s in touched_shares.values()],
        )  # fmt: skip
        _update_rows(
            "schedules_plan", {"paid_tiyn": "bigint", "status": "varchar", "completed_on": "date"},
            [(p.pk, p.paid_tiyn, p.status, p.completed_on) for p in plans.values() if p.paid_tiyn],
        )  # fmt: skip
    for plan in completed:
        transaction.on_commit(
            partial(signals.plan_completed.send, sender=Plan, case_id=plan.case_id, plan_id=plan.pk)
        )

    booked = {p.idempotency_key: p for p in payments}
    results, reported = [], set()
    for item in items:
        key = item.idempotency_key
        if key in existing:
            results.append(PaymentResult(existing[key], False))
        else:
            results.append(PaymentResult(booked[key], key not in reported))
            reported.add(key)
    return results


@transaction.atomic
def reverse_payment(*, payment_id, reason: str) -> IncomingPayment:
    """Correct a booked payment with a reversing transaction (legs mirrored); the original
    legs stay as they were. The plan's and creditors' totals go back by the same parts."""
    payment = IncomingPayment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    if payment.status == PaymentStatus.REVERSED:
        raise ConflictError(MSG_NOT_REVERSIBLE, code="already_reversed")
    plan = _lock_plans([payment.plan_id])[payment.plan_id] if payment.plan_id else None
    if plan is not None and plan.status == PlanStatus.COMPLETED:
        raise ConflictError(MSG_PLAN_COMPLETED, code="plan_completed")
    original = list(
        LedgerEntry.objects.filter(transaction_id=payment.transaction_id).values_list(
            "account_id", "side", "amount_tiyn", "account__kind", "account__share__hold"
        )
    )
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


MSG_NOT_SUSPENSE = _("Only a payment held in suspense can be attributed to a case.")


@transaction.atomic
def attribute_suspense_payment(*, payment_id, case_reference: str) -> PaymentResult:
    """Staff found whose an unidentified payment is: reverse its suspense booking and book it
    again, with its original credit date, against the case's schedule. Both transactions
    commit together or not at all; the new booking keeps the original key under the source
    "attributed:<original source>", so doing this twice books once."""
    payment = IncomingPayment.objects.select_for_update(of=("self",)).get(pk=payment_id)
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


# --- daily sweeps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    checked: int
    overdue: int
    breached: int
    completion_resent: int


def sweep_plans(*, on: date | None = None) -> SweepResult:
    """The daily sweep ("what is late by now?"), idempotent and safe to run twice.

    Replays each open plan's payments as of `on`. A plan whose oldest unpaid instalment is
    more than 40 calendar days late is breached: each creditor not yet paid in full gains the
    right to resume collection (one `CollectionResumption` each) and `plan_breached` /
    `creditor_may_resume_collection` are sent after COMMIT. A completed plan whose case has
    not completed yet gets `plan_completed` again (the receiver is idempotent).
    """
    on = on or business_date()
    overdue = breached = resent = checked = 0
    for plan_id in Plan.objects.filter(status=PlanStatus.ACTIVE).values_list("pk", flat=True):
        checked += 1
        state_overdue, state_breached = _sweep_one(plan_id=plan_id, on=on)
        overdue += state_overdue
        breached += state_breached
    stale = Plan.objects.filter(status=PlanStatus.COMPLETED).exclude(case__status="completed")
    for plan in stale.only("pk", "case_id"):
        resent += 1
        signals.plan_completed.send(sender=Plan, case_id=plan.case_id, plan_id=plan.pk)
    return SweepResult(checked, overdue, breached, resent)


@transaction.atomic
def _sweep_one(*, plan_id, on: date) -> tuple[int, int]:
    from schedules.selectors import plan_state

    plan = _lock_plans([plan_id]).get(plan_id)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        return 0, 0
    state = plan_state(plan, on=on)
    late = int(state.oldest_unpaid_due is not None)
    if not state.is_breached:
        return late, 0
    plan.status = PlanStatus.BREACHED
    plan.breached_on = on
    plan.save(update_fields=["status", "breached_on"])
    for share in plan.shares.filter(received_tiyn__lt=F("debt_tiyn")):
        resumption, created = CollectionResumption.objects.get_or_create(
            plan=plan, creditor_id=share.creditor_id,
            defaults={"oldest_unpaid_due": state.oldest_unpaid_due,
                      "days_late": state.days_late, "granted_on": on},
        )  # fmt: skip
        if created:
            transaction.on_commit(
                partial(
                    signals.creditor_may_resume_collection.send, sender=Plan,
                    case_id=plan.case_id, plan_id=plan.pk, creditor_id=share.creditor_id,
                )
            )  # fmt: skip
    transaction.on_commit(
        partial(signals.plan_breached.send, sender=Plan, case_id=plan.case_id, plan_id=plan.pk)
    )
    return late, 1


# --- payouts --------------------------------------------------------------------------------


@transaction.atomic
def run_payouts(*, on: date | None = None) -> list:
    """Pay each creditor everything owed to it, once per business day (idempotent: UNIQUE
    (creditor, payout_date)). Each payout is a balanced transaction: debit the creditor's
    payable account, credit the bank. Payable accounts are locked in primary-key order.

    Money goes only to the creditor's approved payout details (maker-checker), recorded on
    the payout with the IBAN as it was; a creditor without approved details is not paid (its
    money stays on its payable account, and its payouts page says why)."""
    from django.db.models import Sum

    from creditors.models import PayoutDetails, PayoutDetailsStatus
    from schedules.models import Account, AccountKind, Payout

    on = on or business_date()
    approved = {
        creditor_id: (details_id, iban)
        for details_id, creditor_id, iban in PayoutDetails.objects.filter(
            status=PayoutDetailsStatus.ACTIVE
        ).values_list("pk", "creditor_id", "iban")
    }
    system = ledger.system_account_ids()
    accounts = list(
        Account.objects.select_for_update(of=("self",))
        .filter(kind=AccountKind.CREDITOR_PAYABLE)
        .order_by("pk")
    )
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
    return payouts


# --- disputed loans decided after signing ---------------------------------------------------

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
    """
    from schedules.models import PlanAdjustment

    plan_id = CreditorShare.objects.values_list("plan_id", flat=True).get(pk=share_id)
    plan = _lock_plans([plan_id])[plan_id]
    group = list(
        CreditorShare.objects.select_for_update(of=("self",))
        .filter(plan_id=plan_id)
        .order_by("position")
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
    if drop:
        adjustment = PlanAdjustment.objects.create(
            plan=plan, share=share, booked_on=on, total_drop_tiyn=drop,
            reduction_tiyn=drop - refund, refund_tiyn=refund,
            transaction_id=posting.transaction_id if posting else None,
        )  # fmt: skip
        plan.total_tiyn -= drop
        plan.paid_tiyn -= refund
        fields = ["total_tiyn", "paid_tiyn"]
        if plan.paid_tiyn == plan.total_tiyn and plan.status != PlanStatus.COMPLETED:
            plan.status = PlanStatus.COMPLETED
            plan.completed_on = on
            fields += ["status", "completed_on"]
            transaction.on_commit(
                partial(
                    signals.plan_completed.send, sender=Plan, case_id=plan.case_id,
                    plan_id=plan.pk,
                )
            )  # fmt: skip
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
