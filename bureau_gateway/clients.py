"""HTTP clients for the outside systems. The same clients talk to the simulators in dev/test
and to the real services in production; only the base URLs in settings differ.

Every call:
- has a timeout (settings.ADAPTER_TIMEOUT_SECONDS);
- is retried on connection errors, timeouts and 5xx answers, with exponential backoff
  (settings.ADAPTER_RETRIES, ADAPTER_RETRY_BACKOFF_SECONDS), then raises the service's
  "unavailable" error (BureauUnavailable for the bureau) so a task can retry later;
- maps 404 to SubjectUnknown and an answer that breaks the contract to MalformedResponse;
- is written to BureauExchange (request time, status, body, duration) — every attempt,
  including the failed ones.
"""

from __future__ import annotations

import time
from datetime import date, datetime

import requests
from django.conf import settings
from django.utils import timezone

from bureau_gateway.interfaces import (
    AdapterError,
    BureauLoan,
    BureauUnavailable,
    CreditReport,
    IdentityResult,
    MalformedResponse,
    PenaltyCharge,
    ServiceUnavailable,
    SocialStatusAnswer,
    SubjectUnknown,
)
from bureau_gateway.models import BureauExchange, subject_hash

LOAN_KINDS = {"consumer", "car", "mortgage", "business"}
CREDITOR_KINDS = {"bank", "mfo", "collector"}


class HttpService:
    service = "service"
    unavailable_error: type[ServiceUnavailable] = ServiceUnavailable
    url_setting = "SIMULATOR_URL"
    redact_keys: tuple[str, ...] = ()  # body keys the audit log must not keep in clear

    def _redact(self, value):
        if isinstance(value, dict) and self.redact_keys:
            return {k: ("***" if k in self.redact_keys else v) for k, v in value.items()}
        return value

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = (base_url or getattr(settings, self.url_setting)).rstrip("/")
        self.timeout = settings.ADAPTER_TIMEOUT_SECONDS if timeout is None else timeout
        self.retries = settings.ADAPTER_RETRIES if retries is None else retries
        self.backoff = settings.ADAPTER_RETRY_BACKOFF_SECONDS if backoff is None else backoff
        self.session = session or requests.Session()

    def _record(
        self, *, method, path, subject, request_body, requested_at, started, response=None, error=""
    ):
        body, raw = None, ""
        if response is not None:
            try:
                body = response.json()
            except ValueError:
                raw = response.text[:20_000]
        BureauExchange.objects.create(
            service=self.service,
            method=method,
            endpoint=path[:300],
            subject_hash=subject_hash(subject) if subject else "",
            request_body=self._redact(request_body),
            status=response.status_code if response is not None else None,
            body=self._redact(body),
            raw_body=raw,
            error=error[:300],
            requested_at=requested_at,
            duration_ms=int((time.monotonic() - started) * 1000),
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        subject: str = "",
        params: dict | None = None,
        json_body: dict | None = None,
    ) -> dict:
        """One logical call with retries; returns the JSON object of a 2xx answer."""
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            requested_at, started = timezone.now(), time.monotonic()
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json_body,
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                self._record(
                    method=method,
                    path=path,
                    subject=subject,
                    request_body=json_body,
                    requested_at=requested_at,
                    started=started,
                    error=last_problem,
                )
                continue
            self._record(
                method=method,
                path=path,
                subject=subject,
                request_body=json_body,
                requested_at=requested_at,
                started=started,
                response=response,
            )
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}"
                continue
            if response.status_code == 404:
                raise SubjectUnknown(f"{self.service}: no record ({path})")
            if response.status_code >= 400:
                raise MalformedResponse(f"{self.service}: refused with HTTP {response.status_code}")
            try:
                data = response.json()
            except ValueError:
                raise MalformedResponse(f"{self.service}: the answer is not JSON") from None
            if not isinstance(data, dict):
                raise MalformedResponse(f"{self.service}: the answer is not a JSON object")
            return data
        raise self.unavailable_error(
            f"{self.service} unavailable after {self.retries + 1} attempts ({last_problem})"
        )


