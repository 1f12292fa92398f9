"""Pass (or try) identification through the pages, as a browser would: pick a method, read
the challenge the page shows, answer it (the page's camera stand-in for a face method; the
simulator's dev-only EDS signer for EDS)."""

import re
from html import unescape

from borrowers import identification
from borrowers.identification import Answer
from borrowers.models import Enrolment
from portal.views.identity import camera_stand_in
from schedules.services import refund_iban

SESSION_KEY = "identity_challenge"


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)" name="{name}"', page
    )
    return unescape(match.group(1)) if match else ""


def start(client, url, method: str, **extra):
    return client.post(url, {"action": "start", "method": method, **extra})


def answer_for(client, url, sim, iin: str, *, selfie: str = "") -> dict:
    """The answer a live client would send to the challenge now in the session."""
    challenge = client.session[SESSION_KEY]
    if challenge["method"] == "eds":
        return sim.eds_signature(iin, challenge["id"])
    page = client.get(url).content.decode()
    return {
        "selfie_token": selfie or hidden(page, "selfie_token"),
        "challenge_answer": hidden(page, "challenge_answer"),
    }


def texted_code(sim, phone: str) -> str:
    """The code in the newest SMS the simulated gateway sent to `phone`."""
    return re.search(r"\b(\d{6})\b", sim.sms(phone)[-1]["text"]).group(1)


def confirm_phone(client, url, sim):
    """On a registration or reset page still asking for the texted code, type it in."""
    page = client.get(url)
    if page.status_code != 200 or 'value="confirm_phone"' not in page.content.decode():
        return None
    phone = Enrolment.objects.get(pk=client.session["enrolment"]).phone
    return client.post(url, {"action": "confirm_phone", "code": texted_code(sim, phone)})


def identify(client, url, sim, iin: str, method: str = "biometric", *, selfie: str = "",
             **extra):  # fmt: skip
    """Start `method`, answer its challenge, send it; returns (response, the answer sent).
    A registration or reset first confirms its phone with the texted code."""
    confirm_phone(client, url, sim)
    start(client, url, method, **extra)
    answer = answer_for(client, url, sim, iin, selfie=selfie)
    return client.post(url, {"action": "identify", **answer}), answer


def live_answer(sim, iin: str, challenge: dict):
    """What a live client answers to `challenge` at the service level (no page)."""
    if challenge["method"] == "eds":
        return Answer(**sim.eds_signature(iin, challenge["id"]))
    return Answer(**camera_stand_in(challenge))


def set_refund_iban(sim, borrower, iban: str, method: str = "biometric"):
    """Set the borrower's refund IBAN as the cabinet does: a fresh identification of the
    borrower (the operator registers their phone to their IIN) and the IBAN saved with it."""
    sim.set_phone(borrower.iin, borrower.phone, full_name=borrower.full_name)
    challenge = identification.new_challenge(iin=borrower.iin, method=method)
    return refund_iban.identify_and_set_refund_iban(
        borrower=borrower, iban=iban, method=method, challenge=challenge,
        answer=live_answer(sim, borrower.iin, challenge),
    )  # fmt: skip
