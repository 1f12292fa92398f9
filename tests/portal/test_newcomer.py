"""A newcomer gets through alone (issue 15, points 1, 2, 3 and 6): the front page from the
current policy, the dev inbox (and its absence in production), truthful identification
messages with a fallback that reaches staff, and a next step for a check that gave up."""

import importlib

import pytest
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone

from borrowers.identification import (
    MSG_BIOMETRIC_MISMATCH,
    MSG_IDENTITY_UNAVAILABLE,
    MSG_IDENTITY_UNKNOWN,
)
from borrowers.models import HelpKind, HelpRequest
from bureau_gateway.adapters import get_adapter
from bureau_gateway.simulator import open_world
from finplatform import urls as root_urls
from finplatform.money import format_tenge
from outbox.models import OutboxMessage
from portal import root_urls as portal_root_urls
from resolution.models import CaseStatus, CheckState, EligibilityCheck, EligibilityPolicy
from resolution.services import eligibility
from tests.factories import PASSWORD, BorrowerFactory, CaseFactory
from tests.support.bureau import open_world_iin, random_open_world_iin
from tests.support.identity import confirm_phone, identify, start

pytestmark = pytest.mark.django_db


def _register(client, iin, phone):
    data = {"iin": iin, "full_name": "New Comer", "phone": phone, "email": "",
            "password": PASSWORD, "password_again": PASSWORD, "consent": "on"}  # fmt: skip
    return client.post(reverse("borrowers:register"), data)


# --- the front page ---


def test_front_page_shows_the_current_policy_and_the_ways_in(client):
    EligibilityPolicy.objects.create(max_total_tiyn=6_500_000_00, min_creditors=3,
                                     min_overdue_days=30, note="test")  # fmt: skip
    page = client.get("/").content.decode()
    assert format_tenge(6_500_000_00) in page and "at least 3 different creditors" in page
    assert "30 days overdue" in page
    for name in ("borrowers:register", "login", "borrowers:forgot_password"):
        assert f'href="{reverse(name)}"' in page


@pytest.mark.parametrize("language, words", [("ru", "кредитор"), ("kk", "кредитор")])
def test_front_page_speaks_the_visitors_language(language, words):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
    assert f'lang="{language}"' in page and words in page.lower()


def test_signed_in_borrower_still_goes_to_the_portal(client):
    borrower = BorrowerFactory()
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    assert client.get("/").url == reverse("borrowers:portal")


# --- the dev inbox ---


def test_a_brand_new_open_world_iin_identifies_by_biometrics_and_the_dev_inbox_shows_its_sms(
    client, sim
):
    iin, phone = random_open_world_iin(), "+77017771122"
    _register(client, iin, phone)  # no control call: the open world knows the person and face
    response, _answer = identify(client, reverse("borrowers:enrol"), sim, iin, "biometric")
    assert response.status_code == 302 and response.url == reverse("resolution:apply")
    # SMS remain notifications (an SMS code identifies nobody); the dev inbox shows them
    get_adapter("sms").send(phone=phone, text="Finkelisim: your signing code is 482913",
                            dedup_key=f"test:{iin}")  # fmt: skip
    page = client.get(reverse("dev_inbox")).content.decode()
    assert phone in page and "482913" in page


def test_there_is_no_dev_inbox_in_production(client):
    try:
        with override_settings(LOCAL=False):
            importlib.reload(portal_root_urls)
            importlib.reload(root_urls)
            clear_url_caches()
            with pytest.raises(NoReverseMatch):
                reverse("dev_inbox")
            assert client.get("/dev/inbox/").status_code == 404
    finally:
        importlib.reload(portal_root_urls)
        importlib.reload(root_urls)
        clear_url_caches()
    assert reverse("dev_inbox") == "/dev/inbox/"


# --- identification that can be recovered ---


def test_unknown_person_is_told_so_not_that_the_service_is_down(client, sim):
    _register(client, open_world_iin(open_world.UNKNOWN), "+77017771133")
    url = reverse("borrowers:enrol")
    confirm_phone(client, url, sim)
    for method in ("biometric", "two_factor"):
        page = start(client, url, method).content.decode().replace("&#x27;", "'")
        assert str(MSG_IDENTITY_UNKNOWN) in page and str(MSG_IDENTITY_UNAVAILABLE) not in page
        assert 'value="help_callback"' in page and 'value="identity_unknown"' in page


