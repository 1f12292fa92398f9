"""Reads for schedules and the ledger. Scoping: `*_for_borrower` / `*_for_creditor` return
only the caller's own rows (404 otherwise)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum, prefetch_related_objects
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from finplatform.clock import business_date
from finplatform.errors import ApplicationError
from finplatform.money import split_towards_targets
from finplatform.workdays import WorkCalendar
from schedules import engine, revision
from schedules.models import (
    ChangeStatus,
    ClaimTransfer,
    CollectionResumption,
    IncomingPayment,
    InstalmentPart,
    LedgerEntry,
    PaymentStatus,
    Payout,
    Plan,
    PlanAdjustment,
    Side,
)
from schedules.table import Terms, terms_for

MSG_DEBTS_MISMATCH = "The creditors' debts do not add up to the total."


@dataclass(frozen=True)
class ShareLine:
    creditor: object  # creditors.Creditor
    debt_tiyn: int
    received_tiyn: int = 0


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due_date: date
    amount_tiyn: int
    parts: tuple[tuple[object, int], ...]  # (creditor, amount_tiyn), in share order


@dataclass(frozen=True)
class ScheduleView:
    """The unified schedule as documents and pages render it, before or after signing."""

    terms: Terms
    total_tiyn: int
    first_due: date
    shares: tuple[ShareLine, ...]
    lines: tuple[ScheduleLine, ...]
    plan: Plan | None = None
    sold: bool = False  # a claim in it was sold to another creditor


def instalment_parts(*, debts: Sequence[int], amounts: Sequence[int]) -> list[list[int]]:
    """Each instalment's split among the creditors (in `debts` order): the cumulative
    largest-remainder split, so over the whole schedule each creditor gets exactly its debt."""
    already = [0] * len(debts)
    result = []
    for amount in amounts:
        parts = split_towards_targets(amount, debts, already)
        already = [a + p for a, p in zip(already, parts, strict=True)]
        result.append(parts)
    return result


def preview_schedule(*, total_tiyn: int, category: str, debts, first_due: date) -> ScheduleView:
    """The schedule a case would get if signed now: no database writes. `debts` is a list of
    (Creditor, confirmed debt in tiyn) whose debts sum to `total_tiyn`."""
    debts = list(debts)
    if sum(amount for _, amount in debts) != total_tiyn or any(a <= 0 for _, a in debts):
        raise ApplicationError(MSG_DEBTS_MISMATCH, code="debts_mismatch")
    terms = terms_for(total_tiyn=total_tiyn, category=category)
    lines = engine.build_instalments(
        total_tiyn=total_tiyn, term_months=terms.term_months, first_due=first_due
    )
    creditors = [c for c, _ in debts]
    split = instalment_parts(debts=[a for _, a in debts], amounts=[a for _, _, a in lines])
    return ScheduleView(
        terms=terms,
        total_tiyn=total_tiyn,
        first_due=first_due,
        shares=tuple(ShareLine(c, a) for c, a in debts),
        lines=tuple(
            ScheduleLine(n, due, amount, tuple(zip(creditors, parts, strict=True)))
            for (n, due, amount), parts in zip(lines, split, strict=True)
        ),
    )


def plan_for_case(case) -> ScheduleView | None:
    """The signed schedule of `case` with each line's creditor parts, or None."""
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        return None
    return schedule_view(plan)


def current_holders(plan: Plan) -> dict:
    """creditor id at signing -> the creditor that holds its claim now (approved sales)."""
    holder: dict = {}
    for seller, buyer in (
        ClaimTransfer.objects.filter(plan=plan, status=ChangeStatus.APPROVED)
        .order_by("decided_at")
        .values_list("from_creditor_id", "to_creditor_id")
    ):
        for original, now in list(holder.items()):
            if now == seller:
                holder[original] = buyer
        holder.setdefault(seller, buyer)
    return holder


