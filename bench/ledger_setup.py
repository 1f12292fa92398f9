"""The month-end benchmark's data, built in bulk (setup, not measured): creditors, plans with 1–6
creditor shares each, and the payments to them (bench/ledger_bench.py, bench/ledger_ab.py)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta


def build_plans(size: int, count: int | None = None) -> list:
    """Plans built directly in bulk (setup, not measured): `count`, by default one plan per 4
    payments."""
    from django.contrib.auth import get_user_model

    from borrowers.models import Borrower
    from creditors.models import Creditor
    from finplatform.kzid import make_bin
    from resolution.models import Case
    from schedules.models import CreditorShare, Plan, ScheduleTableVersion

    rng = random.Random(size)
    creditors = []
    serial = 1
    for n in range(60):
        creditors.append(Creditor(name=f"Bench creditor {n}", bin=make_bin(date(2012, 3, 1), serial=serial),  # noqa: E501
                                  kind="bank", ombudsman="banking"))  # fmt: skip
        serial = int(creditors[-1].bin[6:11]) + 1
    Creditor.objects.bulk_create(creditors)
    count = count or max(1, size // 4)
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench{i}", password="!") for i in range(count)], batch_size=5000
    )
    borrowers = Borrower.objects.bulk_create(
        [Borrower(user=u, iin=f"{i:012d}", full_name="Bench", phone="+77010000000") for i, u in enumerate(users)],  # noqa: E501
        batch_size=5000,
    )  # fmt: skip
    cases = Case.objects.bulk_create(
        [Case(borrower=b, reference=f"FK-B{i:08d}", status="active") for i, b in enumerate(borrowers)],  # noqa: E501
        batch_size=5000,
    )  # fmt: skip
    version = ScheduleTableVersion.objects.get()
    plans, shares = [], []
    for case in cases:
        debts = [rng.randint(50_000_00, 1_200_000_00) for _ in range(rng.randint(1, 6))]
        total = sum(debts)
        plan = Plan(case=case, table_version=version, category="general", total_tiyn=total,
                    term_months=60, monthly_tiyn=-(-total // 60), first_due=date(2026, 1, 25))  # fmt: skip  # noqa: E501
        plans.append(plan)
        for pos, (creditor, debt) in enumerate(
            zip(rng.sample(creditors, len(debts)), debts, strict=True)
        ):
            shares.append(CreditorShare(plan=plan, creditor=creditor, position=pos, debt_tiyn=debt))
    Plan.objects.bulk_create(plans, batch_size=5000)
    CreditorShare.objects.bulk_create(shares, batch_size=5000)
    return plans


def build_payments(size: int, plans: list) -> list:
    from schedules.services.payments import PaymentIn

    rng = random.Random(size + 1)
    items = []
    for i in range(size):
        plan = plans[i % len(plans)]
        amount = rng.randint(1_000_00, plan.monthly_tiyn * 2)
        day = datetime(2026, 2, 1, 6, tzinfo=UTC) + timedelta(days=rng.randint(0, 27))
        items.append(PaymentIn(f"bench-{i}", amount, day, "", plan.case.reference))
    rng.shuffle(items)
    return items
