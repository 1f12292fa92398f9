"""The simulated outside world for anyone: a deterministic profile for every valid IIN the demo
data and the test controls do not name, so a newcomer can register, identify and apply on
`bin/dev` without touching the simulator's control endpoints.

The rule (documented in the README, "Trying it as a newcomer"): the IIN's four serial digits
(positions 8–11) decide.

    serial 9901  the credit bureau never answers in time (timeout)
    serial 9902  the credit bureau answers with a malformed report
    serial 9903  unknown person: bureau, government data and identity answer 404
    serial 9904  the credit bureau is down (HTTP 503)
    serial 9911  not eligible: only one creditor
    serial 9912  not eligible: the total debt is over the cap
    serial 9913  not eligible: a bankruptcy procedure is under way
    serial 9914  not eligible: a solvency-restoration procedure is under way
    serial 9915  not eligible: took part in a procedure that was signed before
    any other    eligible: 2 to 6 overdue consumer loans (2 + serial mod 5), each at a different
                 demo creditor, about 150 000–900 000 ₸ each; for the debt burden: each
                 loan's monthly payment and longest delay in the last 12 months, a
                 restructuring that barely lowered the debt (serial mod 7 = 3), payments
                 to a gambling operator (serial mod 11 = 5), an official income

The mobile operator confirms any phone for such a person (not for the unknown person); the
identity services know them too — a name (`full_name`, for the two-factor data check) and a
face on the state record, so biometrics with the liveness challenge answer as for a demo
person. Pure data, no Django.
"""

from __future__ import annotations

import hashlib
from datetime import date

from bureau_gateway.simulator import demo_data
from finplatform.kzid import control_digit

TIMEOUT, MALFORMED, UNKNOWN, DOWN = 9901, 9902, 9903, 9904
ONE_CREDITOR, OVER_CAP, BANKRUPTCY, SOLVENCY, PREVIOUS = 9911, 9912, 9913, 9914, 9915
FAILURES = {TIMEOUT: "slow", MALFORMED: "malformed", DOWN: "down"}
RULES = {
    TIMEOUT: "the bureau times out",
    MALFORMED: "the bureau answers a malformed report",
    UNKNOWN: "unknown person",
    DOWN: "the bureau is down",
    ONE_CREDITOR: "not eligible: one creditor",
    OVER_CAP: "not eligible: total over the cap",
    BANKRUPTCY: "not eligible: bankruptcy",
    SOLVENCY: "not eligible: solvency restoration",
    PREVIOUS: "not eligible: a procedure signed before",
}
CREDITOR_KEYS = ["alem", "dala", "sapa", "tez", "orda", "jyl"]


def is_valid_iin(iin: str) -> bool:
    if len(iin) != 12 or not iin.isdigit() or iin[6] not in "123456":
        return False
    return control_digit(iin[:11]) == int(iin[11])


def serial(iin: str) -> int:
    return int(iin[7:11])


def failure_mode(iin: str) -> str | None:
    """The bureau fault this IIN always meets ("slow", "malformed", "down"), if any."""
    return FAILURES.get(serial(iin)) if is_valid_iin(iin) else None


def knows(iin: str) -> bool:
    """Whether the open world has a person with this IIN (every valid one but serial 9903)."""
    return is_valid_iin(iin) and serial(iin) != UNKNOWN


FIRST_NAMES = ["Айгерим", "Ержан", "Динара", "Нурлан", "Асель", "Бауыржан", "Жанар", "Тимур"]
SURNAMES = ["Сейткали", "Нургали", "Абен", "Касым", "Жумабай", "Ахмет"]


def full_name(iin: str) -> str:
    """The name the state data holds for a person of the open world ('' if unknown)."""
    if not knows(iin):
        return ""
    return f"{SURNAMES[_amount(iin, 90, 0, 6)]} {FIRST_NAMES[_amount(iin, 91, 0, 8)]}"


def _amount(iin: str, index: int, low: int, high: int) -> int:
    digest = hashlib.sha256(f"{iin}:{index}".encode()).digest()
    return low + int.from_bytes(digest[:4]) % (high - low)


def _loan(iin: str, index: int, creditor: str, *, principal: int) -> dict:
    overdue_days = _amount(iin, index + 30, 35, 400)
    # One in seven people restructured their first loan in 2025, and six months later the
    # debt was down by under 5% (a sign of a fictitious restructuring).
    restructured = index == 0 and serial(iin) % 7 == 3
    return demo_data._loan(
        creditor, f"OW-{iin[-6:]}-{index}",
        principal=principal,
        interest=_amount(iin, index + 10, 5_000, 60_000),
        penalty=_amount(iin, index + 20, 0, 12_000),
        overdue_days=overdue_days,
        opened=date(2023, 1 + index, 10),
        max_overdue_12m=min(365, max(overdue_days, _amount(iin, index + 40, 0, 120))),
        restructurings=[(date(2025, 12, 15), principal, principal * 98 // 100)]
        if restructured else [],
    )  # fmt: skip


def official_income(iin: str) -> dict:
    """The official income the government data hold for a person of the open world: a
    monthly average of 40 000–450 000 ₸ (some below the subsistence minimum), 6 months."""
    return {"average_monthly_tiyn": _amount(iin, 95, 40_000, 450_000) * 100,
            "months_with_income": 6}  # fmt: skip


def _gambling(iin: str) -> list:
    """One in eleven people paid a gambling operator 7 times, 350 000 ₸ in all, in 2026."""
    if serial(iin) % 11 != 5:
        return []
    return [(date(2026, month, 12), 50_000) for month in range(4, 11)]


def spec_for(iin: str) -> dict | None:
    """The person with this IIN, in demo_data's shape, or None for an unknown person."""
    if not knows(iin):
        return None
    number = serial(iin)
    count = 1 if number == ONE_CREDITOR else 2 + number % 5
    loans = [
        _loan(iin, i, CREDITOR_KEYS[i], principal=_amount(iin, i, 150_000, 900_000))
        for i in range(count)
    ]
    if number == OVER_CAP:
        loans[0]["principal_tiyn"] = 7_500_000 * 100
    return {
        "iin": iin,
        "full_name": full_name(iin),
        "loans": loans,
        "bankruptcy": number == BANKRUPTCY,
        "solvency_restoration": number == SOLVENCY,
        "previous_signed": number == PREVIOUS,
        "gambling_payments": _gambling(iin),
    }


def report_for(iin: str) -> dict | None:
    spec = spec_for(iin)
    return demo_data.bureau_report(spec) if spec is not None else None
