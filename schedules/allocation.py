"""Allocation inside a creditor's part (MFO rules, ch. 7 §2 p. 4): which part of the money a
creditor received pays overdue principal, overdue interest, penalties, current principal,
current interest, costs — in that order (the order is data: `ORDER`).

Pure and exact to the tiyn. A share's components are filled in `ORDER` first and, inside one
component, loan by loan (the share's loans in their given order). The allocation of a
cumulative amount is `allocate(components, cumulative)`; the allocation of one part is the
difference between the cumulative after it and before it — `allocate_part` gives the same
result from what was already recorded per component, so a reversal (a negative part) unwinds
the last-filled components first, and a part never over-fills a component. What exceeds
every component (it should not: the share's debt is the sum of its loans' confirmed totals)
goes to `UNALLOCATED`, so the rows of a part always sum to the part.
"""

from __future__ import annotations

from dataclasses import dataclass

OVERDUE_PRINCIPAL = "overdue_principal"
OVERDUE_INTEREST = "overdue_interest"
PENALTY = "penalty"
CURRENT_PRINCIPAL = "current_principal"
CURRENT_INTEREST = "current_interest"
COSTS = "costs"
UNALLOCATED = "unallocated"
ORDER = (OVERDUE_PRINCIPAL, OVERDUE_INTEREST, PENALTY, CURRENT_PRINCIPAL, CURRENT_INTEREST, COSTS)


@dataclass(frozen=True, slots=True)
class Component:
    loan: str  # the case loan's id (as text) the component belongs to
    kind: str  # one of ORDER
    amount_tiyn: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.loan, self.kind)


def loan_components(
    *,
    loan: str,
    total_tiyn: int,
    principal_tiyn: int | None,
    interest_tiyn: int | None,
    penalty_tiyn: int | None,
    overdue_principal_tiyn: int | None,
    overdue_interest_tiyn: int | None,
    overdue_by_default: bool,
) -> list[Component]:
    """One loan's components, summing exactly to `total_tiyn` (the confirmed total).

    When the components given do not add up to the total (an ombudsman's decision gives a
    total only, or no components were given), the total is laid over the components in the
    order principal, interest, penalty — a cut falls on the penalty first — and any rest above
    them is principal. When the creditor gave no overdue/current split, everything is overdue
    if the loan was overdue at the bureau (`overdue_by_default`), else current."""
    principal, interest, penalty = (max(v or 0, 0) for v in (principal_tiyn, interest_tiyn,
                                                             penalty_tiyn))  # fmt: skip
    rest = total_tiyn
    laid = []
    for value in (principal, interest, penalty):
        take = min(value, max(rest, 0))
        laid.append(take)
        rest -= take
    principal, interest, penalty = laid[0] + max(rest, 0), laid[1], laid[2]
    if overdue_principal_tiyn is None and overdue_interest_tiyn is None:
        over_p, over_i = (principal, interest) if overdue_by_default else (0, 0)
    else:
        over_p = min(max(overdue_principal_tiyn or 0, 0), principal)
        over_i = min(max(overdue_interest_tiyn or 0, 0), interest)
    amounts = {
        OVERDUE_PRINCIPAL: over_p,
        OVERDUE_INTEREST: over_i,
        PENALTY: penalty,
        CURRENT_PRINCIPAL: principal - over_p,
        CURRENT_INTEREST: interest - over_i,
    }
    return [Component(loan, kind, amounts[kind]) for kind in ORDER if amounts.get(kind)]


def in_order(components: list[Component]) -> list[Component]:
    """Kind first (the rules' order), then the loans in the order given."""
    loans = {c.loan: i for i, c in reversed(list(enumerate(components)))}
    return sorted(components, key=lambda c: (ORDER.index(c.kind), loans[c.loan]))


def allocate(components: list[Component], cumulative_tiyn: int) -> dict[tuple[str, str], int]:
    """How a cumulative amount received by the share fills its components."""
    out: dict[tuple[str, str], int] = {}
    rest = max(cumulative_tiyn, 0)
    for component in in_order(components):
        take = min(component.amount_tiyn, rest)
        if take:
            out[component.key] = out.get(component.key, 0) + take
        rest -= take
    if rest:
        out[("", UNALLOCATED)] = rest
    return out


def allocate_part(
    components: list[Component], already: dict[tuple[str, str], int], part_tiyn: int
) -> dict[tuple[str, str], int]:
    """The allocation of one part, given what was already recorded per component: a positive
    part fills what is left of each component in order; a negative part (a reversal) takes
    back from the last-filled first. The values always sum to `part_tiyn`."""
    out: dict[tuple[str, str], int] = {}
    ordered = [*in_order(components), Component("", UNALLOCATED, 0)]
    if part_tiyn >= 0:
        rest = part_tiyn
        for component in ordered[:-1]:
            room = component.amount_tiyn - already.get(component.key, 0)
            take = min(max(room, 0), rest)
            if take:
                out[component.key] = take
            rest -= take
        if rest:
            out[("", UNALLOCATED)] = rest
        return out
    rest = -part_tiyn
    keys = [c.key for c in ordered]
    keys += [k for k in already if k not in keys]  # a component no longer listed
    for key in reversed(keys):
        take = min(max(already.get(key, 0), 0), rest)
        if take:
            out[key] = -take
        rest -= take
    if rest:
        out[("", UNALLOCATED)] = out.get(("", UNALLOCATED), 0) - rest
    return out