# --- strict parsing of the bureau's report ---


def _field(obj: dict, name: str, kind, *, optional: bool = False):
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
    if kind is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise MalformedResponse(f"{name!r} must be an ISO date, got {value!r}") from None
    return value


def _organisation(obj) -> tuple[str, str, str]:
    bin_ = _field(obj, "bin", str)
    kind = _field(obj, "kind", str)
    if len(bin_) != 12 or not bin_.isdigit():
        raise MalformedResponse(f"creditor BIN {bin_!r} is not 12 digits")
    if kind not in CREDITOR_KINDS:
        raise MalformedResponse(f"creditor kind {kind!r} is unknown")
    return bin_, _field(obj, "name", str), kind


def _penalty_charges(raw) -> tuple[PenaltyCharge, ...]:
    """The optional list of penalties charged per instalment (absent in older reports)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MalformedResponse("'penalty_charges' must be a list")
    return tuple(
        PenaltyCharge(
            due_on=_field(item, "due_on", date),
            paid_on=_field(item, "paid_on", date, optional=True),
            amount_tiyn=_field(item, "amount_tiyn", int),
        )
        for item in raw
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
        kind = _field(raw, "kind", str)
        if kind not in LOAN_KINDS:
            raise MalformedResponse(f"loan kind {kind!r} is unknown")
        loans.append(
            BureauLoan(
                bureau_reference=_field(raw, "bureau_reference", str),
                creditor_bin=creditor_bin,
                creditor_name=creditor_name,
                creditor_kind=creditor_kind,
                original_creditor_bin=original_bin,
                original_creditor_name=original_name,
                original_creditor_kind=original_kind,
                contract_number=_field(raw, "contract_number", str),
                kind=kind,
                secured=_field(raw, "secured", bool),
                principal_tiyn=_field(raw, "principal_tiyn", int),
                interest_tiyn=_field(raw, "interest_tiyn", int),
                penalty_tiyn=_field(raw, "penalty_tiyn", int),
                overdue_days=_field(raw, "overdue_days", int),
                opened_on=_field(raw, "opened_on", date),
                closed_on=_field(raw, "closed_on", date, optional=True),
                interest_after_day_90_tiyn=_field(
                    raw, "interest_after_day_90_tiyn", int, optional=True
                )
                or 0,
                penalty_after_day_90_tiyn=_field(
                    raw, "penalty_after_day_90_tiyn", int, optional=True
                )
                or 0,
                penalty_charges=_penalty_charges(raw.get("penalty_charges")),
            )
        )
    try:
        generated_at = datetime.fromisoformat(_field(data, "generated_at", str))
    except ValueError:
        raise MalformedResponse("'generated_at' is not an ISO timestamp") from None
    return CreditReport(
        iin=iin,
        report_id=_field(data, "report_id", str),
        generated_at=generated_at,
        loans=tuple(loans),
        bankruptcy_in_progress=_field(subject, "bankruptcy_in_progress", bool),
        solvency_restoration_in_progress=_field(subject, "solvency_restoration_in_progress", bool),
        previous_procedure_signed=_field(subject, "previous_procedure_signed", bool),
        raw=data,
    )


class HttpCreditBureau(HttpService):
    service = "bureau"
    unavailable_error = BureauUnavailable
    url_setting = "BUREAU_URL"

    def fetch_report(self, iin: str) -> CreditReport:
        data = self.call("GET", f"/reports/{iin}", subject=iin)
        try:
            return parse_credit_report(data, iin=iin)
        except AttributeError:  # a loan or organisation that is not an object
            raise MalformedResponse("the report's structure is not as agreed") from None

    def _procedure(
        self, event: str, *, iin, bureau_reference, creditor_bin, case_reference, on, **extra
    ):
        self.call(
            "POST",
            "/procedures",
            subject=iin,
            json_body={
                "event": event,
                "iin": iin,
                "bureau_reference": bureau_reference,
                "creditor_bin": creditor_bin,
                "case_reference": case_reference,
                "on": on.isoformat(),
                **extra,
            },
        )

    def report_procedure_started(
        self, *, iin: str, bureau_reference: str, creditor_bin: str, case_reference: str, on: date
    ) -> None:
        self._procedure(
            "started",
            iin=iin,
            bureau_reference=bureau_reference,
            creditor_bin=creditor_bin,
            case_reference=case_reference,
            on=on,
        )

    def report_procedure_completed(
        self, *, iin: str, bureau_reference: str, creditor_bin: str, case_reference: str, on: date
    ) -> None:
        self._procedure(
            "completed",
            iin=iin,
            bureau_reference=bureau_reference,
            creditor_bin=creditor_bin,
            case_reference=case_reference,
            on=on,
        )

    def report_procedure_ended(
        self, *, iin: str, bureau_reference: str, creditor_bin: str, case_reference: str,
        on: date, reason: str,
    ) -> None:  # fmt: skip
        self._procedure(
            "ended",
            iin=iin,
            bureau_reference=bureau_reference,
            creditor_bin=creditor_bin,
            case_reference=case_reference,
            on=on,
            reason=reason,
        )


class HttpGovernmentData(HttpService):
    service = "government"
    url_setting = "GOVERNMENT_URL"

    def social_status(self, iin: str) -> SocialStatusAnswer:
        data = self.call("GET", f"/social-status/{iin}", subject=iin)
        try:
            checked_at = datetime.fromisoformat(_field(data, "checked_at", str))
        except ValueError:
            raise MalformedResponse("'checked_at' is not an ISO timestamp") from None
        return SocialStatusAnswer(
            iin=iin,
            vulnerable=_field(data, "vulnerable", bool),
            receives_asp=_field(data, "receives_asp", bool),
            source=_field(data, "source", str),
            checked_at=checked_at,
        )


class HttpIdentityProvider(HttpService):
    service = "identity"
    url_setting = "IDENTITY_URL"

    def phone_belongs_to(self, *, iin: str, phone: str) -> bool:
        data = self.call("GET", "/phone-owner", subject=iin, params={"iin": iin, "phone": phone})
        return _field(data, "match", bool)

    def verify_biometrics(self, *, iin: str, selfie_token: str) -> IdentityResult:
        data = self.call(
            "POST", "/biometric", subject=iin, json_body={"iin": iin, "selfie_token": selfie_token}
        )
        liveness = _field(data, "liveness", bool)
        verified = _field(data, "verified", bool) and liveness
        return IdentityResult(
            verified=verified,
            method="biometric",
            reason=str(data.get("reason") or ""),
            liveness=liveness,
        )

    def verify_eds(self, *, iin: str, signed_payload: str, signature: str) -> IdentityResult:
        data = self.call(
            "POST",
            "/eds",
            subject=iin,
            json_body={"iin": iin, "signed_payload": signed_payload, "signature": signature},
        )
        return IdentityResult(
            verified=_field(data, "verified", bool),
            method="eds",
            reason=str(data.get("reason") or ""),
        )


class HttpSmsGateway(HttpService):
    service = "sms"
    url_setting = "SMS_URL"
    redact_keys = ("text",)

    def send(self, *, phone: str, text: str, dedup_key: str) -> str:
        # The message text carries a one-time code: the audit keeps that it was sent, not
        # the code itself.
        data = self.call(
            "POST",
            "/messages",
            subject=phone,
            json_body={"phone": phone, "text": text, "dedup_key": dedup_key},
        )
        return _field(data, "id", str)


__all__ = [
    "AdapterError",
    "HttpCreditBureau",
    "HttpGovernmentData",
    "HttpIdentityProvider",
    "HttpSmsGateway",
    "parse_credit_report",
]
