"""Helpers to build signed plans for ledger tests."""

from datetime import date

from schedules import services
from tests.factories import CaseFactory, CreditorFactory


def make_plan(debts_tiyn, *, category="general", first_due=date(2026, 1, 31), case=None):
    """A plan for a fresh case with one new creditor per debt; returns (plan, creditors)."""
    case = case or CaseFactory()
    creditors = [CreditorFactory() for _ in debts_tiyn]
    plan = services.create_plan(
        case=case,
        debts=list(zip(creditors, debts_tiyn, strict=True)),
        category=category,
        first_due=first_due,
    )
    return plan, creditors
