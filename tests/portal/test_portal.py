"""The borrower's pages: registration, identification, application, case page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from borrowers.identification import MSG_LIVENESS_FAILED, MSG_PHONE_NOT_CONFIRMED
from borrowers.models import Borrower
from finplatform.kzid import MSG_CHECK_DIGIT
from portal.forms import MSG_APPLY_CONSENT, MSG_CONSENT
from portal.views.application import EGOV_BANKRUPTCY_URL
from resolution.models import CaseStatus
from resolution.services import eligibility as services
from tests.factories import PASSWORD, BorrowerFactory, CaseFactory, next_iin
from tests.support.bureau import loan, org
from tests.support.identity import identify

pytestmark = pytest.mark.django_db


def _register_data(**overrides):
    data = {"iin": next_iin(), "full_name": "Test Borrower", "phone": "+77019998877",
            "email": "b@example.kz", "password": PASSWORD, "password_again": PASSWORD,
            "consent": "on"}  # fmt: skip
    data.update(overrides)
    return data


def _errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_registration_with_an_invalid_iin_is_a_field_error(client):
    good = next_iin()
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    response = client.post(reverse("borrowers:register"), _register_data(iin=bad))
    assert response.status_code == 200
    assert _errors(response, "iin") == [str(MSG_CHECK_DIGIT)]
    assert not Borrower.objects.filter(iin=bad).exists()


def test_registration_without_consent_is_a_field_error(client):
    data = _register_data()
    del data["consent"]
    response = client.post(reverse("borrowers:register"), data)
    assert _errors(response, "consent") == [str(MSG_CONSENT)]
    assert not Borrower.objects.filter(iin=data["iin"]).exists()


def _signed_in(client, **kwargs):
    borrower = BorrowerFactory(**kwargs)
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    return borrower


def test_phone_not_registered_to_the_iin_fails_identification(client, sim):
    borrower = _signed_in(client)
    sim.set_phone(borrower.iin, "+77000000001")  # the operator knows another number
    url = reverse("borrowers:identify")
    response, _answer = identify(client, url, sim, borrower.iin, "biometric")
    assert str(MSG_PHONE_NOT_CONFIRMED) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.identified_at is None and sim.sms(borrower.phone) == []


def test_biometric_identification_refuses_a_photo_and_accepts_a_live_face(client, sim):
    borrower = _signed_in(client)
    sim.set_phone(borrower.iin, borrower.phone)  # the identity simulator knows the person
    url = reverse("borrowers:identify")
    response, _answer = identify(client, url, sim, borrower.iin, "biometric", selfie="photo:1")
    assert str(MSG_LIVENESS_FAILED) in response.content.decode()
    borrower.refresh_from_db()
    assert borrower.identified_at is None
    response, _answer = identify(client, url, sim, borrower.iin, "biometric")
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.identification_method == "biometric"


def test_unidentified_borrower_is_sent_to_identification(client):
    _signed_in(client)
    response = client.get(reverse("resolution:apply"))
    assert response.status_code == 302 and response.url == reverse("borrowers:identify")


def test_apply_without_consent_is_a_field_error(client):
    borrower = _signed_in(client, identified_at=timezone.now())
    response = client.post(reverse("resolution:apply"), {"declared_monthly_income": "250000"})
    assert _errors(response, "consent") == [str(MSG_APPLY_CONSENT)]
    assert not borrower.cases.exists()


def test_apply_then_a_second_application_is_refused_with_the_clear_message(client):
    borrower = _signed_in(client, identified_at=timezone.now())
    data = {"consent": "on", "declared_vulnerable": "on", "declared_monthly_income": "250000.50"}
    response = client.post(reverse("resolution:apply"), data)
    case = borrower.cases.get()
    assert response.status_code == 302
    assert response.url == reverse("resolution:case", args=[case.reference])
    assert case.declared_vulnerable and case.declared_monthly_income_tiyn == 250_000_50
    response = client.post(reverse("resolution:apply"), {"consent": "on"})
    assert response.status_code == 200
    assert str(services.MSG_ALREADY_APPLIED) in response.context["form"].non_field_errors()
    assert borrower.cases.count() == 1


def test_case_page_shows_progress_then_every_rule_and_the_egov_pointer(client, sim):
    borrower = _signed_in(client, identified_at=timezone.now())
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("bank"), kind="car", secured=True)])
    case = services.submit_application(
        borrower=borrower,
        consent=True,
        declared_vulnerable=False,
        declared_monthly_income_tiyn=None,
        actor=borrower.user,
    )
    url = reverse("resolution:case", args=[case.reference])
    page = client.get(url).content.decode()
    assert 'id="check-progress"' in page
    status = client.get(reverse("resolution:case_status", args=[case.reference])).json()
    assert status["checking"] is True and status["status"] == "submitted"

    services.run_eligibility_check(case_id=case.pk)
    page = client.get(url).content.decode()
    assert 'id="check-progress"' not in page
    assert page.count('class="pass"') == 5 and page.count('class="fail"') == 1
    assert EGOV_BANKRUPTCY_URL in page
    assert "Secured by collateral" in page or "Not a consumer loan" in page
    status = client.get(reverse("resolution:case_status", args=[case.reference])).json()
    assert status == status | {
        "checking": False,
        "status": CaseStatus.INELIGIBLE,
        "eligible": False,
    }


def test_eligible_case_page_gives_each_reason_and_no_bankruptcy_pointer(client, sim):
    borrower = _signed_in(client, identified_at=timezone.now())
    sim.put_report(borrower.iin, [loan(org("bank")), loan(org("mfo"))])
    case = services.submit_application(
        borrower=borrower,
        consent=True,
        declared_vulnerable=False,
        declared_monthly_income_tiyn=None,
        actor=borrower.user,
    )
    services.run_eligibility_check(case_id=case.pk)
    page = client.get(reverse("resolution:case", args=[case.reference]),
                      headers={"accept-language": "en"}).content.decode()  # fmt: skip
    assert "You have not taken part in a signed procedure before." in page
    assert EGOV_BANKRUPTCY_URL not in page  # eligible: no bankruptcy pointer


def test_another_borrowers_case_is_not_found(client):
    other_case = CaseFactory(status=CaseStatus.SUBMITTED)
    _signed_in(client, identified_at=timezone.now())
    assert client.get(reverse("resolution:case", args=[other_case.reference])).status_code == 404
    url = reverse("resolution:case_status", args=[other_case.reference])
    assert client.get(url).status_code == 404


def test_creditor_staff_cannot_open_borrower_pages(client):
    from tests.factories import CreditorStaffFactory

    staff = CreditorStaffFactory()
    client.force_login(staff.user)
    assert client.get(reverse("resolution:apply")).status_code == 403
