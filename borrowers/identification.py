"""Remote identification as the regulator's letter ДС-352 and SPEC §2.1, §7 require: one of
three methods — an EDS signature over a challenge the platform issued; a ЦОИД biometric match
with a liveness challenge the identification centre issued; a real-time two-factor check of
the person's data and face image — and, in addition to any of them, the mobile operator's
confirmation that the phone is registered to the IIN. A one-time SMS code identifies nobody.

A challenge lives in the caller's session (the view keeps the dict `new_challenge` returns and
spends it on the first attempt); it names the IIN it was issued for, so an answer to a
challenge from another session or for another IIN is refused, and the recorded
`Identification.challenge_key` is unique, so an answer is never accepted twice. No HTTP call
happens while a row is locked. Users: borrowers/services.py (identify, phone change) and
borrowers/enrolment.py (registration, password reset).

The legal name: every passed identification also yields the person's name as a trusted
source holds it — the identification centre's record that a biometric or two-factor match
returns, or, when a method returns none (EDS: the certificate proves the key holder's IIN,
its upper-case common name is not the register's spelling), the state register of
individuals (ГБД ФЛ, the government-data adapter) asked by IIN. `record` makes it the
borrower's `full_name`, which every document, screen and export reads; the name typed at
registration is only a declaration: the two-factor method compares it (that is the
method), the others replace it, and a typed name that differed is kept in the evidence.

Why replace rather than refuse: what the compliance officer needs is that a contract names
the person the state register knows under the identified IIN, never the applicant's own
typing. A person who has just proved the IIN is theirs (face or EDS, plus the operator)
gains nothing by typing a wrong name, and refusing them over a spelling variant (қ/к, ё/е,
Latin or Cyrillic, patronymic or none) would add no assurance, only a call to staff. So the
register's spelling is taken, the borrower is shown it before applying and on every page of
the cabinet, and the difference is on record."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower, Identification, IdentificationMethod
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import AdapterError, SubjectUnknown
from finplatform.clock import business_now
from finplatform.errors import ApplicationError

CHALLENGE_TTL = timedelta(minutes=10)
FACE_METHODS = (IdentificationMethod.BIOMETRIC, IdentificationMethod.TWO_FACTOR)
METHODS = (IdentificationMethod.EDS, *FACE_METHODS)

MSG_PHONE_NOT_CONFIRMED = _(
    "Your mobile operator does not confirm that this phone number is registered to your IIN. "
    "Use a number registered in your name."
)
MSG_IDENTITY_UNAVAILABLE = _(
    "The identification service is not answering right now. Please try again in a few minutes."
)
MSG_IDENTITY_UNKNOWN = _(
    "The state identity database has no person with this IIN. Check the number; if it is "
    "right, ask us to call you back or book an in-person visit below."
)
MSG_START_AGAIN = _("This check has expired or was already used. Start the check again.")
MSG_LIVENESS_FAILED = _(
    "The liveness check failed: a photo or a recorded video cannot be used. Try again in "
    "good light and follow the movements shown."
)
MSG_BIOMETRIC_MISMATCH = _("Your face did not match the state biometric record.")
MSG_DATA_MISMATCH = _(
    "Your name or face does not match the state record for this IIN. Check the name you entered."
)
MSG_EDS_REFUSED = _(
    "The signature was not accepted: it must be made now, with a valid EDS certificate "
    "issued to your IIN."
)


def identity_failure(exc: AdapterError) -> ApplicationError:
    """The truthful message for an identification service that did not say yes: an unknown
    person is not an outage (and neither is a wrong face: see `_refusal`)."""
    if isinstance(exc, SubjectUnknown):
        return ApplicationError(MSG_IDENTITY_UNKNOWN, code="identity_unknown")
    return ApplicationError(MSG_IDENTITY_UNAVAILABLE, code="identity_unavailable")


@dataclass(frozen=True)
class Answer:
    """What the client sends back: a live capture (face methods) or a signature (EDS)."""

    selfie_token: str = ""
    challenge_answer: str = ""
    certificate: str = ""
    signature: str = ""


@dataclass(frozen=True)
class Proof:
    """A passed identification not yet recorded (`record` writes it with the account)."""

    iin: str
    phone: str
    method: str
    challenge_key: str
    operator_confirmed_at: datetime
    evidence: dict = field(default_factory=dict)
    full_name: str = ""  # the legal name the identity source or the state register gave


def same_name(first: str, second: str) -> bool:
    """Whether two spellings are the same name, ignoring case, spacing and ё/е."""
    return _plain_name(first) == _plain_name(second)


def _plain_name(name: str) -> str:
    return " ".join(name.split()).casefold().replace("ё", "е")


def new_challenge(*, iin: str, method: str) -> dict:
    """A fresh challenge for the session: for EDS a random text to sign; for a face method the
    identification centre's movements and nonce."""
    if method not in METHODS:
        raise ApplicationError(MSG_START_AGAIN, code="unknown_method")
    challenge = {"iin": iin, "method": method, "issued_at": business_now().isoformat()}
    if method == IdentificationMethod.EDS:
        return challenge | {"id": "EDS-" + secrets.token_urlsafe(24)}
    try:
        liveness = get_adapter("identity").start_liveness(iin=iin)
    except AdapterError as exc:
        raise identity_failure(exc) from None
    return challenge | {"id": liveness.challenge_id, "nonce": liveness.nonce,
                        "movements": list(liveness.movements)}  # fmt: skip


