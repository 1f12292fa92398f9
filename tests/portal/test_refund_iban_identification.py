"""The IBAN for refunds needs a fresh identification (SPEC §7: payout details need biometrics
again; issue 19: an SMS code identifies nobody): biometrics or EDS plus the operator check,
recorded with purpose `payout_details`, used once, within minutes, by this borrower."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from borrowers import identification
from borrowers.identification import MSG_LIVENESS_FAILED, MSG_START_AGAIN
from borrowers.models import Identification
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.iban import make_kz_iban
from schedules.models import RefundDetails, RefundPayout, RefundStatus
from schedules.services import refund_iban, refunds
from tests.support.endings import active_plan, pay_in_full
from tests.support.identity import answer_for, identify, live_answer, set_refund_iban, start

pytestmark = pytest.mark.django_db
IBAN = make_kz_iban("125", "0000001234567")
OTHER_IBAN = make_kz_iban("601", "0000007777777")
URL = "/portal/refund/"


def _signed_in(client, sim, *, key="full"):
    world = active_plan((30_000_000, 20_000_000), language="en")
    pay_in_full(world, extra_tiyn=50_000, key=key)
    borrower = world.case.borrower
    sim.set_phone(borrower.iin, borrower.phone, full_name=borrower.full_name)
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    return world, borrower


def _identification(sim, borrower, purpose):
    challenge = identification.new_challenge(iin=borrower.iin, method="biometric")
    proof = identification.prove(
        iin=borrower.iin, phone=borrower.phone, full_name=borrower.full_name, method="biometric",
        challenge=challenge, answer=live_answer(sim, borrower.iin, challenge),
    )  # fmt: skip
    return identification.record(proof, borrower=borrower, purpose=purpose)


def test_an_iban_is_refused_without_identification(client, sim):
    world, borrower = _signed_in(client, sim)
    assert reverse("borrowers:refund") == URL
    page = client.get(URL).content.decode()
    assert "500,00" in page and 'id="request-refund"' not in page
    assert 'name="code"' not in page and 'value="two_factor"' not in page
    # the old SMS-code steps do nothing and text nothing
    client.post(URL, {"step": "iban", "iban": IBAN})
    client.post(URL, {"step": "code", "code": "123456"})
    assert sim.sms(borrower.phone) == []
    # a bad IBAN starts no check
    bad = client.post(URL, {"action": "start", "method": "biometric", "iban": "KZ12"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    assert client.session.get("identity_challenge") is None
    # no check started, a failed liveness check, a method not allowed: nothing saved
    response = client.post(URL, {"action": "identify"})
    assert str(MSG_START_AGAIN) in response.content.decode()
    start(client, URL, "biometric", iban=IBAN)
    answer = answer_for(client, URL, sim, borrower.iin, selfie="photo:still")
    response = client.post(URL, {"action": "identify", **answer})
    assert str(MSG_LIVENESS_FAILED) in response.content.decode()
    start(client, URL, "two_factor", iban=IBAN)
    assert client.session.get("identity_challenge") is None
    with pytest.raises(ApplicationError) as refused:  # the service without identification
        refund_iban.set_refund_iban(borrower=borrower, iban=IBAN, identification_id=None)
    assert refused.value.code == "identification_required"
    assert not RefundDetails.objects.filter(borrower=borrower).exists()
    with pytest.raises(ApplicationError):
        refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)
    assert not Identification.objects.filter(borrower=borrower).exists()


@pytest.mark.parametrize("method", ["biometric", "eds"])
def test_an_iban_is_set_after_a_fresh_identification_on_the_page(client, sim, method):
    world, borrower = _signed_in(client, sim)
    response, _answer = identify(client, URL, sim, borrower.iin, method, iban=IBAN)
    assert response.status_code == 302, response.content.decode()[:2000]
    details = refund_iban.verified_refund_iban(borrower)
    assert details.iban == IBAN
    ident = details.identification
    assert (ident.purpose, ident.method, ident.borrower_id, ident.phone) == (
        "payout_details", method, borrower.pk, borrower.phone
    )  # fmt: skip
    page = client.get(URL).content.decode()
    assert 'id="verified-iban"' in page and IBAN in page and 'id="request-refund"' in page
    client.post(URL, {"step": "request"})
    refund = RefundPayout.objects.get(plan=world.plan)
    assert refund.iban == IBAN and refund.status == RefundStatus.REQUESTED


def test_the_operator_must_confirm_the_phone_for_an_iban_too(client, sim):
    _world, borrower = _signed_in(client, sim)
    sim.set_phone(borrower.iin, "+77000000001")
    response, _answer = identify(client, URL, sim, borrower.iin, "biometric", iban=IBAN)
    assert response.status_code == 200
    assert refund_iban.verified_refund_iban(borrower) is None


def test_an_identification_for_the_phone_change_an_old_or_a_used_one_does_not_count(sim):
    world = active_plan((30_000_000, 20_000_000), language="en")
    borrower = world.case.borrower
    sim.set_phone(borrower.iin, borrower.phone, full_name=borrower.full_name)
    for purpose in ("phone_change", "identify"):
        other_purpose = _identification(sim, borrower, purpose)
        with pytest.raises(ApplicationError) as refused:
            refund_iban.set_refund_iban(borrower=borrower, iban=IBAN,
                                        identification_id=other_purpose.pk)  # fmt: skip
        assert refused.value.code == "identification_required"
    old = _identification(sim, borrower, "payout_details")
    with time_machine.travel(business_now() + timedelta(minutes=6), tick=False):
        with pytest.raises(ApplicationError):
            refund_iban.set_refund_iban(borrower=borrower, iban=IBAN, identification_id=old.pk)
    fresh = _identification(sim, borrower, "payout_details")
    refund_iban.set_refund_iban(borrower=borrower, iban=IBAN, identification_id=fresh.pk)
    with pytest.raises(ApplicationError):  # an identification sets one IBAN, once
        refund_iban.set_refund_iban(borrower=borrower, iban=OTHER_IBAN, identification_id=fresh.pk)
    assert refund_iban.verified_refund_iban(borrower).iban == IBAN


def test_a_replayed_liveness_answer_does_not_change_the_iban(sim):
    world = active_plan((30_000_000, 20_000_000), language="en")
    borrower = world.case.borrower
    sim.set_phone(borrower.iin, borrower.phone, full_name=borrower.full_name)
    challenge = identification.new_challenge(iin=borrower.iin, method="biometric")
    answer = live_answer(sim, borrower.iin, challenge)
    kwargs = {"borrower": borrower, "method": "biometric", "challenge": challenge, "answer": answer}
    refund_iban.identify_and_set_refund_iban(iban=IBAN, **kwargs)
    with pytest.raises(ApplicationError) as replayed:
        refund_iban.identify_and_set_refund_iban(iban=OTHER_IBAN, **kwargs)
    assert replayed.value.code == "challenge_invalid"
    assert refund_iban.verified_refund_iban(borrower).iban == IBAN
    assert Identification.objects.filter(borrower=borrower).count() == 1


def test_another_borrower_can_neither_read_nor_change_the_iban(client, sim):
    world, borrower = _signed_in(client, sim)
    set_refund_iban(sim, borrower, IBAN)
    owner_ident = refund_iban.verified_refund_iban(borrower).identification
    _other_world, other = _signed_in(client, sim, key="full-2")  # now signed in as `other`
    page = client.get(URL).content.decode()
    assert IBAN not in page and 'id="verified-iban"' not in page
    with pytest.raises(ApplicationError):  # the owner's identification is not theirs
        refund_iban.set_refund_iban(borrower=other, iban=OTHER_IBAN,
                                    identification_id=owner_ident.pk)  # fmt: skip
    identify(client, URL, sim, other.iin, "biometric", iban=OTHER_IBAN)
    assert refund_iban.verified_refund_iban(borrower).iban == IBAN
    assert refund_iban.verified_refund_iban(other).iban == OTHER_IBAN
    with pytest.raises(ApplicationError):  # nor ask a refund of the owner's plan
        refunds.request_refund(plan_id=world.plan.pk, borrower=other)
