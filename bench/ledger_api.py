"""The HTTP part of bench/ledger_bench.py: `POST /api/v1/payments/` against gunicorn on
loopback (gthread workers, DEBUG off), the API's own service path.

Clients are threads of the benchmark process, each with one keep-alive connection; every
request is one payment with its own Idempotency-Key. Two runs: `clients` clients spread over
all plans (throughput), and `hot_clients` clients on `hot_plans` plans (the plan row lock is
contended: p95 latency).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(os.environ.get("LEDGER_BENCH_ROOT") or Path(__file__).resolve().parent.parent)


def start_web(workers: int, threads: int) -> tuple[subprocess.Popen, int, Path]:
    from finplatform import devstack

    port = devstack.free_port()
    log = Path(tempfile.mkstemp(prefix="ledger-bench-web-", suffix=".log")[1])
    env = dict(os.environ, DEBUG="0", LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "finplatform.wsgi", "-b", f"127.0.0.1:{port}",
         "-k", "gthread", "-w", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    devstack.wait_for_port(port, proc=proc)
    return proc, port, log


def provider_key() -> str:
    from schedules.models import PaymentProvider

    provider = PaymentProvider(code="bench", name="Bench provider")
    key = provider.set_new_key()
    provider.save()
    return key


def _client(port, key, jobs, latencies, errors, lock):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine = []
    for idem, reference in jobs:
        body = json.dumps(
            {"amount_tiyn": 1_000_00, "paid_at": "2026-02-27T06:00:00+00:00",
             "case_reference": reference}
        )  # fmt: skip
        headers = {"Content-Type": "application/json", "X-Api-Key": key, "Idempotency-Key": idem}
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/payments/", body, headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 201
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ok = False
        mine.append(time.perf_counter() - started)
        if not ok:
            with lock:
                errors.append(idem)
    conn.close()
    with lock:
        latencies.extend(mine)


def run_clients(port, key, references, clients, per_client, tag) -> dict:
    """`clients` threads, `per_client` payments each, plans taken round-robin."""
    latencies, errors, lock = [], [], threading.Lock()
    jobs = [
        [(f"{tag}-{c}-{i}", references[(c * per_client + i) % len(references)])
         for i in range(per_client)]
        for c in range(clients)
    ]  # fmt: skip
    threads = [
        threading.Thread(target=_client, args=(port, key, j, latencies, errors, lock)) for j in jobs
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000
    return {"count": len(latencies), "per_s": len(latencies) / seconds, "p95_ms": p95,
            "p50_ms": latencies[len(latencies) // 2] * 1000, "errors": len(errors)}  # fmt: skip


def run_api(plans: list, *, per_client: int = 300, workers: int = 2, threads: int = 8) -> dict:
    """Throughput with 4 clients over all plans, then p95 with 16 clients on 10 hot plans."""
    key = provider_key()
    proc, port, log = start_web(workers, threads)
    try:
        references = [p.case.reference for p in plans]
        run_clients(port, key, references, 4, 20, "warm")  # workers connect, code warms up
        spread = run_clients(port, key, references[::7] or references, 4, per_client, "api4")
        hot = run_clients(port, key, references[:10], 16, per_client // 2, "hot16")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if spread["errors"] or hot["errors"]:
        print(f"API errors: {spread['errors']} + {hot['errors']}; gunicorn log: {log}")
    else:
        log.unlink(missing_ok=True)
    return {"spread": spread, "hot": hot, "workers": workers, "threads": threads}
