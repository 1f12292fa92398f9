"""Helpers to build signed plans for ledger tests."""

import importlib
from datetime import date
from itertools import count

from django.apps import apps

from creditors.models import Creditor
from finplatform.kzid import make_bin
from schedules.models import ScheduleTableVersion
from schedules.services.plans import create_plan
from tests.factories import CaseFactory, CreditorFactory, approved_payout_details

_serials = count(20_000, 7)


def new_creditor():
    """A creditor with a BIN nobody has (make_bin skips serials, so neighbours can collide)."""
    while True:
        bin_ = make_bin(date(2015, 5, 1), serial=next(_serials))
        if not Creditor.objects.filter(bin=bin_).exists():
            creditor = CreditorFactory(bin=bin_)
            approved_payout_details(creditor)
            return creditor


def ensure_default_table() -> None:
    """transactional_db tests flush the data migration's rows; put the defaults back."""
    if not ScheduleTableVersion.objects.exists():
        migration = importlib.import_module("schedules.migrations.0002_default_schedule_table")
        migration.create(apps, None)


def make_plan(debts_tiyn, *, category="general", first_due=date(2026, 1, 31), case=None):
    """A plan for a fresh case with one new creditor per debt; returns (plan, creditors)."""
    ensure_default_table()
    case = case or CaseFactory()
    creditors = [new_creditor() for _ in debts_tiyn]
    plan = create_plan(
        case=case,
        debts=list(zip(creditors, debts_tiyn, strict=True)),
        category=category,
        first_due=first_due,
    )
    return plan, creditors
