"""The outside world in tests: the simulator's control endpoints over real HTTP (the `sim`
fixture in tests/conftest.py hands out a `Simulator`), and builders for bureau reports."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from itertools import count

import requests

from bureau_gateway.simulator import demo_data
from finplatform.kzid import make_bin, make_iin

_bins = count(7000)


def new_bin() -> str:
    return make_bin(date(2012, 3, 1), serial=next(_bins))


class Simulator:
    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def _ok(self, response: requests.Response) -> dict:
        response.raise_for_status()
        return response.json()

    def put_report(self, iin: str, loans: list[dict], gambling=None, **subject) -> dict:
        body = {
            **({} if gambling is None else {"gambling_payments": gambling}),
            "subject": {
                "bankruptcy_in_progress": subject.get("bankruptcy", False),
                "solvency_restoration_in_progress": subject.get("solvency_restoration", False),
                "previous_procedure_signed": subject.get("previous_signed", False),
            },
            "loans": loans,
        }
        return self._ok(requests.put(f"{self.base}/_control/bureau/reports/{iin}", json=body))

    def fault(self, service: str, mode: str, count: int = 1) -> None:
        self._ok(
            requests.post(
                f"{self.base}/_control/faults", json={service: {"mode": mode, "count": count}}
            )
        )

    def clear_faults(self) -> None:
        for service in ("bureau", "government", "identity", "sms"):
            self.fault(service, "down", 0)

    def set_social(self, iin: str, *, vulnerable=False, asp=False) -> None:
        self._ok(
            requests.put(
                f"{self.base}/_control/government/status/{iin}",
                json={"vulnerable": vulnerable, "receives_asp": asp},
            )
        )

    def set_income(self, iin: str, monthly_tiyn: int, months: int = 6) -> None:
        """The official income the government data hold (six-month monthly average)."""
        body = {"average_monthly_tiyn": monthly_tiyn, "months_with_income": months}
        self._ok(requests.put(f"{self.base}/_control/government/income/{iin}", json=body))

    def set_phone(self, iin: str, phone: str, full_name: str = "") -> None:
        """The operator's registry (and, with full_name, the person's name in state data)."""
        body = {"phone": phone} | ({"full_name": full_name} if full_name else {})
        self._ok(requests.put(f"{self.base}/_control/identity/phones/{iin}", json=body))

    def eds_signature(self, iin: str, challenge: str) -> dict:
        """The test person's EDS signs `challenge` (dev-only helper): certificate, signature."""
        body = {"iin": iin, "challenge": challenge}
        return self._ok(requests.post(f"{self.base}/_control/identity/eds-signatures", json=body))

    def sms(self, phone: str) -> list[dict]:
        return self._ok(requests.get(f"{self.base}/_control/sms", params={"phone": phone}))[
            "messages"
        ]

    def procedures(self, iin: str) -> list[dict]:
        return self._ok(
            requests.get(f"{self.base}/_control/bureau/procedures", params={"iin": iin})
        )["procedures"]

    def corrections(self, iin: str) -> list[dict]:
        return self._ok(
            requests.get(f"{self.base}/_control/bureau/corrections", params={"iin": iin})
        )["corrections"]

    def slow(self, service: str, *, delay: float, count: int = 1) -> None:
        """The next `count` calls of `service` answer after `delay` seconds (the request is
        still handled: a client that gave up waiting does not know it went through)."""
        body = {service: {"mode": "slow", "count": count, "delay": delay}}
        self._ok(requests.post(f"{self.base}/_control/faults", json=body))


def org(kind: str = "bank", bin: str | None = None, name: str | None = None) -> dict:
    bin = bin or new_bin()
    return {"bin": bin, "name": name or f"{kind.upper()} {bin}", "kind": kind}


def loan(
    creditor: dict,
    *,
    kind="consumer",
    secured=False,
    principal=100_000_00,
    interest=5_000_00,
    penalty=1_000_00,
    overdue_days=60,
    closed_on=None,
    original=None,
    contract=None,
) -> dict:
    return {
        "creditor": creditor,
        "original_creditor": original,
        "contract_number": contract or f"C-{creditor['bin'][-5:]}-{next(_bins)}",
        "kind": kind,
        "secured": secured,
        "principal_tiyn": principal,
        "interest_tiyn": interest,
        "penalty_tiyn": penalty,
        "overdue_days": overdue_days,
        "opened_on": "2023-05-01",
        "closed_on": closed_on,
    }


def wait_for_check(case_id, timeout: float = 45.0):
    """Poll until the case left the check (or the check recorded an error)."""
    from resolution.models import Case, CaseStatus, CheckState, EligibilityCheck

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case = Case.objects.get(pk=case_id)
        if case.status not in (CaseStatus.SUBMITTED, CaseStatus.CHECKING):
            return case
        check = EligibilityCheck.objects.filter(case_id=case_id).first()
        if check is not None and check.state == CheckState.ERROR:
            return case
        time.sleep(0.1)
    raise AssertionError(f"the eligibility check of {case_id} did not finish in {timeout}s")


def open_world_iin(serial: int, *, year: int = 1990) -> str:
    """A valid IIN with exactly these serial digits (the open world's rule, README "Trying it
    as a newcomer"): make_iin skips serials without a control digit, so walk the birth dates
    until one has it. Dates are spread by year, so tests asking different years differ."""
    born = date(year, 1, 1)
    while True:
        iin = make_iin(born, serial=serial)
        if int(iin[7:11]) == serial:
            return iin
        born += timedelta(days=1)


def random_open_world_iin() -> str:
    """A brand-new random valid IIN in no demo data, whose profile is eligible."""
    demo = {b["iin"] for b in demo_data.BORROWERS}
    while True:
        born = date(1960, 1, 1) + timedelta(days=random.randrange(15000))
        iin = make_iin(born, female=random.random() < 0.5, serial=random.randrange(1, 9800))
        if iin not in demo and int(iin[7:11]) < 9900:
            return iin
