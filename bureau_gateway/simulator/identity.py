"""The simulated identity services: the mobile operator's IIN–phone registry, ЦОИД biometrics
with a liveness challenge, the two-factor data + image check, and an EDS certificate
authority (test certificates on ECDSA P-256, the IIN in the subject's serialNumber as
"IIN<12 digits>", as the national CA writes it). Used by bureau_gateway/simulator/server.py;
state lives in the server's World under its lock."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MOVEMENTS = ("turn_left", "turn_right", "blink", "smile", "nod", "look_up")
CHALLENGE_TTL = timedelta(minutes=10)


class IdentityWorld:
    def __init__(self) -> None:
        self.challenges: dict[str, dict] = {}  # liveness challenge id → {iin, nonce, used}
        self.people_keys: dict[str, tuple] = {}  # iin → (private key, certificate)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Finkelisim test EDS CA")])
        self.ca_cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
            .sign(self.ca_key, hashes.SHA256())
        )  # fmt: skip

    # --- liveness ---

    def new_challenge(self, iin: str) -> dict:
        challenge = {
            "challenge_id": "LC-" + secrets.token_hex(8),
            "nonce": secrets.token_hex(4),
            "movements": [secrets.choice(MOVEMENTS) for _ in range(3)],
            "expires_at": (datetime.now(UTC) + CHALLENGE_TTL).isoformat(),
        }
        self.challenges[challenge["challenge_id"]] = {"iin": iin, "used": False, **challenge}
        return challenge

    def take_challenge(self, iin: str, challenge_id: str, answer: str) -> str:
        """'' if the answer is the live answer to an unused challenge issued for this IIN;
        otherwise why not. A challenge is spent by any attempt (no second try, no replay)."""
        challenge = self.challenges.get(challenge_id)
        if challenge is None or challenge["iin"] != iin:
            return "foreign_challenge"
        if challenge["used"]:
            return "replayed_challenge"
        challenge["used"] = True
        if datetime.fromisoformat(challenge["expires_at"]) < datetime.now(UTC):
            return "expired_challenge"
        if not secrets.compare_digest(str(answer), challenge_answer(challenge)):
            return "wrong_challenge_answer"
        return ""

    # --- EDS ---

    def certificate_for(self, iin: str, full_name: str = "") -> tuple:
        if iin not in self.people_keys:
            key = ec.generate_private_key(ec.SECP256R1())
            now = datetime.now(UTC)
            subject = x509.Name([
                x509.NameAttribute(NameOID.COMMON_NAME, full_name or f"TEST PERSON {iin}"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            ])  # fmt: skip
            cert = (
                x509.CertificateBuilder().subject_name(subject)
                .issuer_name(self.ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365))
                .sign(self.ca_key, hashes.SHA256())
            )  # fmt: skip
            self.people_keys[iin] = (key, cert)
        return self.people_keys[iin]

    def sign(self, iin: str, challenge: str) -> dict:
        key, cert = self.certificate_for(iin)
        signature = key.sign(challenge.encode(), ec.ECDSA(hashes.SHA256()))
        return {"certificate": pem(cert), "signature": base64.b64encode(signature).decode()}

    def verify(self, certificate: str, challenge: str, signature: str) -> dict:
        """The certificate's chain and validity, then the signature over the challenge."""
        try:
            cert = x509.load_pem_x509_certificate(certificate.encode())
            self.ca_key.public_key().verify(
                cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256())
            )
        except (ValueError, InvalidSignature):
            return {"verified": False, "reason": "untrusted_certificate", "iin": ""}
        iin = certificate_iin(cert)
        now = datetime.now(UTC)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return {"verified": False, "reason": "certificate_expired", "iin": iin}
        try:
            cert.public_key().verify(
                base64.b64decode(signature), challenge.encode(), ec.ECDSA(hashes.SHA256())
            )
        except (ValueError, InvalidSignature):
            return {"verified": False, "reason": "bad_signature", "iin": iin}
        return {"verified": True, "reason": "", "iin": iin}


def challenge_answer(challenge: dict) -> str:
    """What a live capture returns for a challenge: the movements done, in order, and the
    nonce shown on screen. The dev camera page computes the same."""
    return "-".join(challenge["movements"]) + ":" + challenge["nonce"]


def certificate_iin(cert) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = values[0].value if values else ""
    return value[3:] if value.startswith("IIN") else ""


def pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()