def prove(*, iin: str, phone: str, full_name: str, challenge: dict | None, answer: Answer,
          method: str) -> Proof:  # fmt: skip
    """Run the chosen method against the session's challenge, then the operator check.
    Raises ApplicationError with a reason the person can act on."""
    now = business_now()
    if (
        not challenge or challenge.get("iin") != iin or challenge.get("method") != method
        or datetime.fromisoformat(challenge["issued_at"]) + CHALLENGE_TTL < now
    ):  # fmt: skip
        raise ApplicationError(MSG_START_AGAIN, code="challenge_invalid")
    identity = get_adapter("identity")
    try:
        result = _run(identity, method, iin, full_name, challenge, answer)
        if result.verified and not identity.phone_belongs_to(iin=iin, phone=phone):
            raise ApplicationError(MSG_PHONE_NOT_CONFIRMED, code="phone_not_confirmed")
        # the name the method's source returned, or else the state register's by IIN
        legal_name = (result.full_name or get_adapter("government").person(iin).full_name
                      if result.verified else "")  # fmt: skip
    except AdapterError as exc:
        raise identity_failure(exc) from None
    if not result.verified:
        message, code = _refusal(method, result.reason, result.liveness)
        raise ApplicationError(message, code=code)
    evidence = {
        "provider_reference": result.reference,
        "challenge_id": challenge["id"],
        "legal_name_from": "identity" if result.full_name else "state_register",
    }
    if full_name and not same_name(full_name, legal_name):
        evidence["declared_name"] = full_name  # typed, not taken: kept for the record
    if method == IdentificationMethod.EDS:
        evidence |= {"certificate": answer.certificate, "signature": answer.signature}
    else:
        evidence |= {"selfie_token": answer.selfie_token}
    return Proof(iin=iin, phone=phone, method=method, operator_confirmed_at=business_now(),
                 challenge_key=hashlib.sha256(challenge["id"].encode()).hexdigest(),
                 evidence=evidence, full_name=legal_name)  # fmt: skip


def _run(identity, method, iin, full_name, challenge, answer):
    if method == IdentificationMethod.EDS:
        return identity.verify_eds(
            iin=iin,
            challenge=challenge["id"],
            signature=answer.signature,
            certificate=answer.certificate,
        )
    kwargs = {"iin": iin, "selfie_token": answer.selfie_token, "challenge_id": challenge["id"],
              "challenge_answer": answer.challenge_answer}  # fmt: skip
    if method == IdentificationMethod.TWO_FACTOR:
        return identity.verify_person(full_name=full_name, **kwargs)
    return identity.verify_biometrics(**kwargs)


def _refusal(method: str, reason: str, liveness: bool | None) -> tuple:
    if method == IdentificationMethod.EDS:
        return MSG_EDS_REFUSED, "eds_refused"
    if reason in ("foreign_challenge", "replayed_challenge", "expired_challenge"):
        return MSG_START_AGAIN, "challenge_invalid"
    if liveness is False:
        return MSG_LIVENESS_FAILED, "liveness_failed"
    if method == IdentificationMethod.TWO_FACTOR:
        return MSG_DATA_MISMATCH, "data_mismatch"
    return MSG_BIOMETRIC_MISMATCH, "biometric_mismatch"


def record(proof: Proof, *, borrower: Borrower, purpose: str) -> Identification:
    """Write the identification and mark the borrower identified, with the legal name the
    identification gave (`NAME_FIELDS` are what the caller saves); the caller's transaction
    holds the borrower. A challenge already recorded is refused (an answer counts once)."""
    now = business_now()
    try:
        with transaction.atomic():
            row = Identification.objects.create(
                borrower=borrower, iin=proof.iin, purpose=purpose, method=proof.method,
                phone=proof.phone, operator_confirmed_at=proof.operator_confirmed_at,
                challenge_key=proof.challenge_key, evidence=proof.evidence, identified_at=now,
            )  # fmt: skip
    except IntegrityError:
        raise ApplicationError(MSG_START_AGAIN, code="challenge_invalid") from None
    borrower.identified_at, borrower.identification_method = now, proof.method
    if proof.full_name:
        borrower.full_name, borrower.full_name_verified_at = proof.full_name, now
    return row


# The Borrower fields `record` sets; a caller saving with update_fields lists them too.
IDENTIFIED_FIELDS = ["identified_at", "identification_method"]
NAME_FIELDS = ["full_name", "full_name_verified_at"]
