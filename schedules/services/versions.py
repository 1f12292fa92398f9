"""Schedule versions: previewing and applying a variation of a plan's timetable.

The shares never change: each creditor still receives exactly its confirmed debt over the
whole plan, because payments are split by debt (cumulative largest remainder), whatever the
timetable. Only the timetable (the live `Instalment` rows and their creditor parts), the
plan's term and its monthly amount change, and every version keeps a copy of its lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import split_towards_targets
from schedules import revision
from schedules.models import (
    Instalment,
    InstalmentPart,
    Plan,
    PlanStatus,
    ScheduleBracket,
    ScheduleVersion,
    VersionInstalment,
    VersionKind,
)
from schedules.selectors import plan_state
from schedules.services.common import lock_plans

MSG_PLAN_NOT_ACTIVE = _("Only an active plan can be varied.")
MESSAGES = {
    "unknown_kind": _("Unknown kind of variation."),
    "nothing_outstanding": _("Nothing is left to pay on this plan."),
    "bad_holiday": _("A payment holiday lasts 1 to 3 months."),
    "monthly_not_lower": _("The proposed instalment must be lower than the current one."),
    "over_cap": _("The plan would run past the longest term allowed for its category."),
    "bad_catch_up": _("Arrears are spread over 1 to 6 months."),
    "no_arrears": _("There are no arrears to catch up."),
}
KIND_OF = {revision.HOLIDAY: VersionKind.HOLIDAY, revision.LOWER: VersionKind.LOWER,
           revision.CATCH_UP: VersionKind.CATCH_UP}  # fmt: skip


@dataclass(frozen=True)
class Preview:
    before: tuple  # (number, due, amount, outstanding) of the current lines
    revision: revision.Revision
    outstanding_tiyn: int
    cap_months: int


def cap_months(plan: Plan) -> int:
    """The longest term the plan's table version allows its category (60 / 84 by default)."""
    longest = ScheduleBracket.objects.filter(
        version_id=plan.table_version_id, category=plan.category
    ).aggregate(m=Max("term_months"))["m"]
    return longest or plan.term_months


def _lines(plan: Plan) -> list[tuple[int, date, int]]:
    return list(
        plan.instalments.order_by("number").values_list("number", "due_date", "amount_tiyn")
    )


def next_anchor(plan: Plan, *, after: date) -> date:
    """The first due date of the current timetable after `after` (the next month's date
    past the end of the timetable if none is left)."""
    lines = _lines(plan)
    for line in lines:
        if line[1] > after:
            return line[1]
    return max(lines[-1][1], after) + relativedelta(months=1)


def preview(*, plan: Plan, change: revision.Change, on: date) -> Preview:
    """The timetable `change` would give the plan on `on`; writes nothing. Raises
    ApplicationError (code of the rule) when the change is not allowed."""
    lines = _lines(plan)
    state = plan_state(plan, on=on)
    cap = cap_months(plan)
    try:
        result = revision.revise(
            lines=lines, state=state, first_due=plan.first_due,
            current_monthly_tiyn=plan.monthly_tiyn, cap_months=cap, change=change,
        )  # fmt: skip
    except revision.RevisionError as error:
        raise ApplicationError(MESSAGES[error.code], code=error.code, extra=error.extra) from None
    before = tuple(
        (n, due, amount, s.outstanding_tiyn)
        for (n, due, amount), s in zip(lines, state.instalments, strict=True)
    )
    return Preview(before, result, state.outstanding_tiyn, cap)


def _copy_version(plan: Plan, *, number: int, kind: str, effective_on: date, lines, settled_count,
                  outstanding: int, source_key: str) -> ScheduleVersion:  # fmt: skip
    version = ScheduleVersion.objects.create(
        plan=plan, number=number, kind=kind, effective_on=effective_on,
        term_months=plan.term_months, monthly_tiyn=plan.monthly_tiyn,
        outstanding_tiyn=outstanding, source_key=source_key,
    )  # fmt: skip
    VersionInstalment.objects.bulk_create(
        VersionInstalment(version=version, number=n, due_date=due, amount_tiyn=amount,
                          settled=index < settled_count)
        for index, (n, due, amount) in enumerate(lines)
    )  # fmt: skip
    return version


