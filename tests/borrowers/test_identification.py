"""Identification as the regulator's letter ДС-352 requires (issue 19), on the real stack with
the simulator over HTTP: one of EDS, ЦОИД biometrics with a liveness challenge, or the
two-factor data + image check — each plus the mobile operator's IIN–phone check; an SMS code
alone identifies nobody; a liveness answer counts once; the phone changes only with a fresh
biometric or EDS identification."""

import pytest
from django.db import connection
from django.urls import reverse

from borrowers import identification
from borrowers.identification import (
    MSG_DATA_MISMATCH,
    MSG_EDS_REFUSED,
    MSG_IDENTITY_UNKNOWN,
    MSG_LIVENESS_FAILED,
    MSG_PHONE_NOT_CONFIRMED,
    MSG_START_AGAIN,
)
from borrowers.models import Identification
from bureau_gateway.simulator import open_world
from finplatform.errors import ApplicationError
from tests.factories import BorrowerFactory
from tests.support.bureau import open_world_iin
from tests.support.identity import answer_for, identify, start

pytestmark = pytest.mark.django_db
METHODS = ["eds", "biometric", "two_factor"]


def _signed_in(client, sim, *, operator_phone=None):
    borrower = BorrowerFactory()
    sim.set_phone(borrower.iin, operator_phone or borrower.phone, full_name=borrower.full_name)
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    return borrower


def test_an_sms_code_alone_identifies_nobody(client, sim):
    borrower = _signed_in(client, sim)
    url = reverse("borrowers:identify")
    page = client.get(url).content.decode()
    assert 'value="send_code"' not in page and 'name="code"' not in page
    client.post(url, {"action": "send_code"})
    client.post(url, {"action": "confirm_code", "code": "123456"})
    client.post(url, {"action": "identify"})  # no challenge started: nothing to answer
    borrower.refresh_from_db()
    assert borrower.identified_at is None and sim.sms(borrower.phone) == []
    assert not Identification.objects.filter(borrower=borrower).exists()


@pytest.mark.parametrize("method", METHODS)
def test_each_method_with_the_operator_check_identifies_and_is_recorded(client, sim, method):
    borrower = _signed_in(client, sim)
    url = reverse("borrowers:identify")
    response, answer = identify(client, url, sim, borrower.iin, method)
    assert response.status_code == 302 and response.url == reverse("resolution:apply")
    borrower.refresh_from_db()
    assert borrower.is_identified and borrower.identification_method == method
    row = Identification.objects.get(borrower=borrower)
    assert (row.method, row.phone, row.iin, row.purpose) == (
        method, borrower.phone, borrower.iin, "identify"
    )  # fmt: skip
    assert row.operator_confirmed_at is not None and row.evidence["provider_reference"]
    secret = answer.get("signature") or answer["selfie_token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT evidence FROM borrowers_identification WHERE id = %s", [row.pk])
        stored = cursor.fetchone()[0]
    assert secret in str(row.evidence.values()) and secret not in stored  # encrypted at rest


@pytest.mark.parametrize("method", METHODS)
def test_no_method_identifies_without_the_operators_confirmation(client, sim, method):
    borrower = _signed_in(client, sim, operator_phone="+77000000001")
    response, _answer = identify(client, reverse("borrowers:identify"), sim, borrower.iin, method)
    assert str(MSG_PHONE_NOT_CONFIRMED) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.identified_at is None


def test_a_replayed_liveness_answer_is_refused(client, sim):
    borrower, other = BorrowerFactory(), BorrowerFactory()
    for person in (borrower, other):
        sim.set_phone(person.iin, person.phone)
    challenge = identification.new_challenge(iin=borrower.iin, method="biometric")
    live = identification.Answer(
        selfie_token="live:capture-1",
        challenge_answer="-".join(challenge["movements"]) + ":" + challenge["nonce"],
    )
    kwargs = {"iin": borrower.iin, "phone": borrower.phone, "full_name": "", "method": "biometric"}
    proof = identification.prove(challenge=challenge, answer=live, **kwargs)
    identification.record(proof, borrower=borrower, purpose="identify")
    with pytest.raises(ApplicationError) as replayed:  # the centre: the challenge is spent
        identification.prove(challenge=challenge, answer=live, **kwargs)
    assert replayed.value.code == "challenge_invalid"
    with pytest.raises(ApplicationError) as recorded:  # the platform: the challenge was used
        identification.record(proof, borrower=borrower, purpose="identify")
    assert recorded.value.code == "challenge_invalid"
    foreign = kwargs | {"iin": other.iin, "phone": other.phone}
    with pytest.raises(ApplicationError) as stolen:  # someone else's challenge and answer
        identification.prove(challenge=challenge | {"iin": other.iin}, answer=live, **foreign)
    assert stolen.value.code == "challenge_invalid"
    assert Identification.objects.count() == 1


