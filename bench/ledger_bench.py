"""Month-end ledger benchmark: distribute N payments (1–6 creditors per plan) through the real
code path (`schedules.services.booking.book_many`, batches of 1,000 payments per database
transaction, plus a sample through `book_one`, one payment per transaction as the API does;
a checkout without `booking` is measured through `payments.book_payments`/`book_payment`)
into PostgreSQL, then insert the very same ledger rows with plain SQL COPY (same tables,
indexes, constraints and triggers) as the physical limit.

    .venv/bin/python bench/ledger_bench.py [--sizes 10000 100000] [--batch 1000] [--json PATH]
                                           [--no-api] [--web 2x8] [--ab ROUNDS]
                                           [--shared-buffers 1GB] [--plans N]
                                           [--pg-set NAME=VALUE ...] [--no-gc-freeze]

`--json PATH` writes one JSON object: the figures of the largest size at the top level
(`batch_per_s`, `copy_floor_per_s`, `single_per_s`, `api_per_s_4_clients`,
`api_p95_ms_16_clients_hot`, `payments`, `load_avg`) and every size under `runs`; each run
also has the batch's µs per payment in each tenth of it (`batch_us_per_payment_by_tenth`: does
the cost grow with the ledger?), the WAL it wrote (`batch_wal`) and how long Python's collector
ran in it (`batch_gc_ms`; the setup's objects are frozen first, `--no-gc-freeze` not). The HTTP
figures come from gunicorn on loopback (bench/ledger_api.py). `--sizes 1000000` works (plans
and payments are built in bulk; allow several minutes and a few GB of RAM).

Self-provisioning: starts a throwaway PostgreSQL (finplatform.devstack), creates one database
per size, runs the migrations, builds the plans, runs, prints, and deletes everything.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ledger_measure import GcTimer, segments, wal_stats
from ledger_setup import build_payments, build_plans

# LEDGER_BENCH_ROOT: measure another checkout's code (e.g. the code before a change) with
# this benchmark; bench/ledger_*.py are always taken from beside this file.
ROOT = Path(os.environ.get("LEDGER_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


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
    parser.add_argument("--json", type=Path, help="write the figures as one JSON object")
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--web", default="2x8", metavar="WORKERSxTHREADS",
                        help="gunicorn gthread workers x threads for the HTTP figures")  # fmt: skip
    parser.add_argument("--ab", type=int, default=0, metavar="ROUNDS",
                        help="also: Python vs SQL booking interleaved, ROUNDS rounds")  # fmt: skip
    parser.add_argument("--shared-buffers", default="1GB",
                        help="PostgreSQL shared_buffers for the run (default 1GB; pgserver's own"
                             " default is 128MB)")  # fmt: skip
    parser.add_argument("--plans", type=int, metavar="N",
                        help="plans to pay (default: one per 4 payments of each size)")  # fmt: skip
    parser.add_argument("--pg-set", action="append", default=[], metavar="NAME=VALUE",
                        type=pg_setting,
                        help="also ALTER SYSTEM SET this setting (repeatable)")  # fmt: skip
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="let Python's collector walk the setup (before round 7)")  # fmt: skip
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch, args.child_out, api=not args.no_api, ab=args.ab,
                     web=args.web, plans=args.plans, gc_freeze=not args.no_gc_freeze)  # fmt: skip

    from finplatform.devstack import ensure_database, start_postgres

    tmp = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    server = None
    try:
        print(f"machine: {os.cpu_count()} CPUs ({cpu_name()}), Python {platform.python_version()}")
        server = start_postgres(tmp / "pg", throwaway=True)
        tune_postgres(server, args.shared_buffers, args.pg_set)
        runs = []
        for size in args.sizes:
            url = ensure_database(server, f"ledger_bench_{size}")
            env = dict(
                os.environ,
                DJANGO_ENV="test",
                DATABASE_URL=url,
                DJANGO_SETTINGS_MODULE="finplatform.settings",
            )
            out = tmp / f"run-{size}.json"
            argv = [sys.executable, __file__, "--child", str(size), "--batch", str(args.batch),
                    "--child-out", str(out), "--ab", str(args.ab), "--web", args.web] + (["--no-api"] if args.no_api else []) + (["--plans", str(args.plans)] if args.plans else []) + (["--no-gc-freeze"] if args.no_gc_freeze else [])  # fmt: skip  # noqa: E501
            rc = subprocess.run(argv, cwd=ROOT, env=env).returncode
            if rc:
                return rc
            runs.append(json.loads(out.read_text()))
        if args.json:
            largest = max(runs, key=lambda r: r["payments"])
            args.json.write_text(json.dumps({**largest, "runs": runs}, indent=2) + "\n")
            print(f"\nJSON written to {args.json}")
        return 0
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def pg_setting(text: str) -> str:
    """`--pg-set`'s argument: NAME=VALUE with a plain setting name."""
    name, sep, _value = text.partition("=")
    if not sep or not name.replace("_", "").replace(".", "").isalnum():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return text


