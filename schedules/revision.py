"""Varying a plan's timetable (pure functions, no database).

A variation never touches the creditors' shares: it only re-times what is still owed. The
new timetable keeps, line by line, what was already settled on the old one (paid, or lowered
by a plan adjustment) as *settled* lines, and spreads the outstanding balance over *new*
lines from an anchor due date. The settled lines sum to what the events before the variation
consumed, so `replay_versioned` replays every event against the settled lines first (in
date order) and the rest against the new lines: a payment booked before the variation
stays where it was, one after it pays the new timetable, and a back-dated one still counts.

Three kinds (SPEC §3 caps: the whole term stays within the table's longest term for the
plan's category, 60 months general, 84 vulnerable):
* `holiday`: nothing due for 1–3 months from the anchor, then the balance evenly over as
  many months as were left (fewer if the cap requires: the instalment then rises);
* `lower`: a lower monthly amount from the anchor; the term grows, within the cap;
* `catch_up`: the arrears (owed on lines due before the anchor) spread over the next
  1–6 instalments on top of them; the rest of the timetable stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta

from finplatform.money import ceil_div
from schedules.engine import PaymentEvent, ScheduleState, build_instalments, replay

HOLIDAY, LOWER, CATCH_UP = "holiday", "lower", "catch_up"
KINDS = (HOLIDAY, LOWER, CATCH_UP)
MAX_HOLIDAY_MONTHS = 3
MAX_CATCH_UP_MONTHS = 6

Line = tuple[int, date, int]  # (number, due date, amount in tiyn)


class RevisionError(ValueError):
    """A change the rules do not allow; `code` is stable, `extra` says what would fit."""

    def __init__(self, code: str, **extra):
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass(frozen=True)
class Change:
    kind: str
    anchor: date  # the first due date of the new timetable (before any holiday)
    holiday_months: int = 0
    monthly_tiyn: int | None = None
    catch_up_months: int = 3


@dataclass(frozen=True)
class Revision:
    settled: tuple[Line, ...]
    lines: tuple[Line, ...]
    term_months: int  # first due date of the plan to the last new line, inclusive
    monthly_tiyn: int

    @property
    def all_lines(self) -> tuple[Line, ...]:
        return self.settled + self.lines


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _settled_lines(lines: Sequence[Line], state: ScheduleState, anchor: date) -> list[list]:
    """What was settled on each old line; what was settled ahead (lines due from the anchor
    on, prepaid) joins the last line before it, so settled lines never sit in the future."""
    settled: list[list] = []
    ahead = 0
    for (_, due, contracted), now in zip(lines, state.instalments, strict=True):
        done = contracted - now.outstanding_tiyn
        if done <= 0:
            continue
        if due >= anchor and settled:
            ahead += done
        else:
            settled.append([due, done])
    if settled:
        settled[-1][1] += ahead
    return settled


def revise(
    *,
    lines: Sequence[Line],
    state: ScheduleState,
    first_due: date,
    current_monthly_tiyn: int,
    cap_months: int,
    change: Change,
) -> Revision:
    """The new timetable of a plan whose current `lines` replay to `state` today."""
    if change.kind not in KINDS:
        raise RevisionError("unknown_kind")
    outstanding = state.outstanding_tiyn
    if outstanding <= 0:
        raise RevisionError("nothing_outstanding")
    settled = _settled_lines(lines, state, change.anchor)
    upcoming = [
        (due, now.outstanding_tiyn)
        for (_, due, _), now in zip(lines, state.instalments, strict=True)
        if due >= change.anchor and now.outstanding_tiyn
    ]
    if change.kind == HOLIDAY:
        if not 1 <= change.holiday_months <= MAX_HOLIDAY_MONTHS:
            raise RevisionError("bad_holiday", max_months=MAX_HOLIDAY_MONTHS)
        start = change.anchor + relativedelta(months=change.holiday_months)
        room = cap_months - months_between(first_due, start)
        if room < 1:
            raise RevisionError("over_cap", cap_months=cap_months)
        count = min(max(len(upcoming), 1), room)
        new = [(due, amount) for _, due, amount in build_instalments(
            total_tiyn=outstanding, term_months=count, first_due=start)]  # fmt: skip
    elif change.kind == LOWER:
        monthly = change.monthly_tiyn or 0
        if not 0 < monthly < current_monthly_tiyn:
            raise RevisionError("monthly_not_lower", current_tiyn=current_monthly_tiyn)
        room = cap_months - months_between(first_due, change.anchor)
        count = ceil_div(outstanding, monthly)
        if room < 1 or count > room:
            raise RevisionError(
                "over_cap", cap_months=cap_months,
                min_monthly_tiyn=ceil_div(outstanding, max(room, 1)),
            )  # fmt: skip
        new = [(due, amount) for _, due, amount in build_instalments(
            total_tiyn=outstanding, term_months=count, first_due=change.anchor)]  # fmt: skip
    else:
        if not 1 <= change.catch_up_months <= MAX_CATCH_UP_MONTHS:
            raise RevisionError("bad_catch_up", max_months=MAX_CATCH_UP_MONTHS)
        arrears = outstanding - sum(amount for _, amount in upcoming)
        if arrears <= 0:
            raise RevisionError("no_arrears")
        if not upcoming:
            upcoming = [(change.anchor, 0)]
        spread = min(change.catch_up_months, len(upcoming))
        extra = [a for _, _, a in build_instalments(
            total_tiyn=arrears, term_months=spread, first_due=change.anchor)]  # fmt: skip
        extra += [0] * (len(upcoming) - len(extra))
        new = [(due, amount + add) for (due, amount), add in zip(upcoming, extra, strict=True)]
    settled_lines = tuple((n + 1, due, amount) for n, (due, amount) in enumerate(settled))
    base = len(settled_lines)
    new_lines = tuple((base + n + 1, due, amount) for n, (due, amount) in enumerate(new))
    term = months_between(first_due, new_lines[-1][1]) + 1
    if term > cap_months:
        raise RevisionError("over_cap", cap_months=cap_months)
    return Revision(settled_lines, new_lines, term, new_lines[0][2])


def replay_versioned(
    *,
    settled: Sequence[Line],
    lines: Sequence[Line],
    events: Iterable[PaymentEvent],
    business_date: date,
    lateness: Callable[[date], date] | None = None,
) -> ScheduleState:
    """`engine.replay` for a varied timetable: events fill the settled lines first, in date
    order, and what is left of them pays the new lines."""
    history_left = sum(amount for _, _, amount in settled)
    before, after = [], []
    for event in sorted(events, key=lambda e: (e.paid_on, e.order)):
        if event.paid_on > business_date:
            continue
        take = min(history_left, event.amount_tiyn)
        history_left -= take
        if take:
            before.append(replace(event, amount_tiyn=take))
        if event.amount_tiyn - take:
            after.append(replace(event, amount_tiyn=event.amount_tiyn - take))
    old = replay(instalments=settled, events=before, business_date=business_date,
                 lateness=lateness)  # fmt: skip
    new = replay(instalments=lines, events=after, business_date=business_date, lateness=lateness)
    first = old if old.oldest_unpaid_due is not None else new
    return ScheduleState(
        instalments=old.instalments + new.instalments,
        paid_tiyn=old.paid_tiyn + new.paid_tiyn,
        overpaid_tiyn=old.overpaid_tiyn + new.overpaid_tiyn,
        fully_paid_on=new.fully_paid_on if lines else old.fully_paid_on,
        oldest_unpaid_due=first.oldest_unpaid_due,
        days_late=first.days_late,
    )
