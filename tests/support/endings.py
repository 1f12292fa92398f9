"""Builders for the end of a procedure: an ACTIVE case with a plan, one included loan per
creditor, and the helpers that breach or complete it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine

from resolution.models import Case, CaseLoan, CaseStatus
from schedules.models import Plan
from schedules.services.payments import book_payment
from schedules.services.sweeps import sweep_plans
from tests.factories import CaseFactory, CaseLoanFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay

FIRST_DUE = date(2026, 2, 2)  # a Monday; breached on 2026-03-15 (41 days late)
BREACH_DAY = date(2026, 3, 15)


@dataclass
class PlanWorld:
    case: Case
    plan: Plan
    creditors: list
    loans: list[CaseLoan]


def active_plan(debts_tiyn=(60_000_000, 40_000_000), *, language="ru") -> PlanWorld:
    case = CaseFactory(status=CaseStatus.ACTIVE, borrower__preferred_language=language)
    plan, creditors = make_plan(list(debts_tiyn), case=case, first_due=FIRST_DUE)
    loans = [CaseLoanFactory(case=case, loan__creditor=c, confirmation_status="confirmed",
                             confirmed_total_tiyn=debt)
             for c, debt in zip(creditors, debts_tiyn, strict=True)]  # fmt: skip
    return PlanWorld(case, plan, creditors, loans)


def almaty_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


def breach(world: PlanWorld, *, on: date = BREACH_DAY):
    with time_machine.travel(almaty_noon(on), tick=False):
        return sweep_plans()


def pay_in_full(world: PlanWorld, *, extra_tiyn=0, key="full", on=date(2026, 2, 1)):
    with time_machine.travel(almaty_noon(on), tick=False):
        return book_payment(
            source="test", item=pay(key, world.plan.total_tiyn + extra_tiyn, on, plan=world.plan)
        )