def tune_postgres(server, shared_buffers: str, settings: list[str] = ()) -> None:
    """Give the throwaway cluster the memory a production server would: at a million payments
    the ledger's indexes (random UUID keys) are far larger than pgserver's 128 MB of buffers,
    and the run would measure the page cache instead of the booking. Restart to apply."""
    from pgserver._commands import pg_ctl  # dev/test-only wheel, as in finplatform.devstack

    server.psql(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}';")
    server.psql("ALTER SYSTEM SET max_wal_size = '4GB';")
    for setting in settings:
        name, value = setting.split("=", 1)
        server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        print(f"PostgreSQL: {name} = {value}")
    pg_ctl(["-w", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    server.ensure_postgres_running()  # the new postmaster's pid, so cleanup stops this one
    print(f"PostgreSQL: {server.psql('SHOW shared_buffers;').split()[2]} shared_buffers")


# --- the child: one size in one fresh database ---------------------------------------------


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def child(
    size: int,
    batch: int,
    out: Path | None,
    *,
    api: bool = True,
    ab: int = 0,
    web: str = "2x8",
    plans: int | None = None,
    gc_freeze: bool = True,
) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    plans = build_plans(size, plans)
    items = build_payments(size, plans)
    settle()  # statistics for the plans just built in bulk, as a database in use has them
    if gc_freeze:
        # The setup's objects (every plan, case, borrower and user as a model object, the input
        # payments) live to the end, and each of Python's full collections would walk them all:
        # a cost of this harness, not of the booking. Frozen, the collector sees only what the
        # booking makes; `batch_gc_ms` says how long it ran either way.
        gc.collect()
        gc.freeze()
    print(f"\n== N = {size:,} payments to {len(plans):,} plans (1–6 creditors each)")
    print(f"load average at start: {load_avg()}")
    loads = [load_avg()]
    real = run_real(items, batch)
    copy_seconds, rows = run_copy()
    settle()
    single = run_single(plans)
    loads.append(load_avg())
    ratio = real["seconds"] / copy_seconds
    print(
        f"real path   batch, {batch}/transaction: {real['seconds']:.2f} s  "
        f"{size / real['seconds']:,.0f} payments/s  {real['entries'] / real['seconds']:,.0f} entries/s"  # noqa: E501
    )
    print(
        f"plain COPY  same {rows:,} rows, same triggers:   {copy_seconds:.2f} s  "
        f"{size / copy_seconds:,.0f} payments/s  {real['entries'] / copy_seconds:,.0f} entries/s"
    )
    print(f"ratio real / COPY: {ratio:.2f}x")
    wal = real["wal"]
    print(
        f"batch, µs per payment in each tenth: {real['segments']}; WAL per payment: "
        f"{wal['records'] / size:.1f} records, {wal['fpi'] / size:.2f} full pages, "
        f"{wal['bytes'] / size:,.0f} bytes; {wal['checkpoints']} checkpoint(s); Python's"
        f" collector {real['gc_ms']:,.0f} ms{'' if gc_freeze else ' (setup not frozen)'}"
    )
    print(
        f"API path    single, 1/transaction:          {single['count'] / single['seconds']:,.0f} payments/s "  # noqa: E501
        f"({single['count']:,} payments)"
    )
    figures = {
        "payments": size,
        "plans": len(plans),
        "batch_size": batch,
        "batch_per_s": round(size / real["seconds"], 1),
        "copy_floor_per_s": round(size / copy_seconds, 1),
        "batch_over_copy": round(ratio, 3),
        "batch_us_per_payment": round(real["seconds"] / size * 1e6, 1),
        "batch_us_per_payment_by_tenth": real["segments"],
        "batch_wal": real["wal"],
        "batch_gc_ms": real["gc_ms"],
        "gc_frozen": gc_freeze,
        "single_per_s": round(single["count"] / single["seconds"], 1),
        "single_count": single["count"],
        "batch_path": f"{batch_service().__module__}.{batch_service().__name__}",
        "single_path": f"{single_service().__module__}.{single_service().__name__}",
    }
    if api:
        from ledger_api import run_api

        workers, threads = (int(n) for n in web.split("x"))
        http = run_api(plans, workers=workers, threads=threads)
        loads.append(load_avg())
        spread, hot = http["spread"], http["hot"]
        print(
            f"HTTP        gunicorn {http['workers']}x{http['threads']} gthread, 4 clients: "
            f"{spread['per_s']:,.0f} payments/s p50 {spread['p50_ms']:.1f} ms "
            f"p95 {spread['p95_ms']:.1f} ms; 16 clients on 10 hot plans: "
            f"{hot['per_s']:,.0f}/s p95 {hot['p95_ms']:.1f} ms"
        )
        figures.update(
            api_per_s_4_clients=round(spread["per_s"], 1),
            api_p95_ms_4_clients=round(spread["p95_ms"], 1),
            api_per_s_16_clients_hot=round(hot["per_s"], 1),
            api_p95_ms_16_clients_hot=round(hot["p95_ms"], 1),
            api_errors=spread["errors"] + hot["errors"],
            api_gunicorn=f"{http['workers']}x{http['threads']} gthread",
        )
    if ab:
        from ledger_ab import run_ab

        figures["ab"] = run_ab(plans, items, ab)
        loads.append(load_avg())
        print(f"A/B interleaved, medians of {ab} rounds (payments/s): {figures['ab']}")
    from schedules.reconciliation import reconcile

    report = reconcile()
    print(f"reconciliation after the run: {'OK' if report.ok else 'MISMATCH'}")
    print(f"load average at end: {load_avg()}")
    figures.update(load_avg=load_avg(), load_avg_during=loads, reconciliation_ok=report.ok)
    if out is not None:
        out.write_text(json.dumps(figures))
    return 0 if report.ok and not figures.get("api_errors") else 1


def batch_service():
    """The month-end path: `booking.book_many` (SQL) where it exists, else the older
    `payments.book_payments` (so LEDGER_BENCH_ROOT can measure a checkout from before)."""
    try:
        from schedules.services.booking import book_many
    except ImportError:
        from schedules.services.payments import book_payments as book_many
    return book_many


def single_service():
    """The service `POST /api/v1/payments/` calls: `booking.book_one`, else `book_payment`."""
    try:
        from schedules.services.booking import book_one
    except ImportError:
        from schedules.services.payments import book_payment as book_one
    return book_one


def run_real(items: list, batch: int) -> dict:
    from django.db import connection

    book_payments = batch_service()
    connection.ensure_connection()
    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wal_before = wal_stats()
    started = time.perf_counter()
    marks = []  # (payments booked, seconds since start) after every batch
    collector = GcTimer()
    gc.callbacks.append(collector)
    for start in range(0, len(items), batch):
        book_payments(source="bench", items=items[start : start + batch])
        marks.append((min(start + batch, len(items)), time.perf_counter() - started))
    seconds = time.perf_counter() - started
    gc.callbacks.remove(collector)
    wal_after = wal_stats()
    wal = {k: wal_after[k] - v for k, v in wal_before.items()}
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM schedules_ledgerentry")
        entries = cursor.fetchone()[0]
    return {"seconds": seconds, "entries": entries, "segments": segments(marks), "wal": wal,
            "gc_ms": round(collector.seconds * 1000, 1)}  # fmt: skip


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
        # CASCADE: also the (empty here) tables that refer to the ledger, whatever their number
        cursor.execute("TRUNCATE " + ", ".join(TABLES) + " CASCADE")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            dumps[table].seek(0)
            cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", dumps[table])
    return time.perf_counter() - started, rows


def settle() -> None:
    """VACUUM ANALYZE (not measured) after the COPY step's TRUNCATE and reload, so the single
    and HTTP figures are those of a settled database, not of autovacuum catching up with the
    benchmark's own bulk rewrite halfway through them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def run_single(plans: list, count: int = 2000) -> dict:
    """The API's path: one payment per call and per database transaction."""
    from django.db import connection

    from schedules.services.payments import PaymentIn

    book_payment = single_service()
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
