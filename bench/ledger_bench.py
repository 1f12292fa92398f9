"""Month-end ledger benchmark: distribute N payments (1–6 creditors per plan) through the real
code path (`schedules.services.payments.book_payments`, batches of 1,000 payments per database
transaction, plus a sample through `book_payment`, one payment per transaction as the API does)
into PostgreSQL, then insert the very same ledger rows with plain SQL COPY (same tables,
indexes, constraints and triggers) as the physical limit.

    .venv/bin/python bench/ledger_bench.py [--sizes 10000 100000] [--batch 1000]

Self-provisioning: starts a throwaway PostgreSQL (finplatform.devstack), creates one database
per size, runs the migrations, builds the plans, runs, prints, and deletes everything.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# --- the parent: provision PostgreSQL, run one child per size ------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch)

    from finplatform.devstack import ensure_database, start_postgres

    tmp = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    server = None
    try:
        print(f"machine: {os.cpu_count()} CPUs ({cpu_name()}), Python {platform.python_version()}")
        server = start_postgres(tmp / "pg", throwaway=True)
        for size in args.sizes:
            url = ensure_database(server, f"ledger_bench_{size}")
            env = dict(
                os.environ,
                DJANGO_ENV="test",
                DATABASE_URL=url,
                DJANGO_SETTINGS_MODULE="finplatform.settings",
            )
            rc = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--batch", str(args.batch)],
                cwd=ROOT, env=env,
            ).returncode  # fmt: skip
            if rc:
                return rc
        return 0
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


# --- the child: one size in one fresh database ---------------------------------------------


def child(size: int, batch: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    plans = build_plans(size)
    items = build_payments(size, plans)
    print(f"\n== N = {size:,} payments to {len(plans):,} plans (1–6 creditors each)")
    real = run_real(items, batch)
    copy_seconds, rows = run_copy()
    single = run_single(plans)
    ratio = real["seconds"] / copy_seconds
    print(
        f"real path   book_payments, {batch}/transaction: {real['seconds']:.2f} s  "
        f"{size / real['seconds']:,.0f} payments/s  {real['entries'] / real['seconds']:,.0f} entries/s"  # noqa: E501
    )
    print(
        f"plain COPY  same {rows:,} rows, same triggers:   {copy_seconds:.2f} s  "
        f"{size / copy_seconds:,.0f} payments/s  {real['entries'] / copy_seconds:,.0f} entries/s"
    )
    print(f"ratio real / COPY: {ratio:.2f}x")
    print(
        f"API path    book_payment, 1/transaction:    {single['count'] / single['seconds']:,.0f} payments/s "  # noqa: E501
        f"({single['count']:,} payments)"
    )
    from schedules.reconciliation import reconcile

    report = reconcile()
    print(f"reconciliation after the run: {'OK' if report.ok else 'MISMATCH'}")
    return 0 if report.ok else 1


def build_plans(size: int) -> list:
    """Plans built directly in bulk (setup, not measured): one plan per 4 payments."""
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
    count = max(1, size // 4)
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


def run_real(items: list, batch: int) -> dict:
    from django.db import connection

    from schedules.services.payments import book_payments

    connection.ensure_connection()
    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        book_payments(source="bench", items=items[start : start + batch])
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM schedules_ledgerentry")
        entries = cursor.fetchone()[0]
    return {"seconds": seconds, "entries": entries}


TABLES = ["schedules_ledgertransaction", "schedules_ledgerentry", "schedules_incomingpayment"]


def run_copy() -> tuple[float, int]:
    """Dump the rows the real run wrote, TRUNCATE, and time COPYing them back in one
    transaction (the deferred balance triggers fire at its COMMIT)."""
    from django.db import connection, transaction

    dumps, rows = {}, 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in TABLES:
            buffer = io.StringIO()
            raw.copy_expert(f"COPY {table} TO STDOUT", buffer)
            rows += buffer.getvalue().count("\n")
            dumps[table] = buffer
        cursor.execute("TRUNCATE schedules_payout, schedules_planadjustment, " + ", ".join(TABLES))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            dumps[table].seek(0)
            cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", dumps[table])
    return time.perf_counter() - started, rows


def run_single(plans: list, count: int = 2000) -> dict:
    """The API's path: one payment per call and per database transaction."""
    from django.db import connection

    from schedules.services.payments import PaymentIn, book_payment

    # The COPY step restored the rows but the caches still match them, so continue on top.
    connection.ensure_connection()
    rng = random.Random(7)
    profiler = None
    if os.environ.get("BENCH_PROFILE_SINGLE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    for i in range(count):
        plan = plans[rng.randrange(len(plans))]
        book_payment(
            source="bench-api",
            item=PaymentIn(f"api-{i}", 1_000_00, datetime(2026, 2, 27, 6, tzinfo=UTC), "",
                           plan.case.reference),
        )  # fmt: skip
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return {"count": count, "seconds": seconds}


if __name__ == "__main__":
    sys.exit(main())