def test_the_same_answer_posted_again_on_the_page_is_refused(client, sim):
    borrower = _signed_in(client, sim)
    url = reverse("borrowers:identify")
    start(client, url, "biometric")
    answer = answer_for(client, url, sim, borrower.iin, selfie="photo:still")
    client.post(url, {"action": "identify", **answer})  # spent on a failed attempt
    answer["selfie_token"] = "live:now"
    response = client.post(url, {"action": "identify", **answer})
    assert str(MSG_START_AGAIN) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.identified_at is None


def test_an_eds_signature_must_be_over_this_challenge_by_this_iins_certificate(client, sim):
    borrower, stranger = _signed_in(client, sim), BorrowerFactory()
    url = reverse("borrowers:identify")
    start(client, url, "eds")
    challenge = client.session["identity_challenge"]["id"]
    forged = sim.eds_signature(stranger.iin, challenge)  # a valid signature, not this IIN
    response = client.post(url, {"action": "identify", **forged})
    assert str(MSG_EDS_REFUSED) in response.content.decode()
    start(client, url, "eds")
    stale = sim.eds_signature(borrower.iin, challenge)  # own key, the previous challenge
    response = client.post(url, {"action": "identify", **stale})
    assert str(MSG_EDS_REFUSED) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.identified_at is None


def test_the_two_factor_check_refuses_data_that_do_not_match(client, sim):
    borrower = _signed_in(client, sim)
    sim.set_phone(borrower.iin, borrower.phone, full_name="Somebody Else Entirely")
    response, _answer = identify(
        client, reverse("borrowers:identify"), sim, borrower.iin, "two_factor"
    )
    assert str(MSG_DATA_MISMATCH) in response.content.decode()


def test_a_phone_change_needs_a_fresh_identification_and_the_new_phones_operator_check(client, sim):
    borrower = _signed_in(client, sim)
    old_phone, new_phone, url = borrower.phone, "+77059876543", reverse("borrowers:change_phone")
    response = client.post(url, {"action": "start", "method": "biometric", "phone": "8701"})
    assert response.status_code == 200 and b'value="eds"' in response.content  # can retry
    # without identification: nothing started, or a check started and not passed
    response = client.post(url, {"action": "identify"})
    assert str(MSG_START_AGAIN) in response.content.decode()
    client.post(url, {"action": "start", "method": "biometric", "phone": new_phone})
    response = client.post(url, {"action": "identify"})
    assert str(MSG_LIVENESS_FAILED) in response.content.decode()
    # the two-factor check is not enough for a phone change (SPEC §7)
    response = client.post(url, {"action": "start", "method": "two_factor", "phone": new_phone})
    assert client.session.get("identity_challenge") is None
    # identified, but the operator does not register the new phone to this IIN
    response, _answer = identify(client, url, sim, borrower.iin, phone=new_phone)
    assert str(MSG_PHONE_NOT_CONFIRMED) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.phone == old_phone
    # the operator moved the number to this IIN: a fresh biometric check changes it
    sim.set_phone(borrower.iin, new_phone)
    response, _answer = identify(client, url, sim, borrower.iin, phone=new_phone)
    assert response.status_code == 302
    iin = borrower.iin
    borrower.refresh_from_db()
    assert borrower.phone == new_phone and borrower.iin == iin
    row = Identification.objects.get(borrower=borrower, purpose="phone_change")
    assert row.phone == new_phone and row.method == "biometric"


def test_an_iin_the_identification_centre_does_not_know_is_told_so(client, sim):
    # the open world's unknown person: the identification centre has no record of this IIN
    borrower = BorrowerFactory(iin=open_world_iin(open_world.UNKNOWN, year=1985))
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    response = start(client, reverse("borrowers:identify"), "biometric")
    assert str(MSG_IDENTITY_UNKNOWN) in response.content.decode()
    assert client.session.get("identity_challenge") is None
