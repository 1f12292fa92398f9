"""The outside world as one small HTTP service (no Django settings or DB; EDS crypto via
`cryptography`, see identity.py).

Services, each under its own prefix, speaking the same JSON the real ones would:

    GET  /health
    GET  /bureau/reports/<iin>               credit report; unknown IIN → 404
    POST /bureau/procedures                  {"event": "started"|"completed"|"ended", "iin", ...}
                                             ("ended" carries "reason": "breached" or "terminated")
    POST /bureau/corrections                 correct a credit history after a court decision
                                             (fraud); one per "request_id" (corrections.py)
    GET  /government/persons/<iin>           the register's legal name (government.py)
    GET  /government/social-status/<iin>     {"vulnerable", "receives_asp", ...}; unknown → 404
    GET  /government/income/<iin>            official income, six months (government.py)
    GET  /identity/phone-owner?iin=&phone=   {"match": bool} (the mobile operator's answer)
    POST /identity/liveness-challenges       {"iin"} → {"challenge_id", "nonce", "movements"}
    POST /identity/biometric                 {"iin", "selfie_token", "challenge_id",
                                              "challenge_answer"} → {"verified", "liveness",
                                              "full_name" (the record's, only when verified)}
    POST /identity/person-check              the same + "full_name" → {"data_match",
                                              "image_match", "liveness", "verified", ...}
    POST /identity/eds                       {"certificate", "challenge", "signature"} →
                                             {"verified", "iin" (the certificate's)}
    POST /identity/eds/documents             {"iin", "signed_payload", "signature"}: package
                                             signing (simplified: sha256 of "iin:payload")
    POST /sms/messages                       {"phone", "text", "dedup_key"} → {"id"}
    GET  /sms/messages?phone=                the gateway's log of sent messages (the dev
                                             inbox reads it, as a provider's report API)

Test control (never exposed by a real service):

    PUT  /_control/bureau/reports/<iin>      register a report (same JSON as served)
    GET  /_control/bureau/procedures?iin=    procedure reports received
    GET  /_control/bureau/corrections?iin=   credit-history corrections made
    PUT  /_control/government/status/<iin>   {"vulnerable": bool, "receives_asp": bool}
    PUT  /_control/government/income/<iin>   {"average_monthly_tiyn", "months_with_income"}
    PUT  /_control/identity/phones/<iin>     {"phone": "+7...", "full_name"?} the operator's
                                             registry (and the person's name in state data)
    POST /_control/identity/eds-signatures   {"iin", "challenge"} → {"certificate",
                                             "signature"}: DEV-ONLY helper, the test person's
                                             EDS key signs (stands in for NCALayer)
    GET  /_control/sms?phone=                the SMS outbox
    POST /_control/faults                    {"bureau": {"mode": "down"|"malformed"|"slow",
                                              "count": N, "delay": s}}: next N calls fail
    POST /_control/reset                     back to the demo world, no faults

Anyone else: a valid IIN that neither the demo data nor the controls name gets a deterministic
profile from open_world.py (its serial digits choose eligible, a reason to refuse, or a
failure: timeout, malformed answer, unknown person, service down).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from bureau_gateway.simulator import corrections, demo_data, government, open_world
from bureau_gateway.simulator.identity import IdentityWorld

SERVICES = ["bureau", "government", "identity", "sms"]
OPEN_WORLD_TIMEOUT_SECONDS = 30  # longer than any client waits
IIN_RE = re.compile(r"^[0-9]{12}$")


class World:
    """Everything the simulator knows; one lock guards it (the server is threaded)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.reports: dict[str, dict] = {}
        self.social: dict[str, dict] = {}
        self.income: dict[str, dict] = {}
        self.phones: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.identity = IdentityWorld()
        for spec in demo_data.BORROWERS:
            self.reports[spec["iin"]] = demo_data.bureau_report(spec)
            asp = spec.get("asp", False)
            self.social[spec["iin"]] = {"vulnerable": asp, "receives_asp": asp}
            if "official_income" in spec:
                self.income[spec["iin"]] = {
                    "average_monthly_tiyn": spec["official_income"] * 100,
                    "months_with_income": 6,
                }
            self.phones[spec["iin"]] = spec["phone"]
            self.names[spec["iin"]] = spec["full_name"]
        self.procedures: list[dict] = []
        self.corrections: dict[str, dict] = {}
        self.sms: list[dict] = []
        self.faults: dict[str, dict] = {}

    def take_fault(self, service: str) -> dict | None:
        """Consume one faulty call of `service`, if any is armed."""
        with self.lock:
            fault = self.faults.get(service)
            if not fault or fault.get("count", 0) <= 0:
                return None
            fault["count"] -= 1
            return dict(fault)