def schedule_view(plan: Plan) -> ScheduleView:
    """One column per creditor still in the plan (a held share adds to its creditor's). After
    a disputed loan was left out (a `PlanAdjustment`), each line shows its amount after the
    reduction; a line still owed shows how what is owed on it will be split (the split the
    payments now follow), a paid line its split as signed.

    A fixed number of queries for any plan, and plain tuples rather than a model object per
    instalment part: the borrower's schedule page first ran a query per instalment and per
    creditor (35 for a 24-month plan with 3 creditors), then spent most of its time building
    part objects (found by bench/load.py; tests/reliability/test_query_counts.py keeps it so)."""
    prefetch_related_objects([plan], "shares__creditor")
    live = [s for s in plan.shares.all() if s.hold in ("", "held")]
    columns: dict = {}
    for s in live:
        _, debt, received = columns.get(s.creditor_id, (None, 0, 0))
        columns[s.creditor_id] = (s.creditor, debt + s.debt_tiyn, received + s.received_tiyn)
    adjusted = plan.adjustments.exists()
    state = {line.number: line for line in plan_state(plan).instalments} if adjusted else {}
    projected = dict(projected_parts(plan)) if adjusted else {}
    rows = list(
        InstalmentPart.objects.filter(instalment__plan=plan).values_list(
            "instalment_id", "creditor_id", "amount_tiyn"
        )
    )
    # A creditor signed into the plan but holding no column sold its claim (or lost a
    # dispute): only then look the sales up, so an unsold plan costs no query more.
    holder = current_holders(plan) if {r[1] for r in rows} - set(columns) else {}
    signed: dict[object, dict] = defaultdict(dict)
    for instalment_id, signed_to, amount in rows:
        creditor_id = holder.get(signed_to, signed_to)  # a sold claim's parts: its buyer's
        signed[instalment_id][creditor_id] = signed[instalment_id].get(creditor_id, 0) + amount
    lines = []
    for pk, number, due_date, amount in plan.instalments.order_by("number").values_list(
        "pk", "number", "due_date", "amount_tiyn"
    ):
        parts = signed[pk]
        if adjusted:
            # still owed: the split of what is owed; lowered to nothing: nothing; paid: as signed
            amount = state[number].amount_tiyn
            parts = projected.get(number, parts if amount else {})
        lines.append(
            ScheduleLine(
                number,
                due_date,
                amount,
                tuple((c[0], parts.get(pk_, 0)) for pk_, c in columns.items()),
            )
        )
    return ScheduleView(
        terms=Terms(plan.term_months, plan.monthly_tiyn, plan.table_version_id),
        total_tiyn=plan.total_tiyn,
        first_due=plan.first_due,
        shares=tuple(ShareLine(c, d, r) for c, d, r in columns.values()),
        lines=tuple(lines),
        plan=plan,
        sold=bool(holder),
    )


# --- state --------------------------------------------------------------------------------


def payment_events(plan: Plan) -> list[engine.PaymentEvent]:
    rows = (
        IncomingPayment.objects.filter(plan=plan, status=PaymentStatus.APPLIED)
        .order_by("paid_on", "received_at", "pk")
        .values_list("applied_tiyn", "paid_on")
    )
    return [engine.PaymentEvent(amount, on, order) for order, (amount, on) in enumerate(rows)]


def adjustment_events(plan: Plan) -> list[engine.PaymentEvent]:
    """The plan's reductions (a disputed loan left out after signing), replayed after the
    payments of the same day."""
    rows = (
        PlanAdjustment.objects.filter(plan=plan, reduction_tiyn__gt=0)
        .order_by("booked_on", "created_at", "pk")
        .values_list("reduction_tiyn", "booked_on")
    )
    return [
        engine.PaymentEvent(amount, on, 10**9 + order, reduction=True)
        for order, (amount, on) in enumerate(rows)
    ]


def plan_state(plan: Plan, *, on: date | None = None) -> engine.ScheduleState:
    """Replay the plan's payments and reductions: the state of every instalment on `on`
    (default today)."""
    rows = list(
        plan.instalments.order_by("number").values_list(
            "number", "due_date", "amount_tiyn", "settled"
        )
    )
    lines = [(n, due, amount) for n, due, amount, _ in rows]
    # Lateness counts from the next working day of Kazakhstan's calendar, with the admin's
    # overrides (one query for the plan's whole span).
    calendar = WorkCalendar(lines[0][1], lines[-1][1] + timedelta(days=30)) if lines else None
    events = payment_events(plan) + adjustment_events(plan)
    lateness = calendar.next_working_day if calendar else None
    if any(settled for *_, settled in rows):  # a varied timetable (schedules.revision)
        count = sum(1 for *_, settled in rows if settled)
        return revision.replay_versioned(
            settled=lines[:count], lines=lines[count:], events=events,
            business_date=on or business_date(), lateness=lateness,
        )  # fmt: skip
    return engine.replay(
        instalments=lines, events=events, business_date=on or business_date(), lateness=lateness
    )


