"""The schedule engine: pure functions, no database.

* `build_instalments` turns (total, term, first due date) into the contracted lines.
* `replay` turns (instalments, payment events, business date) into the state of every
  instalment. Nothing about payments is stored on instalments: a back-dated payment or a
  reversal simply changes the event list and the state is replayed (as Apache Fineract's loan
  schedule processor does).

Allocation order (SPEC §3), as data in `replay`: a payment goes to the oldest unpaid
instalment first and on through every instalment already due by the payment date, plus the
current one (the first not yet due); what is left reduces the remaining instalments from the
end (the term shortens); what is left after the whole schedule is an overpayment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from finplatform.money import ceil_div

BREACH_AFTER_DAYS = 40  # SPEC §2.10: "more than 40 days late"


def regular_amount(total_tiyn: int, term_months: int) -> int:
    """The even monthly amount: ceil(total / term)."""
    return ceil_div(total_tiyn, term_months)


def build_instalments(
    *, total_tiyn: int, term_months: int, first_due: date
) -> list[tuple[int, date, int]]:
    """(number, due_date, amount_tiyn) for each instalment.

    Every instalment is ceil(total / term) except the last, which absorbs the rounding, so the
    lines sum to `total_tiyn` exactly and none exceeds the monthly amount. Due dates are
    computed from the anchor (first_due + k months), so Jan 31 → Feb 28/29 → Mar 31. For tiny
    debts (total < term × (term − 1) tiyn) the even amount covers the debt in fewer lines, and
    the schedule is that much shorter rather than having empty lines.
    """
    if total_tiyn <= 0:
        raise ValueError("total must be positive")
    if term_months <= 0:
        raise ValueError("term must be positive")
    monthly = regular_amount(total_tiyn, term_months)
    count = ceil_div(total_tiyn, monthly)
    lines = []
    for index in range(count):
        amount = monthly if index < count - 1 else total_tiyn - monthly * (count - 1)
        lines.append((index + 1, first_due + relativedelta(months=index), amount))
    return lines


# --- calendar -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _kz_holidays(year: int):
    return holidays.country_holidays("KZ", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _kz_holidays(day.year)


def lateness_date(due: date) -> date:
    """A due date on a weekend or public holiday moves to the next working day for lateness."""
    day = due
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# --- replay -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentEvent:
    amount_tiyn: int
    paid_on: date
    order: int = 0  # tie-break for payments on the same day (e.g. arrival sequence)
    # Not money in: the plan's total was lowered (a disputed loan left out after signing); the
    # remaining instalments shrink from the end by `amount_tiyn`, as with an overpayment.
    reduction: bool = False


@dataclass(frozen=True)
class InstalmentState:
    number: int
    due_date: date
    amount_tiyn: int
    paid_tiyn: int
    status: str  # "paid" | "partial" | "overdue" | "due" | "upcoming"

    @property
    def outstanding_tiyn(self) -> int:
        return self.amount_tiyn - self.paid_tiyn


@dataclass(frozen=True)
class ScheduleState:
    instalments: tuple[InstalmentState, ...]
    paid_tiyn: int
    overpaid_tiyn: int
    fully_paid_on: date | None
    oldest_unpaid_due: date | None
    days_late: int

    @property
    def outstanding_tiyn(self) -> int:
        return sum(i.outstanding_tiyn for i in self.instalments)

    @property
    def is_fully_paid(self) -> bool:
        return self.outstanding_tiyn == 0

    @property
    def is_breached(self) -> bool:
        return self.days_late > BREACH_AFTER_DAYS


def _reduce(remaining: list[int], reduced: list[int], amount: int) -> int:
    """Lower the remaining instalments from the end by `amount` (a plan adjustment); returns
    what found nothing left to lower (0 whenever the ledger is consistent: payments applied
    plus reductions never exceed the contracted total)."""
    for k in range(len(remaining) - 1, -1, -1):
        take = min(amount, remaining[k])
        remaining[k] -= take
        reduced[k] += take
        amount -= take
    return amount


def _apply(remaining: list[int], dues: Sequence[date], amount: int, on: date) -> int:
    """Apply one payment to `remaining` in place; returns what is left over."""
    count = len(remaining)
    # Oldest unpaid first: everything due by the payment date, then the current instalment.
    for k in range(count):
        if amount == 0:
            return 0
        if remaining[k] == 0:
            continue
        take = min(amount, remaining[k])
        remaining[k] -= take
        amount -= take
        if dues[k] > on:
            break  # the current (not yet due) instalment is covered as far as it goes
    # An overpayment shortens the term: reduce the remaining instalments from the end.
    for k in range(count - 1, -1, -1):
        if amount == 0:
            return 0
        take = min(amount, remaining[k])
        remaining[k] -= take
        amount -= take
    return amount


def replay(
    *,
    instalments: Sequence[tuple[int, date, int]],
    events: Iterable[PaymentEvent],
    business_date: date,
    lateness: Callable[[date], date] | None = None,
) -> ScheduleState:
    """The state of every instalment on `business_date`, from the contracted lines and the
    payments credited by then (later-dated events are ignored). `lateness` maps a due date to
    the working day lateness counts from (default: weekends and public holidays; callers
    with the admin's calendar overrides pass `WorkCalendar.next_working_day`)."""
    shift = lateness or lateness_date
    dues = [due for _, due, _ in instalments]
    remaining = [amount for _, _, amount in instalments]
    reduced = [0] * len(remaining)
    overpaid = 0
    fully_paid_on = None
    for event in sorted(events, key=lambda e: (e.paid_on, e.order)):
        if event.paid_on > business_date:
            continue
        if event.reduction:
            overpaid += _reduce(remaining, reduced, event.amount_tiyn)
        else:
            overpaid += _apply(remaining, dues, event.amount_tiyn, event.paid_on)
        if fully_paid_on is None and not any(remaining):
            fully_paid_on = event.paid_on
    states = []
    oldest_unpaid_due = None
    for (number, due, contracted), left, cut in zip(instalments, remaining, reduced, strict=True):
        amount = contracted - cut  # what is still owed on this line after any reduction
        late = shift(due) < business_date
        if left == 0:
            status = "paid"
        elif late:
            status = "overdue"
        elif left < amount:
            status = "partial"
        elif due <= business_date:
            status = "due"
        else:
            status = "upcoming"
        if left and late and oldest_unpaid_due is None:
            oldest_unpaid_due = due
        states.append(InstalmentState(number, due, amount, amount - left, status))
    # Calendar days, counted from the working day the oldest unpaid instalment fell due on.
    days_late = (business_date - shift(oldest_unpaid_due)).days if oldest_unpaid_due else 0
    return ScheduleState(
        instalments=tuple(states),
        paid_tiyn=sum(s.paid_tiyn for s in states),
        overpaid_tiyn=overpaid,
        fully_paid_on=fully_paid_on,
        oldest_unpaid_due=oldest_unpaid_due,
        days_late=days_late,
    )