WORLD = World()


def _known(iin: str) -> bool:
    """A person the identity services know: demo, registered by a test, or the open world.
    The caller holds WORLD.lock."""
    return iin in WORLD.phones or iin in WORLD.reports or open_world.knows(iin)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    # --- plumbing ---

    def _send(self, status: int, payload=None, *, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a timeout test)

    def _json_body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        if not data:
            return {}
        try:
            value = json.loads(data)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _route(self, method: str) -> None:
        url = urlparse(self.path)
        path = url.path.rstrip("/") or "/"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._json_body() if method in ("POST", "PUT") else {}
        if body is None:
            return self._send(400, {"error": "body must be a JSON object"})
        parts = [p for p in path.split("/") if p]
        if path in ("/", "/health") and method == "GET":
            return self._send(200, {"status": "ok", "services": SERVICES})
        if parts and parts[0] == "_control":
            return self._control(method, parts[1:], query, body)
        if parts and parts[0] in SERVICES:
            fault = WORLD.take_fault(parts[0])
            if fault is not None:
                if fault.get("mode") == "slow":
                    time.sleep(float(fault.get("delay", 10)))
                elif fault.get("mode") == "malformed":
                    return self._send(200, raw=b'{"iin": "0", "loans": [{"principal_tiyn": "12')
                else:
                    return self._send(503, {"error": "service unavailable (simulated)"})
            handler = getattr(self, f"_{parts[0]}")
            return handler(method, parts[1:], query, body)
        return self._send(404, {"error": "no such endpoint"})

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_PUT(self):
        self._route("PUT")

    def log_message(self, format, *args):
        pass

    # --- credit bureau ---

    def _bureau(self, method, parts, query, body):
        if method == "GET" and len(parts) == 2 and parts[0] == "reports":
            iin = parts[1]
            if not IIN_RE.match(iin):
                return self._send(400, {"error": "iin must be 12 digits"})
            with WORLD.lock:
                report = copy.deepcopy(WORLD.reports.get(iin))
            if report is None and (mode := open_world.failure_mode(iin)):
                return self._open_world_failure(mode)
            if report is None and (report := open_world.report_for(iin)) is not None:
                with WORLD.lock:  # kept, so a procedure reported later marks it
                    report = copy.deepcopy(WORLD.reports.setdefault(iin, report))
            if report is None:
                return self._send(404, {"error": "subject unknown"})
            report["report_id"] = "R-" + uuid.uuid4().hex[:12].upper()
            report["generated_at"] = _now()
            return self._send(200, report)
        if method == "POST" and parts == ["procedures"]:
            required = ("event", "iin", "bureau_reference", "creditor_bin", "case_reference", "on")
            missing = [k for k in required if not body.get(k)]
            if body.get("event") == "ended" and body.get("reason") not in (
                "breached",
                "terminated",
            ):
                missing.append("reason")
            if missing or body["event"] not in ("started", "completed", "ended"):
                return self._send(400, {"error": "invalid procedure report", "missing": missing})
            record = {k: body[k] for k in required} | {"received_at": _now()}
            if body["event"] == "ended":
                record["reason"] = body["reason"]
            with WORLD.lock:
                WORLD.procedures.append(record)
                if body["event"] == "started" and body["iin"] in WORLD.reports:
                    WORLD.reports[body["iin"]].setdefault("subject", {})[
                        "previous_procedure_signed"
                    ] = True
            return self._send(201, {"accepted": True, "id": len(WORLD.procedures)})
        if method == "POST" and parts == ["corrections"]:
            with WORLD.lock:
                return self._send(*corrections.correct(WORLD.corrections, body, _now()))
        return self._send(404, {"error": "no such endpoint"})

    def _open_world_failure(self, mode: str):
        if mode == "slow":
            time.sleep(OPEN_WORLD_TIMEOUT_SECONDS)
            return self._send(504, {"error": "timed out (simulated)"})
        if mode == "malformed":
            return self._send(200, raw=b'{"iin": "0", "loans": [{"principal_tiyn": "12')
        return self._send(503, {"error": "service unavailable (simulated)"})

    # --- government data ---

    def _government(self, method, parts, query, body):
        if method != "GET":
            return self._send(404, {"error": "no such endpoint"})
        with WORLD.lock:
            status, payload = government.answer(WORLD, parts, _now())
        return self._send(status, payload)

    # --- identity: mobile operator, biometrics (ЦОИД), EDS ---

    def _identity(self, method, parts, query, body):
        if method == "GET" and parts == ["phone-owner"]:
            iin, phone = query.get("iin", ""), query.get("phone", "")
            with WORLD.lock:
                registered = WORLD.phones.get(iin)
            if registered is None and not open_world.knows(iin):
                return self._send(404, {"error": "subject unknown"})
            # the operator confirms any phone for a person of the open world
            match = registered == phone if registered is not None else True
            return self._send(200, {"iin": iin, "phone": phone, "match": match})
        if method == "POST" and parts == ["liveness-challenges"]:
            iin = str(body.get("iin", ""))
            with WORLD.lock:
                if not _known(iin):
                    return self._send(404, {"error": "subject unknown"})
                return self._send(201, WORLD.identity.new_challenge(iin))
        if method == "POST" and parts in (["biometric"], ["person-check"]):
            return self._face_check(parts[0], body)
        if method == "POST" and parts == ["eds", "documents"]:
            # package signing keeps its simplified scheme: sha256("<iin>:<payload>")
            expected = hashlib.sha256(
                f"{body.get('iin', '')}:{body.get('signed_payload', '')}".encode()
            ).hexdigest()
            ok = body.get("signature") == expected
            return self._send(200, {"verified": ok, "reason": "" if ok else "bad_signature"})
        if method == "POST" and parts == ["eds"]:
            with WORLD.lock:
                answer = WORLD.identity.verify(str(body.get("certificate", "")),
                                               str(body.get("challenge", "")),
                                               str(body.get("signature", "")))  # fmt: skip
            return self._send(200, answer | {"reference": "EDS-" + uuid.uuid4().hex[:12]})
        return self._send(404, {"error": "no such endpoint"})

    def _face_check(self, kind, body):
        """ЦОИД biometrics, or the two-factor check (the person's data too). Liveness is the
        live answer to a challenge issued for this IIN and never used before; tests steer the
        face match with the selfie token's prefix ("other:" is someone else's face)."""
        iin, token = str(body.get("iin", "")), str(body.get("selfie_token", ""))
        with WORLD.lock:
            if not _known(iin):
                return self._send(404, {"error": "subject unknown"})
            problem = WORLD.identity.take_challenge(
                iin, str(body.get("challenge_id", "")), str(body.get("challenge_answer", ""))
            )
            name = WORLD.names.get(iin) or open_world.full_name(iin)
        liveness = not problem and not token.startswith(("photo:", "replay:"))
        match = bool(token) and not token.startswith("other:")
        answer = {"liveness": liveness, "image_match": match,
                  "reference": "BIO-" + uuid.uuid4().hex[:12]}  # fmt: skip
        if kind == "person-check":
            given = " ".join(str(body.get("full_name", "")).split()).casefold()
            answer["data_match"] = bool(name) and given == " ".join(name.split()).casefold()
        verified = liveness and match and answer.get("data_match", True)
        reason = problem or ("liveness" if not liveness else "" if verified else "no_match")
        answer |= {"full_name": name} if verified else {}  # the record's data: a match only
        return self._send(200, answer | {"verified": verified, "reason": reason})

    # --- SMS ---

    def _sms(self, method, parts, query, body):
        if method == "POST" and parts == ["messages"]:
            phone, text, key = body.get("phone"), body.get("text"), body.get("dedup_key")
            if not phone or not text or not key:
                return self._send(400, {"error": "phone, text and dedup_key are required"})
            with WORLD.lock:
                for message in WORLD.sms:
                    if message["dedup_key"] == key:
                        return self._send(200, message)
                message = {
                    "id": "SMS-" + uuid.uuid4().hex[:10],
                    "phone": phone,
                    "text": text,
                    "dedup_key": key,
                    "sent_at": _now(),
                }
                WORLD.sms.append(message)
            return self._send(201, message)
        if method == "GET" and parts == ["messages"]:
            with WORLD.lock:
                found = [m for m in WORLD.sms if m["phone"] == query.get("phone", m["phone"])]
            return self._send(200, {"messages": found})
        return self._send(404, {"error": "no such endpoint"})

    # --- test control ---

    def _control(self, method, parts, query, body):
        if method == "POST" and parts == ["reset"]:
            with WORLD.lock:
                WORLD.reset()
            return self._send(200, {"reset": True})
        if method == "POST" and parts == ["faults"]:
            with WORLD.lock:
                for service, fault in body.items():
                    if service not in SERVICES or not isinstance(fault, dict):
                        return self._send(400, {"error": f"unknown service {service!r}"})
                    WORLD.faults[service] = {
                        "mode": fault.get("mode", "down"),
                        "count": int(fault.get("count", 1)),
                        "delay": fault.get("delay", 10),
                    }
                return self._send(200, WORLD.faults)
        if method == "PUT" and len(parts) == 3 and parts[:2] == ["bureau", "reports"]:
            iin = parts[2]
            if not IIN_RE.match(iin):
                return self._send(400, {"error": "iin must be 12 digits"})
            report = dict(body)
            report["iin"] = iin
            report.setdefault("subject", {})
            for index, loan in enumerate(report.setdefault("loans", []), start=1):
                loan.setdefault("bureau_reference", f"FCB-{iin[-6:]}-{index:02d}")
            with WORLD.lock:
                WORLD.reports[iin] = report
            return self._send(200, report)
        if method == "GET" and parts == ["bureau", "procedures"]:
            with WORLD.lock:
                found = [p for p in WORLD.procedures if p["iin"] == query.get("iin", p["iin"])]
            return self._send(200, {"procedures": found})
        if method == "GET" and parts == ["bureau", "corrections"]:
            with WORLD.lock:
                found = corrections.received(WORLD.corrections, query.get("iin"))
            return self._send(200, {"corrections": found})
        if method == "PUT" and parts[:1] == ["government"]:
            with WORLD.lock:
                answered = government.control(WORLD, parts[1:], body)
            if answered is not None:
                return self._send(*answered)
        if method == "PUT" and len(parts) == 3 and parts[:2] == ["identity", "phones"]:
            with WORLD.lock:
                WORLD.phones[parts[2]] = str(body.get("phone", ""))
                if body.get("full_name"):
                    WORLD.names[parts[2]] = str(body["full_name"])
            return self._send(200, {"iin": parts[2], "phone": WORLD.phones[parts[2]]})
        if method == "POST" and parts == ["identity", "eds-signatures"]:
            with WORLD.lock:
                signed = WORLD.identity.sign(str(body.get("iin", "")), str(body.get("challenge")))
            return self._send(200, signed)
        if method == "GET" and parts == ["sms"]:
            with WORLD.lock:
                found = [m for m in WORLD.sms if m["phone"] == query.get("phone", m["phone"])]
            return self._send(200, {"messages": found})
        return self._send(404, {"error": "no such control endpoint"})


def make_server(host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