def projected_parts(plan: Plan, *, on: date | None = None) -> list[tuple[int, dict]]:
    """The rest of the schedule as it will be distributed: for each instalment with something
    still owed, (number, {creditor id: part}) — the same cumulative largest-remainder split
    the payments use, from what each live share has received so far. Over the schedule each
    share then receives exactly its debt (also after a disputed loan was decided)."""
    state = plan_state(plan, on=on)
    shares = list(
        plan.shares.filter(hold__in=("", "held")).order_by("position").values_list(
            "creditor_id", "debt_tiyn", "received_tiyn"
        )
    )  # fmt: skip
    debts = [d for _, d, _ in shares]
    already = [r for _, _, r in shares]
    result = []
    for line in state.instalments:
        if not line.outstanding_tiyn:
            continue
        parts = split_towards_targets(line.outstanding_tiyn, debts, already)
        already = [a + p for a, p in zip(already, parts, strict=True)]
        summed: dict = {}
        for (creditor_id, _, _), part in zip(shares, parts, strict=True):
            summed[creditor_id] = summed.get(creditor_id, 0) + part
        result.append((line.number, summed))
    return result


# --- scoped reads -------------------------------------------------------------------------


def plan_for_borrower(borrower) -> Plan | None:
    return (
        Plan.objects.filter(case__borrower=borrower)
        .select_related("case")
        .order_by("-created_at")
        .first()
    )


def payments_for_plan(plan: Plan) -> QuerySet[IncomingPayment]:
    return plan.payments.order_by("-paid_on", "-received_at")


def case_has_applied_payment(case) -> bool:
    """Whether any payment was applied to the plan of `case` (the borrower's journey)."""
    return IncomingPayment.objects.filter(plan__case=case, status=PaymentStatus.APPLIED).exists()


def resumptions_for_creditor(creditor) -> QuerySet[CollectionResumption]:
    """Cases in which this creditor may resume collection (for the dashboard and API)."""
    return CollectionResumption.objects.filter(creditor=creditor).select_related("plan__case")


def payouts_for_creditor(creditor) -> QuerySet[Payout]:
    return Payout.objects.filter(creditor=creditor).order_by("-payout_date")


def payout_for_creditor(creditor, payout_id) -> Payout:
    return get_object_or_404(payouts_for_creditor(creditor), pk=payout_id)


def creditor_statement_lines(creditor, *, date_from: date, date_to: date):
    """Credits and debits on this creditor's payable account between two business dates:
    (booked_on, kind, case reference or '', credit_tiyn, debit_tiyn)."""
    rows = (
        LedgerEntry.objects.filter(
            account__creditor=creditor,
            transaction__booked_on__gte=date_from,
            transaction__booked_on__lte=date_to,
        )
        .order_by("transaction__booked_on", "transaction__created_at", "pk")
        .values_list(
            "transaction__booked_on", "transaction__kind", "transaction__plan__case__reference",
            "side", "amount_tiyn",
        )
    )  # fmt: skip
    for booked_on, kind, reference, side, amount in rows:
        credit = amount if side == Side.CREDIT else 0
        debit = amount if side == Side.DEBIT else 0
        yield booked_on, kind, reference or "", credit, debit


def account_balance(*, account_filter: Q) -> int:
    """Credit minus debit over the matching entries (liabilities' natural sign)."""
    sums = LedgerEntry.objects.filter(account_filter).aggregate(
        credit=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
        debit=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
    )
    return (sums["credit"] or 0) - (sums["debit"] or 0)


def refund_owed(plan: Plan) -> int:
    """The borrower's money the platform owes back for this plan: what payments brought
    beyond the plan's total, and what a disputed loan left out had already collected."""
    paid_beyond = (
        plan.payments.exclude(status=PaymentStatus.REVERSED).aggregate(s=Sum("refund_tiyn"))["s"]
        or 0
    )
    adjusted = plan.adjustments.aggregate(s=Sum("refund_tiyn"))["s"] or 0
    return paid_beyond + adjusted


def collections_by_month(cases: QuerySet, *, months: int = 12) -> list[tuple[date, int, int]]:
    """(first day of the month, tiyn applied to the schedules, payments) for the last `months`
    business months up to this one, zeros included, for the plans of `cases` (a queryset of
    resolution cases: the ombudsman's queue). One query; reversed payments do not count."""
    end = business_date().replace(day=1)
    firsts = [end]
    while len(firsts) < months:
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    rows = (
        IncomingPayment.objects.filter(plan__case__in=cases, paid_on__gte=firsts[0])
        .exclude(status=PaymentStatus.REVERSED)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(applied=Sum("applied_tiyn"), payments=Count("pk"))
    )
    found = {row["month"]: (row["applied"] or 0, row["payments"]) for row in rows}
    return [(first, *found.get(first, (0, 0))) for first in firsts]
