"""Registration proves the phone before identification (issue 15 with issue 19): a code is
texted to the phone given, typed back with limited attempts before it expires. The code shows
the phone is in the person's hands; it identifies nobody — without EDS or biometrics there is
still no account."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from borrowers import enrolment
from borrowers.enrolment import MSG_PHONE_FIRST
from borrowers.identification import Answer
from borrowers.models import Borrower, Enrolment
from finplatform.errors import ApplicationError
from finplatform.onetime_codes import MSG_CODE_EXPIRED, MSG_TOO_MANY_ATTEMPTS, MSG_WRONG_CODE
from tests.factories import PASSWORD, next_iin
from tests.support.identity import identify, start, texted_code

pytestmark = pytest.mark.django_db
ENROL = "borrowers:enrol"


def _register(client, sim, phone="+77013334455"):
    iin = next_iin()
    sim.set_phone(iin, phone)
    data = {"iin": iin, "full_name": "Жаңа Адам", "phone": "8 (701) 333-44-55", "email": "",
            "password": PASSWORD, "password_again": PASSWORD, "consent": "on"}  # fmt: skip
    assert client.post(reverse("borrowers:register"), data).url == reverse(ENROL)
    return iin


def _send(client, code):
    return client.post(reverse(ENROL), {"action": "confirm_phone", "code": code})


def test_the_phone_is_confirmed_by_the_texted_code_before_identification(client, sim):
    iin = _register(client, sim)
    code = texted_code(sim, "+77013334455")
    page = client.get(reverse(ENROL)).content.decode()
    assert 'value="confirm_phone"' in page and 'value="biometric"' not in page
    assert start(client, reverse(ENROL), "biometric").status_code == 200  # no challenge yet
    assert "identity_challenge" not in client.session
    response = _send(client, code)
    assert response.status_code == 302
    assert Enrolment.objects.get(iin=iin).phone_confirmed_at is not None
    assert not Borrower.objects.filter(iin=iin).exists()  # the code identified nobody
    assert identify(client, reverse(ENROL), sim, iin)[0].url == reverse("resolution:apply")
    assert Borrower.objects.get(iin=iin).identification_method == "biometric"


def test_wrong_codes_are_limited_and_a_code_expires(client, sim, settings):
    iin = _register(client, sim)
    code = texted_code(sim, "+77013334455")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert str(MSG_WRONG_CODE) in _send(client, wrong).content.decode()
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        _send(client, wrong)
    assert str(MSG_TOO_MANY_ATTEMPTS) in _send(client, code).content.decode()  # even the right one
    assert Enrolment.objects.get(iin=iin).phone_confirmed_at is None
    client.post(reverse(ENROL), {"action": "resend_code"})
    fresh = texted_code(sim, "+77013334455")
    later = timezone.now() + timedelta(seconds=settings.OTP_TTL_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert str(MSG_CODE_EXPIRED) in _send(client, fresh).content.decode()
    assert Enrolment.objects.get(iin=iin).phone_confirmed_at is None


def test_identification_is_refused_by_the_service_while_the_phone_is_unconfirmed(sim):
    row = enrolment.start_enrolment(purpose="register", iin=next_iin(), phone="+77013334455",
                                    password=PASSWORD, full_name="X", consent=True)  # fmt: skip
    with pytest.raises(ApplicationError) as refused:
        enrolment.enrol_identified(enrolment=row, method="biometric", challenge=None,
                                   answer=Answer())  # fmt: skip
    assert refused.value.message == MSG_PHONE_FIRST