@transaction.atomic
def vary_schedule(
    *, plan_id, change: revision.Change, on: date, source_key: str
) -> ScheduleVersion:
    """Give an active plan the next version of its timetable, computed from what is
    outstanding on `on`. Idempotent per `source_key` (a second call returns the version the
    first made); the plan row is locked FOR UPDATE first, so a payment booked meanwhile
    waits. The first variation also records the signed timetable as version 1."""
    lock_plans([plan_id])
    plan = Plan.objects.get(pk=plan_id)
    done = plan.versions.filter(source_key=source_key).first()
    if done is not None:
        return done
    if plan.status != PlanStatus.ACTIVE:
        raise ConflictError(MSG_PLAN_NOT_ACTIVE, code="plan_not_active")
    result = preview(plan=plan, change=change, on=on)
    last = plan.versions.aggregate(n=Max("number"))["n"]
    if last is None:
        current = list(plan.instalments.order_by("number").values_list(
            "number", "due_date", "amount_tiyn", "settled"))  # fmt: skip
        last = 1
        _copy_version(
            plan, number=1, kind=VersionKind.SIGNED,
            effective_on=plan.created_at.astimezone(BUSINESS_TZ).date(),
            lines=[row[:3] for row in current], settled_count=sum(r[3] for r in current),
            outstanding=plan.total_tiyn, source_key="signed",
        )  # fmt: skip
    rev = result.revision
    plan.instalments.all().delete()  # their parts go with them (CASCADE)
    created = Instalment.objects.bulk_create(
        Instalment(plan=plan, number=n, due_date=due, amount_tiyn=amount,
                   settled=index < len(rev.settled))
        for index, (n, due, amount) in enumerate(rev.all_lines)
    )  # fmt: skip
    InstalmentPart.objects.bulk_create(_parts(plan, created, len(rev.settled)))
    plan.term_months, plan.monthly_tiyn = rev.term_months, rev.monthly_tiyn
    plan.save(update_fields=["term_months", "monthly_tiyn"])
    return _copy_version(
        plan, number=last + 1, kind=KIND_OF[change.kind], effective_on=on, lines=rev.all_lines,
        settled_count=len(rev.settled), outstanding=result.outstanding_tiyn,
        source_key=source_key,
    )  # fmt: skip


def _parts(plan: Plan, instalments, settled_count: int):
    """Each new line's creditor parts: settled lines split by debt from nothing, the new
    lines from what each live share has received (the split the payments follow), so each
    share's parts over the new lines are exactly what it is still owed."""
    shares = list(plan.shares.filter(hold__in=("", "held")).order_by("position").values_list(
        "creditor_id", "debt_tiyn", "received_tiyn"))  # fmt: skip
    debts = [d for _, d, _ in shares]
    from_zero = [0] * len(shares)
    received = [r for _, _, r in shares]
    for index, inst in enumerate(instalments):
        settled = index < settled_count
        already = from_zero if settled else received
        amount = min(inst.amount_tiyn, sum(debts) - sum(already))
        split = split_towards_targets(amount, debts, already)
        if settled:
            from_zero = [a + p for a, p in zip(from_zero, split, strict=True)]
        else:
            received = [a + p for a, p in zip(received, split, strict=True)]
        summed: dict = {}
        for (creditor_id, _debt, _got), part in zip(shares, split, strict=True):
            summed[creditor_id] = summed.get(creditor_id, 0) + part
        yield from (
            InstalmentPart(instalment=inst, creditor_id=c, amount_tiyn=a) for c, a in summed.items()
        )
