"""The load scenario: borrowers browsing and paying, creditors answering through the API, a
payment provider posting payments. Started by `bench/load.py`, which seeds the data and passes
it in the file named by LOAD_SEED (JSON); results per group go to LOAD_RESULTS (JSON).

Request names carry their group in brackets, and the groups are what the goals apply to:
  [page]  borrower pages (cabinet, schedule, case, complaints)  goal p95 < 150 ms
  [api]   creditor API and payments API                         goal p95 < 300 ms
  [login] the one sign-in per simulated borrower (PBKDF2 on purpose: reported, no goal)

Each simulated borrower signs in once and keeps its session, so the login throttle (30
failures per IP per 15 minutes) never sees a failure. Each simulated creditor user takes an API
key of its own (bench/load.py seeds enough), so no two users share a key's rate limit
(API_RATE_LIMIT_CREDITOR). An answer 429 `rate_limited` is counted apart, per group: neither an
error nor a success, and not in the latencies. Run it by hand against a running stack:

    LOAD_SEED=seed.json locust -f bench/load/locustfile.py --host http://127.0.0.1:8000
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from datetime import UTC, datetime

from locust import FastHttpUser, between, events, task

SEED = json.loads(open(os.environ["LOAD_SEED"]).read())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_borrowers = list(SEED["borrowers"])
random.Random(1).shuffle(_borrowers)
_loans = [list(c["loan_ids"]) for c in SEED["creditors"]]
# (creditor index, key), round-robin over the creditors: each creditor user takes the next one
_key_slots = [
    (index, keys[k])
    for k in range(max(len(c["keys"]) for c in SEED["creditors"]))
    for index, keys in enumerate(c["keys"] for c in SEED["creditors"])
    if k < len(keys)
][::-1]
# Requests in the first LOAD_WARMUP seconds (users signing in: PBKDF2 on purpose, which keeps
# both cores busy) are reported as "warmup", apart from the measured groups.
WARMUP_UNTIL = time.monotonic() + float(os.environ.get("LOAD_WARMUP", "0"))
_samples: dict[str, list[float]] = {}
_errors: dict[str, int] = {}
_counts: dict[str, int] = {}
_by_name: dict[str, list[float]] = {}  # measured window only
_errors_by_name: dict[str, int] = {}
_limited: dict[str, int] = {}  # answers 429 rate_limited, per group
_shared_keys = 0  # creditor users that found no key of their own left
RATE_LIMITED = 429


def group_of(name: str) -> str:
    return name[1 : name.index("]")] if name.startswith("[") else "other"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kw):
    group = group_of(name)
    if group != "login" and time.monotonic() < WARMUP_UNTIL:
        group = "warmup"
    if getattr(kw.get("response"), "status_code", None) == RATE_LIMITED:
        _limited[group] = _limited.get(group, 0) + 1  # apart: not an error, not a latency
        return
    _samples.setdefault(group, []).append(response_time)
    _counts[group] = _counts.get(group, 0) + 1
    if exception is not None:
        _errors[group] = _errors.get(group, 0) + 1
    if group != "warmup":
        _by_name.setdefault(name, []).append(response_time)
        if exception is not None:
            _errors_by_name[name] = _errors_by_name.get(name, 0) + 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def only_limited(count: int) -> dict:
    """A group whose every answer was 429: no latencies to report."""
    return {"requests": 0, "errors": 0, "rate_limited": count,
            "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}  # fmt: skip


@events.quitting.add_listener
def _write_results(environment, **kw):
    stats = environment.stats
    result = {
        "groups": {
            group: {
                "requests": _counts[group],
                "errors": _errors.get(group, 0),
                "rate_limited": _limited.get(group, 0),
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
                "max": max(values),
            }
            for group, values in _samples.items()
        }
        | {
            group: only_limited(count) for group, count in _limited.items() if group not in _samples
        },
        "endpoints": {
            name: {
                "requests": len(values),
                "failures": _errors_by_name.get(name, 0),
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
            }
            for name, values in _by_name.items()
        },
        "failures": [
            {"name": f.name, "method": f.method, "error": str(f.error), "count": f.occurrences}
            for f in stats.errors.values()
        ],
        "total_rps": stats.total.total_rps,
        "shared_keys": _shared_keys,
    }
    with open(os.environ["LOAD_RESULTS"], "w") as out:
        json.dump(result, out, indent=2)


def expect(response, expected: int) -> None:
    """Inside `catch_response`: a 429 is neither a failure nor a success of the endpoint (the
    listener counts it apart); any other answer but `expected` is a failure."""
    if response.status_code == RATE_LIMITED:
        response.success()
    elif response.status_code != expected:
        response.failure(f"{response.status_code} {response.text[:200]}")


def pay_body(reference: str, amount: int) -> dict:
    return {
        "amount_tiyn": amount,
        "paid_at": datetime.now(UTC).isoformat(),
        "case_reference": reference,
    }


class Borrower(FastHttpUser):
    """Signs in once, then browses the cabinet and pays an instalment now and then (through
    the payment provider's API, as their bank app would)."""

    weight = 7
    wait_time = between(1, 3)

    def on_start(self):
        self.me = _borrowers.pop() if _borrowers else random.choice(SEED["borrowers"])
        page = self.client.get("/login/", name="[login] GET /login/")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            data={"iin": self.me["iin"], "password": SEED["password"],
                  "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="[login] POST /login/", allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    def page(self, path: str, name: str):
        with self.client.get(path, name=f"[page] {name}", catch_response=True) as response:
            if response.status_code != 200 or "/login/" in (response.url or ""):
                response.failure(f"{response.status_code} {response.url}")

    @task(4)
    def cabinet(self):
        self.page("/portal/", "/portal/")

    @task(4)
    def schedule(self):
        self.page("/portal/schedule/", "/portal/schedule/")

    @task(2)
    def case(self):
        self.page(f"/portal/cases/{self.me['reference']}/", "/portal/cases/<ref>/")

    @task(1)
    def complaints(self):
        self.page("/portal/complaints/", "/portal/complaints/")

    @task(1)
    def pay(self):
        key = str(uuid.uuid4())
        body = pay_body(self.me["reference"], self.me["monthly_tiyn"])
        headers = {"X-Api-Key": SEED["provider_key"], "Idempotency-Key": key}
        with self.client.post("/api/v1/payments/", json=body, headers=headers,
                              name="[api] POST /payments/ (borrower)",
                              catch_response=True) as response:  # fmt: skip
            expect(response, 201)
        self.page("/portal/schedule/", "/portal/schedule/")


class Creditor(FastHttpUser):
    """A creditor's back office: lists cases needing an answer, reads a loan, confirms it
    with an Idempotency-Key, and sometimes retries the same request (expects 200)."""

    weight = 2
    wait_time = between(1, 2)

    def on_start(self):
        global _shared_keys
        if _key_slots:
            self.creditor, key = _key_slots.pop()
        else:  # more creditor users than keys seeded: share one, and say so in the results
            _shared_keys += 1
            self.creditor = random.randrange(len(SEED["creditors"]))
            key = random.choice(SEED["creditors"][self.creditor]["keys"])
        self.auth = {"Authorization": f"Api-Key {key}"}

    def api_get(self, path: str, name: str):
        with self.client.get(path, headers=self.auth, name=f"[api] GET {name}",
                             catch_response=True) as response:  # fmt: skip
            expect(response, 200)
            return response

    @task(3)
    def cases_needing_action(self):
        self.api_get("/api/v1/creditor/cases/?needs_action=true&limit=20", "/cases/?needs_action")

    @task(2)
    def loans(self):
        self.api_get("/api/v1/creditor/loans/?limit=20", "/loans/")

    @task(4)
    def confirm_next(self):
        pool = _loans[self.creditor]
        if not pool:
            return
        loan_id = pool.pop()
        self.api_get(f"/api/v1/creditor/loans/{loan_id}/", "/loans/<id>/")
        headers = {**self.auth, "Idempotency-Key": f"confirm-{loan_id}"}
        url = f"/api/v1/creditor/loans/{loan_id}/confirm/"
        attempts = 2 if random.random() < 0.25 else 1  # a retry must answer 200, book nothing
        for attempt in range(attempts):
            with self.client.post(url, headers=headers, name="[api] POST /loans/<id>/confirm/",
                                  catch_response=True) as response:  # fmt: skip
                expect(response, 201 if attempt == 0 else 200)
            if response.status_code == RATE_LIMITED:
                break  # not booked: a retry would not be the retry of a booking


class Provider(FastHttpUser):
    """The payment provider: single payments with Idempotency-Keys, some retried (200, the
    same booking), some by IIN only, and batch files of 20 through /payments/batch/."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def post_payment(self, body: dict, key: str, expected: int, label: str):
        headers = {"X-Api-Key": SEED["provider_key"], "Idempotency-Key": key}
        with self.client.post("/api/v1/payments/", json=body, headers=headers,
                              name=f"[api] POST /payments/ ({label})",
                              catch_response=True) as response:  # fmt: skip
            expect(response, expected)
        return response

    @task(5)
    def single(self):
        who = random.choice(SEED["borrowers"])
        key = f"prov-{uuid.uuid4()}"
        body = pay_body(who["reference"], who["monthly_tiyn"] // 2)
        first = self.post_payment(body, key, 201, "single")
        if first.status_code != RATE_LIMITED and random.random() < 0.3:
            self.post_payment(body, key, 200, "retry")

    @task(1)
    def by_iin(self):
        who = random.choice(SEED["borrowers"])
        body = {"amount_tiyn": 10_000_00, "paid_at": datetime.now(UTC).isoformat(),
                "payer_iin": who["iin"]}  # fmt: skip
        self.post_payment(body, f"prov-{uuid.uuid4()}", 201, "by IIN")

    @task(1)
    def batch(self):
        """A provider's file of 20 payments in one request (booked all or nothing), retried
        once in a while: the retry answers 200 and books nothing."""
        items = [
            {"idempotency_key": f"batch-{uuid.uuid4()}", **pay_body(who["reference"],
                                                                   who["monthly_tiyn"] // 3)}
            for who in random.sample(SEED["borrowers"], 20)
        ]  # fmt: skip
        headers = {"X-Api-Key": SEED["provider_key"]}
        attempts = 2 if random.random() < 0.3 else 1
        for attempt in range(attempts):
            with self.client.post("/api/v1/payments/batch/", json={"payments": items},
                                  headers=headers, name="[api] POST /payments/batch/ (20)",
                                  catch_response=True) as response:  # fmt: skip
                expect(response, 201 if attempt == 0 else 200)
            if response.status_code == RATE_LIMITED:
                break
