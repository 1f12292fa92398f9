"""Accounts exist only after identification: registration and password reset go through
identification on the real simulator; a squatter can never keep the IIN's owner out, and the
registration form does not tell whether an IIN has an account."""

import re

import pytest
from django.urls import reverse

from borrowers.identification import MSG_BIOMETRIC_MISMATCH, MSG_PHONE_NOT_CONFIRMED
from borrowers.models import Borrower
from bureau_gateway.simulator import open_world
from finplatform.signin import MSG_TOO_MANY_REQUESTS
from tests.factories import PASSWORD, BorrowerFactory, next_iin
from tests.support.identity import identify

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-horse-battery-9"


def _register(client, iin, phone, password=PASSWORD, **extra):
    data = {"iin": iin, "full_name": "Owner Of The Iin", "phone": phone, "email": "",
            "password": password, "password_again": password, "consent": "on"}  # fmt: skip
    return client.post(reverse("borrowers:register"), data, **extra)


def _identify(client, sim, iin, method="biometric", **kwargs):
    return identify(client, reverse("borrowers:enrol"), sim, iin, method, **kwargs)[0]


def _sign_in(client, iin, password):
    client.logout()
    return client.post(reverse("login"), {"iin": iin, "password": password})


def test_registration_creates_the_account_only_after_identification(client, sim):
    iin, phone = next_iin(), "+77011112233"
    sim.set_phone(iin, phone)
    response = _register(client, iin, phone)
    assert response.status_code == 302 and response.url == reverse("borrowers:enrol")
    assert not Borrower.objects.filter(iin=iin).exists()
    assert "_auth_user_id" not in client.session
    response = _identify(client, sim, iin, "eds")
    assert response.status_code == 302 and response.url == reverse("resolution:apply")
    borrower = Borrower.objects.get(iin=iin)
    assert borrower.is_identified and borrower.identification_method == "eds"
    assert client.session["_auth_user_id"] == str(borrower.user.pk)
    assert _sign_in(client, iin, PASSWORD).status_code == 302


def test_the_registration_answer_is_the_same_whether_or_not_the_iin_has_an_account(client):
    taken = BorrowerFactory(identified_at="2026-01-05T10:00:00+05:00").iin
    answers = []
    for iin in (taken, next_iin()):
        response = _register(client, iin, "+77015556677")
        page = client.get(response.url).content.decode()
        answers.append((response.status_code, response.url,
                        re.sub(r'value="[^"]*"', "", page)))  # fmt: skip
    assert answers[0] == answers[1]
    assert "already exists" not in answers[0][2]


def test_a_squatters_unidentified_registration_is_taken_over_by_the_identified_owner(client, sim):
    squatter = BorrowerFactory(phone="+77019990000")  # registered with someone else's IIN
    owner_phone = "+77012223344"
    sim.set_phone(squatter.iin, owner_phone)  # the operator knows the owner's number
    _register(client, squatter.iin, owner_phone, password=NEW_PASSWORD)
    assert _identify(client, sim, squatter.iin).status_code == 302
    borrower = Borrower.objects.get(iin=squatter.iin)
    assert borrower.pk == squatter.pk and borrower.phone == owner_phone
    assert borrower.is_identified  # named by the state register, not by either form
    assert borrower.full_name == open_world.full_name(squatter.iin) != squatter.full_name
    assert _sign_in(client, squatter.iin, PASSWORD).status_code == 200  # the squatter's: no
    assert _sign_in(client, squatter.iin, NEW_PASSWORD).status_code == 302


def test_a_squatter_cannot_pass_identification_for_someone_elses_iin(client, sim):
    owner = BorrowerFactory(identified_at="2026-01-05T10:00:00+05:00")
    sim.set_phone(owner.iin, owner.phone)
    _register(client, owner.iin, "+77019990000", password=NEW_PASSWORD)
    response = _identify(client, sim, owner.iin, selfie="other:face")
    assert str(MSG_BIOMETRIC_MISMATCH) in response.content.decode()
    response = _identify(client, sim, owner.iin)  # the owner's own face, the wrong phone
    assert str(MSG_PHONE_NOT_CONFIRMED) in response.content.decode()
    assert _sign_in(client, owner.iin, NEW_PASSWORD).status_code == 200
    assert _sign_in(client, owner.iin, PASSWORD).status_code == 302  # the owner is untouched


def test_password_reset_by_identification_lifts_the_sign_in_wait(client, sim):
    borrower = BorrowerFactory(identified_at="2026-01-05T10:00:00+05:00")
    sim.set_phone(borrower.iin, borrower.phone)
    for _ in range(6):
        client.post(reverse("login"), {"iin": borrower.iin, "password": "guess"})
    assert "Too many failed attempts" in _sign_in(client, borrower.iin, PASSWORD).content.decode()
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("borrowers:forgot_password") in login_page
    data = {"iin": borrower.iin, "phone": borrower.phone, "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD}  # fmt: skip
    response = client.post(reverse("borrowers:forgot_password"), data)
    assert response.status_code == 302 and response.url == reverse("borrowers:enrol")
    assert _identify(client, sim, borrower.iin).url == reverse("borrowers:portal")
    assert _sign_in(client, borrower.iin, NEW_PASSWORD).status_code == 302  # no wait left


def test_password_reset_by_the_two_factor_check(client, sim):
    borrower = BorrowerFactory()
    sim.set_phone(borrower.iin, borrower.phone, full_name=borrower.full_name)
    data = {"iin": borrower.iin, "phone": borrower.phone, "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD}  # fmt: skip
    client.post(reverse("borrowers:forgot_password"), data)
    assert _identify(client, sim, borrower.iin, "two_factor").status_code == 302
    borrower.refresh_from_db()
    assert borrower.identification_method == "two_factor"
    assert _sign_in(client, borrower.iin, NEW_PASSWORD).status_code == 302


def test_registration_is_throttled_per_client_address(client):
    for _ in range(10):
        assert _register(client, next_iin(), "+77015556677").status_code == 302
    response = _register(client, next_iin(), "+77015556677")
    assert response.status_code == 200
    assert str(MSG_TOO_MANY_REQUESTS) in response.content.decode()
    # another client is not affected
    assert _register(client, next_iin(), "+77015556677", REMOTE_ADDR="127.0.0.9").status_code \
        == 302  # fmt: skip