def test_a_wrong_face_and_a_service_outage_each_get_their_own_message(client, sim):
    iin = random_open_world_iin()
    _register(client, iin, "+77017771144")
    url = reverse("borrowers:enrol")
    response, _answer = identify(client, url, sim, iin, "biometric", selfie="other:face")
    page = response.content.decode().replace("&#x27;", "'")
    assert str(MSG_BIOMETRIC_MISMATCH) in page and str(MSG_IDENTITY_UNKNOWN) not in page
    sim.fault("identity", "down", count=10)
    page = start(client, url, "biometric").content.decode().replace("&#x27;", "'")
    assert str(MSG_IDENTITY_UNAVAILABLE) in page and str(MSG_IDENTITY_UNKNOWN) not in page


def test_a_call_back_request_reaches_staff_once(client, sim, admin_client):
    iin = open_world_iin(open_world.UNKNOWN)
    _register(client, iin, "+77017771155")
    url = reverse("borrowers:enrol")
    for _ in range(2):  # asked twice: one task
        response = client.post(url, {"action": "help_callback", "reason": "identity_unknown"})
        assert response.status_code == 302
    request = HelpRequest.objects.get(iin=iin)
    assert request.kind == HelpKind.CALLBACK and request.reason == "identity_unknown"
    assert request.phone == "+77017771155"
    listing = admin_client.get(reverse("admin:borrowers_helprequest_changelist") + "?open=yes")
    assert iin in listing.content.decode()


# --- every state has a next step ---


def _failed_case(borrower, *, code="malformed_response"):
    case = CaseFactory(borrower=borrower, status=CaseStatus.CHECKING,
                       submitted_at=timezone.now())  # fmt: skip
    EligibilityCheck.objects.create(
        case=case, started_at=timezone.now(), state=CheckState.ERROR, error_code=code, attempts=1
    )
    return case


def test_a_failed_check_shows_the_next_step_and_a_retry_that_runs_once(client):
    borrower = BorrowerFactory(identified_at=timezone.now())
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    case = _failed_case(borrower)
    url = reverse("resolution:case", kwargs={"reference": case.reference})
    page = client.get(url).content.decode()
    assert 'id="next-step"' in page and 'id="retry-check"' in page
    assert "data-status-url" not in page  # nothing to poll
    status = client.get(reverse("resolution:case_status", kwargs={"reference": case.reference}))
    assert status.json()["checking"] is False  # a page that was polling stops
    retry = reverse("resolution:case_retry", kwargs={"reference": case.reference})
    for _ in range(3):  # a double click (and a third) enqueue one run
        assert client.post(retry).status_code == 302
    assert (
        OutboxMessage.objects.filter(dedup_key__startswith=f"eligibility-retry:{case.pk}").count()
        == 1
    )
    assert EligibilityCheck.objects.get(case=case).state == CheckState.RUNNING
    assert 'id="retry-check"' not in client.get(url).content.decode()


def test_nobody_retries_someone_elses_check(client):
    other = _failed_case(BorrowerFactory(identified_at=timezone.now()))
    me = BorrowerFactory(identified_at=timezone.now())
    client.force_login(me.user, backend="borrowers.auth.IINBackend")
    response = client.post(reverse("resolution:case_retry", kwargs={"reference": other.reference}))
    assert response.status_code == 404
    assert EligibilityCheck.objects.get(case=other).state == CheckState.ERROR


def test_staff_see_checks_that_gave_up_in_the_needs_a_person_list(admin_client):
    failed = _failed_case(BorrowerFactory())
    fine = CaseFactory(status=CaseStatus.CHECKING)
    page = admin_client.get(reverse("admin:resolution_case_changelist") + "?needs_person=yes")
    content = page.content.decode()
    assert failed.reference in content and fine.reference not in content


def test_retry_is_refused_while_a_run_is_fresh():
    case = _failed_case(BorrowerFactory())
    assert eligibility.retry_eligibility_check(case=case) is True
    assert eligibility.retry_eligibility_check(case=case) is False
