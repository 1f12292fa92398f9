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
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from bureau_gateway.interfaces import (
    BureauUnavailable,
    CreditReport,
    IdentityResult,
    LivenessChallenge,
    MalformedResponse,
    OfficialIncomeAnswer,
    PersonRecord,
    ServiceUnavailable,
    SocialStatusAnswer,
    SubjectUnknown,
)
from bureau_gateway.models import BureauExchange, subject_hash
from bureau_gateway.parsing import field as _field
from bureau_gateway.parsing import parse_credit_report


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

    def correct_credit_history(
        self, *, iin: str, bureau_reference: str, creditor_bin: str, case_reference: str,
        court_decision_number: str, court_decision_date: date, request_id: str,
    ) -> str:  # fmt: skip
        data = self.call(
            "POST",
            "/corrections",
            subject=iin,
            json_body={
                "request_id": request_id,
                "iin": iin,
                "bureau_reference": bureau_reference,
                "creditor_bin": creditor_bin,
                "case_reference": case_reference,
                "reason": "fraud",
                "court_decision_number": court_decision_number,
                "court_decision_date": court_decision_date.isoformat(),
            },
        )
        return _field(data, "correction_id", str)


class HttpGovernmentData(HttpService):
    service = "government"
    url_setting = "GOVERNMENT_URL"

    def person(self, iin: str) -> PersonRecord:
        data = self.call("GET", f"/persons/{iin}", subject=iin)
        if data.get("iin") != iin:
            raise MalformedResponse("the register answered about another IIN")
        return PersonRecord(
            iin=iin,
            full_name=_legal_name(_field(data, "full_name", str)),
            source=_field(data, "source", str),
            checked_at=_field(data, "checked_at", datetime),
        )

    def social_status(self, iin: str) -> SocialStatusAnswer:
        data = self.call("GET", f"/social-status/{iin}", subject=iin)
        return SocialStatusAnswer(
            iin=iin,
            vulnerable=_field(data, "vulnerable", bool),
            receives_asp=_field(data, "receives_asp", bool),
            source=_field(data, "source", str),
            checked_at=_field(data, "checked_at", datetime),
        )

    def official_income(self, iin: str) -> OfficialIncomeAnswer:
        data = self.call("GET", f"/income/{iin}", subject=iin)
        return OfficialIncomeAnswer(
            iin=iin,
            average_monthly_tiyn=_field(data, "average_monthly_tiyn", int),
            months_with_income=_field(data, "months_with_income", int),
            source=_field(data, "source", str),
            checked_at=_field(data, "checked_at", datetime),
        )


def _legal_name(value: str) -> str:
    """A name from an identity source, whitespace tidied; one that is blank, too long for
    the borrower's record or carries control characters is off-contract."""
    name = " ".join(value.split())
    if not name or len(name) > 200 or not name.isprintable():
        raise MalformedResponse("the person's name is not a printable name")
    return name


def certificate_iin(cert: x509.Certificate) -> str:
    """The IIN of a Kazakh EDS certificate: the subject's serialNumber "IIN<12 digits>"."""
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = str(values[0].value) if values else ""
    return value[3:] if value.startswith("IIN") and len(value) == 15 else ""


class HttpIdentityProvider(HttpService):
    service = "identity"
    url_setting = "IDENTITY_URL"

    def phone_belongs_to(self, *, iin: str, phone: str) -> bool:
        data = self.call("GET", "/phone-owner", subject=iin, params={"iin": iin, "phone": phone})
        return _field(data, "match", bool)

    def start_liveness(self, *, iin: str) -> LivenessChallenge:
        data = self.call("POST", "/liveness-challenges", subject=iin, json_body={"iin": iin})
        movements = data.get("movements")
        if not isinstance(movements, list) or not all(isinstance(m, str) for m in movements):
            raise MalformedResponse("'movements' is not a list of strings")
        return LivenessChallenge(
            challenge_id=_field(data, "challenge_id", str),
            nonce=_field(data, "nonce", str),
            movements=tuple(movements),
        )

    def _face(self, endpoint: str, method: str, body: dict) -> IdentityResult:
        data = self.call("POST", endpoint, subject=body["iin"], json_body=body)
        liveness = _field(data, "liveness", bool)
        verified = _field(data, "verified", bool) and liveness and _field(data, "image_match", bool)
        if method == "two_factor":
            verified = verified and _field(data, "data_match", bool)
        # the record's name is taken only with a match (none given: the caller asks the
        # state register)
        name = _field(data, "full_name", str) if verified and data.get("full_name") else ""
        return IdentityResult(verified=verified, method=method, liveness=liveness,
                              reason=str(data.get("reason") or ""),
                              reference=str(data.get("reference") or ""),
                              full_name=_legal_name(name) if name else "")  # fmt: skip

    def verify_biometrics(self, *, iin, selfie_token, challenge_id, challenge_answer):
        return self._face("/biometric", "biometric", {
            "iin": iin, "selfie_token": selfie_token, "challenge_id": challenge_id,
            "challenge_answer": challenge_answer,
        })  # fmt: skip

    def verify_person(self, *, iin, full_name, selfie_token, challenge_id, challenge_answer):
        return self._face("/person-check", "two_factor", {
            "iin": iin, "full_name": full_name, "selfie_token": selfie_token,
            "challenge_id": challenge_id, "challenge_answer": challenge_answer,
        })  # fmt: skip

    def verify_eds(self, *, iin, challenge, signature, certificate):
        """The service checks the chain, validity and signature; the IIN is then read from the
        certificate here too, and must be the borrower's in both readings."""
        data = self.call("POST", "/eds", subject=iin, json_body={
            "certificate": certificate, "challenge": challenge, "signature": signature,
        })  # fmt: skip
        try:
            own_reading = certificate_iin(x509.load_pem_x509_certificate(certificate.encode()))
        except ValueError:
            own_reading = ""
        said = str(data.get("iin") or "")  # none when the certificate is not trusted
        verified = _field(data, "verified", bool) and said == own_reading == iin
        reason = str(data.get("reason") or "") or ("" if verified else "certificate_not_yours")
        return IdentityResult(verified=verified, method="eds", reason=reason, subject_iin=said,
                              reference=str(data.get("reference") or ""))  # fmt: skip

    def verify_document_signature(self, *, iin, signed_payload, signature):
        data = self.call("POST", "/eds/documents", subject=iin, json_body={
            "iin": iin, "signed_payload": signed_payload, "signature": signature,
        })  # fmt: skip
        return IdentityResult(verified=_field(data, "verified", bool), method="eds",
                              reason=str(data.get("reason") or ""))  # fmt: skip


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
