"""Issue 15: documents readable on a phone, payment instructions with a QR code, forgiving
input (phones, amounts, passwords kept, one error per field)."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from borrowers.models import Enrolment
from finplatform.clock import BUSINESS_TZ
from finplatform.forms import MSG_AMOUNT, normalize_phone
from finplatform.kzid import MSG_LENGTH
from finplatform.money import format_tenge, tenge_to_tiyn
from portal.forms import ApplicationForm, SimulatedPaymentForm
from tests.factories import PASSWORD, next_iin
from tests.support.endings import active_plan
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


def _register(**overrides):
    data = {"iin": next_iin(), "full_name": "Test Borrower", "phone": "+77019998877",
            "email": "b@example.kz", "password": PASSWORD, "password_again": PASSWORD,
            "consent": "on"}  # fmt: skip
    data.update(overrides)
    return data


# --- documents on a phone -------------------------------------------------------------------


def test_documents_page_summarises_each_document_without_an_iframe(client):
    with time_machine.travel(T0, tick=False):
        world = issued_case()
        client.force_login(world.case.borrower.user)
        page = client.get(reverse("resolution_portal:documents", args=[world.case.pk]))
    html = page.content.decode()
    snapshot = world.case.package.snapshot
    decision = snapshot["decision"]
    assert "<iframe" not in html  # the preview is added by script on wide screens only
    assert html.count('class="facts doc-summary"') == world.case.package.documents.count()
    assert snapshot["borrower"]["full_name"] in html
    for amount in (decision["total_tiyn"], decision["monthly_tiyn"]):
        assert format_tenge(amount) in html
    for creditor in snapshot["creditors"]:
        assert creditor["name"] in html and creditor["bin"] in html
        assert format_tenge(creditor["total_tiyn"]) in html
    assert "mediator" in html.lower() or "медиатор" in html.lower()
    for doc in world.case.package.documents.all():
        assert reverse("resolution_portal:download", args=[doc.pk]) in html


# --- payment instructions -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_schedule_page_shows_payment_details_copy_button_and_qr(client, settings, language):
    settings.PAYMENT_DETAILS = {"recipient": "Recipient LLP", "bin": "990440000017",
                                "iban": "KZ909980000000000123", "bank": "Demo Bank",
                                "knp": "421"}  # fmt: skip
    world = active_plan(language=language)
    client.force_login(world.case.borrower.user)
    html = client.get(reverse("schedules:borrower_schedule"), HTTP_ACCEPT_LANGUAGE=language)
    html = html.content.decode()
    section = html[html.index('id="pay-details"') :]
    for value in ("Recipient LLP", "990440000017", "KZ909980000000000123", "421",
                  world.case.reference):  # fmt: skip
        assert value in section
    assert "<svg" in section and 'class="qr"' in section
    assert "data-copy-text=" in section and "<script" not in section


def test_qr_code_carries_the_same_details():
    from portal.payment_details import payment_instructions

    pay = payment_instructions(reference="FK-TEST-1")
    assert "FK-TEST-1" in pay["text"] and "KZ" in pay["text"]
    assert str(pay["qr_svg"]).lstrip().startswith("<svg")


# --- forgiving input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["8 701 234 56 78", "+7 (701) 234-56-78", "87012345678", "+77012345678", "7012345678",
     "8(701)2345678"],
)  # fmt: skip
def test_phones_as_people_write_them(typed):
    assert normalize_phone(typed) == "+77012345678"


def test_registration_accepts_a_phone_written_with_spaces_and_stores_it_normalised(client):
    data = _register(phone="8 701 234 56 78")
    response = client.post(reverse("borrowers:register"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Enrolment.objects.get(iin=data["iin"]).phone == "+77012345678"


def test_a_short_iin_shows_one_error(client):
    response = client.post(reverse("borrowers:register"), _register(iin="12345"))
    assert [str(e) for e in response.context["form"].errors["iin"]] == [str(MSG_LENGTH)]


def test_passwords_are_kept_when_another_field_fails_and_cleared_when_they_fail(client):
    response = client.post(reverse("borrowers:register"), _register(iin="12345"))
    assert f'value="{PASSWORD}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    response = client.post(reverse("borrowers:register"), _register(password_again="other"))
    assert PASSWORD not in response.content.decode()


@pytest.mark.parametrize("text", ["1e5", "1E5", "NaN", "Infinity", "1,234.56", "0x10"])
def test_scientific_notation_and_other_non_amounts_are_refused(text):
    with pytest.raises(ValueError):
        tenge_to_tiyn(text)


@pytest.mark.parametrize(
    ("text", "tiyn"), [("150 000", 15_000_000), ("150 000,50", 15_000_050),
                       ("150\u00a0000.5", 15_000_050), ("12 500 ₸", 1_250_000)],
)  # fmt: skip
def test_amounts_with_spaces_or_a_comma_are_accepted(text, tiyn):
    assert tenge_to_tiyn(text) == tiyn
    form = ApplicationForm({"consent": "on", "declared_monthly_income": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["declared_monthly_income"] == tiyn


def test_income_and_payment_forms_refuse_1e5():
    form = ApplicationForm({"consent": "on", "declared_monthly_income": "1e5"})
    assert not form.is_valid()
    assert [str(e) for e in form.errors["declared_monthly_income"]] == [str(MSG_AMOUNT)]
    key = "6f1c2f4e-3a52-4b8e-9d1a-0f3e2b1c4d5e"
    payment = SimulatedPaymentForm({"amount": "1e5", "idempotency_key": key})
    assert not payment.is_valid() and "amount" in payment.errors


def test_every_page_links_a_favicon_that_exists(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_messages_are_a_list_inside_a_status_region(rf):
    """axe: a list item's parent must be a list (role="status" on the <ul> broke that)."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("base.html", {"messages": ["Hello"]}, request=request)
    assert '<div role="status"><ul class="messages"><li' in html
