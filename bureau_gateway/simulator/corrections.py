"""The bureau's credit-history corrections in the simulator: a court found a loan was taken
out in someone's name by another person, and the bureau corrects that person's history. One
correction per `request_id`: a repeated request (a retry after a lost answer) gets the first
correction back and changes nothing, as a real bureau's idempotent API would."""

from __future__ import annotations

REQUIRED = ("request_id", "iin", "bureau_reference", "creditor_bin", "case_reference",
            "court_decision_number", "court_decision_date")  # fmt: skip


def correct(corrections: dict[str, dict], body: dict, now: str) -> tuple[int, dict]:
    """(HTTP status, answer) for POST /bureau/corrections; the caller holds the world lock."""
    missing = [k for k in REQUIRED if not isinstance(body.get(k), str) or not body.get(k)]
    if missing:
        return 400, {"error": "invalid correction request", "missing": missing}
    existing = corrections.get(body["request_id"])
    if existing is not None:
        return 200, {"correction_id": existing["correction_id"], "repeated": True}
    record = {k: body[k] for k in REQUIRED} | {
        "reason": body.get("reason", "fraud"), "received_at": now,
        "correction_id": f"COR-{len(corrections) + 1:06d}",
    }  # fmt: skip
    corrections[body["request_id"]] = record
    return 201, {"correction_id": record["correction_id"], "repeated": False}


def received(corrections: dict[str, dict], iin: str | None) -> list[dict]:
    """GET /_control/bureau/corrections?iin=: the corrections the bureau made."""
    return [c for c in corrections.values() if iin is None or c["iin"] == iin]
