"""Reading the outside systems' answers against their contracts: a field of the wrong type, an
unknown loan or creditor kind, a malformed figure raise MalformedResponse, so nothing
half-read is ever written. Pure functions, no I/O."""

from __future__ import annotations

from datetime import date, datetime

from bureau_gateway.interfaces import (
    BureauLoan,
    CreditReport,
    GamblingPayment,
    MalformedResponse,
    PenaltyCharge,
    Restructuring,
)

LOAN_KINDS = {"consumer", "car", "mortgage", "business"}
CREDITOR_KINDS = {"bank", "mfo", "collector"}


def field(obj: dict, name: str, kind, *, optional: bool = False):
    if not isinstance(obj, dict):
        raise MalformedResponse(f"expected an object around {name!r}")
    value = obj.get(name)
    if value is None and optional:
        return None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise MalformedResponse(f"{name!r} must be a non-negative integer, got {value!r}")
    if kind is bool and not isinstance(value, bool):
        raise MalformedResponse(f"{name!r} must be true or false, got {value!r}")
    if kind is str and (not isinstance(value, str) or not value):
        raise MalformedResponse(f"{name!r} must be a non-empty string, got {value!r}")
    if kind is datetime:  # before `date`: a datetime is a date too
        try:
            return datetime.fromisoformat(field(obj, name, str))
        except ValueError:
            raise MalformedResponse(f"{name!r} is not an ISO timestamp") from None
    if kind is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise MalformedResponse(f"{name!r} must be an ISO date, got {value!r}") from None
    return value


def _organisation(obj) -> tuple[str, str, str]:
    bin_ = field(obj, "bin", str)
    kind = field(obj, "kind", str)
    if len(bin_) != 12 or not bin_.isdigit():
        raise MalformedResponse(f"creditor BIN {bin_!r} is not 12 digits")
    if kind not in CREDITOR_KINDS:
        raise MalformedResponse(f"creditor kind {kind!r} is unknown")
    return bin_, field(obj, "name", str), kind


def _penalty_charges(raw) -> tuple[PenaltyCharge, ...]:
    """The optional list of penalties charged per instalment (absent in older reports)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MalformedResponse("'penalty_charges' must be a list")
    return tuple(
        PenaltyCharge(
            due_on=field(item, "due_on", date),
            paid_on=field(item, "paid_on", date, optional=True),
            amount_tiyn=field(item, "amount_tiyn", int),
        )
        for item in raw
    )


def _restructurings(raw) -> tuple[Restructuring, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MalformedResponse("'restructurings' must be a list")
    return tuple(
        Restructuring(
            on=field(item, "on", date),
            debt_tiyn=field(item, "debt_tiyn", int),
            debt_after_6_months_tiyn=field(item, "debt_after_6_months_tiyn", int, optional=True),
        )
        for item in raw
    )


def _gambling(raw) -> tuple[GamblingPayment, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise MalformedResponse("'gambling_payments' must be a list")
    return tuple(
        GamblingPayment(on=field(i, "on", date), amount_tiyn=field(i, "amount_tiyn", int))
        for i in raw
    )


def parse_credit_report(data: dict, *, iin: str) -> CreditReport:
    """The bureau's JSON → CreditReport, refusing anything off-contract (MalformedResponse)."""
    if data.get("iin") != iin:
        raise MalformedResponse("the report is about another IIN")
    subject = data.get("subject") or {}
    loans_raw = data.get("loans")
    if not isinstance(loans_raw, list):
        raise MalformedResponse("'loans' must be a list")
    loans = []
    for raw in loans_raw:
        creditor_bin, creditor_name, creditor_kind = _organisation(raw.get("creditor"))
        original = raw.get("original_creditor")
        original_bin = original_name = original_kind = None
        if original is not None:
            original_bin, original_name, original_kind = _organisation(original)
        kind = field(raw, "kind", str)
        if kind not in LOAN_KINDS:
            raise MalformedResponse(f"loan kind {kind!r} is unknown")
        loans.append(
            BureauLoan(
                bureau_reference=field(raw, "bureau_reference", str),
                creditor_bin=creditor_bin,
                creditor_name=creditor_name,
                creditor_kind=creditor_kind,
                original_creditor_bin=original_bin,
                original_creditor_name=original_name,
                original_creditor_kind=original_kind,
                contract_number=field(raw, "contract_number", str),
                kind=kind,
                secured=field(raw, "secured", bool),
                principal_tiyn=field(raw, "principal_tiyn", int),
                interest_tiyn=field(raw, "interest_tiyn", int),
                penalty_tiyn=field(raw, "penalty_tiyn", int),
                overdue_days=field(raw, "overdue_days", int),
                opened_on=field(raw, "opened_on", date),
                closed_on=field(raw, "closed_on", date, optional=True),
                interest_after_day_90_tiyn=field(
                    raw, "interest_after_day_90_tiyn", int, optional=True
                )
                or 0,
                penalty_after_day_90_tiyn=field(
                    raw, "penalty_after_day_90_tiyn", int, optional=True
                )
                or 0,
                penalty_charges=_penalty_charges(raw.get("penalty_charges")),
                monthly_payment_tiyn=field(raw, "monthly_payment_tiyn", int, optional=True),
                overdue_payments_tiyn=field(raw, "overdue_payments_tiyn", int, optional=True),
                max_overdue_days_12m=field(raw, "max_overdue_days_12m", int, optional=True),
                restructurings=_restructurings(raw.get("restructurings")),
            )
        )
    return CreditReport(
        iin=iin,
        report_id=field(data, "report_id", str),
        generated_at=field(data, "generated_at", datetime),
        loans=tuple(loans),
        bankruptcy_in_progress=field(subject, "bankruptcy_in_progress", bool),
        solvency_restoration_in_progress=field(subject, "solvency_restoration_in_progress", bool),
        previous_procedure_signed=field(subject, "previous_procedure_signed", bool),
        gambling_payments=_gambling(data.get("gambling_payments")),
        raw=data,
    )
