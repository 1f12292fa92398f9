"""The web forms fuzzed with Hypothesis: oversized input, Kazakh/Cyrillic/Latin/Arabic/Hebrew
mixes, zero-width, bidi and control characters, NUL bytes (PostgreSQL refuses \\x00 in text),
empty values, and HTML/JS/SQL/template injection strings.

For every form: never a 5xx; a refused submission shows field errors and saves nothing; an
accepted one stores the text and every page showing it escapes it.
"""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borrowers.models import Borrower, Complaint, ComplaintMessage
from creditors.models import PayoutDetails
from resolution.models import Case, CaseStatus, DebtConfirmation
from tests.factories import BorrowerFactory, CreditorStaffFactory
from tests.support.identity import identify
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

LETTERS = (
    "abcxyzABC"  # Latin
    "абвжщъЁЖЩ"  # Cyrillic
    "әғқңөұүһіӘҒҚҢӨҰҮҺІ"  # Kazakh
    "مرحباعربي"  # Arabic (RTL)
    "שלוםעברית"  # Hebrew (RTL)
    "0123456789 .,-+@"
)
NASTY = (
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    "\u202a\u202b\u202d\u202e\u200e\u200f\u2066\u2069"  # bidi controls
    "\x00\x01\x07\x08\x1b\x7f\t\n\r\x85\u2028"  # NUL and other control characters
    "<>&\"';%\\/`${}"
)
INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE auth_user; --",
    "' OR '1'='1",
    "{{ 7*7 }}{% debug %}",
    "javascript:alert(document.cookie)",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "../../../../etc/passwd",
    "%00%27%22",
    "NaN",
    "Infinity",
    "-0",
    "1e400",
    "sNaN",
    "99999999999999999999999999",
]
text = st.one_of(
    st.text(st.sampled_from(LETTERS + NASTY), max_size=120),
    st.sampled_from(INJECTIONS),
    st.builds(
        lambda s, n: s * n,
        st.sampled_from(["A", "ә", "\u200b", "<", "\x00"]),
        st.integers(1_000, 60_000),
    ),  # fmt: skip
    st.just(""),
)


def _no_5xx(response) -> None:
    assert response.status_code < 500, response.status_code


def _shows_errors(response) -> None:
    """A refused form answers 200/400 with the errors on the page, not a redirect."""
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    assert "field-error" in html or 'class="error"' in html or "errorlist" in html


def _shown_escaped(text: str, html: str) -> None:
    """Every line of the stored text is on the page, escaped (line breaks may become <br>)."""
    for line in re.split(r"[\r\n]+", text):
        assert escape(line) in html, line


def _no_raw_markup(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html


# --- anonymous forms ---------------------------------------------------------------------


@FUZZ
@given(iin=text, full_name=text, phone=text, email=text, password=text)
def test_registration_never_500_and_saves_all_or_nothing(client, iin, full_name, phone, email,
                                                         password):  # fmt: skip
    users, borrowers = _count_users(), Borrower.objects.count()
    response = client.post("/portal/register/", {
        "iin": iin, "full_name": full_name, "phone": phone, "email": email,
        "password": password, "password_again": password, "consent": "on",
    })  # fmt: skip
    _no_5xx(response)
    if response.status_code == 302:  # accepted: a whole account, and its name escaped
        borrower = Borrower.objects.get(iin=iin)
        assert borrower.user.username == iin
        client.logout()
    else:
        _shows_errors(response)
        assert (_count_users(), Borrower.objects.count()) == (users, borrowers)
        _no_raw_markup(response.content.decode())


def _count_users() -> int:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.count()


@FUZZ
@given(iin=text, password=text)
def test_borrower_login_never_500(client, iin, password):
    response = client.post("/login/", {"iin": iin, "password": password})
    _no_5xx(response)
    _shows_errors(response)
    _no_raw_markup(response.content.decode())


@FUZZ
@given(username=text, password=text)
def test_staff_login_never_500(client, username, password):
    response = client.post("/staff/login/", {"username": username, "password": password})
    _no_5xx(response)
    _shows_errors(response)


def test_a_registration_with_markup_in_the_name_is_named_by_the_register(client, sim):
    from datetime import date

    from bureau_gateway.simulator import open_world
    from finplatform.kzid import make_iin

    iin = make_iin(date(1990, 5, 17), serial=4321)
    name = "Әлия <script>alert(1)</script> \u202eשלום"
    response = client.post("/portal/register/", {
        "iin": iin, "full_name": name, "phone": "+77011234567", "email": "",
        "password": "a-Long-pass-2026!", "password_again": "a-Long-pass-2026!", "consent": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    sim.set_phone(iin, "+77011234567")  # the identity simulator knows the person
    identify(client, "/portal/register/identify/", sim, iin, "biometric")
    # the typed name is not the legal one: the identity source's is (borrowers/identification)
    assert Borrower.objects.get(iin=iin).full_name == open_world.full_name(iin)
    for page in ("/portal/apply/", "/portal/"):
        _no_raw_markup(client.get(page).content.decode())


# --- borrower forms --------------------------------------------------------------------------


@pytest.fixture
def borrower_client(client):
    borrower = BorrowerFactory()
    client.force_login(borrower.user)
    return client, borrower


@FUZZ
@given(subject=text, body=text, language=st.sampled_from(["ru", "kk", "en", "xx", "", "\x00"]))
def test_complaint_form(borrower_client, subject, body, language):
    client, borrower = borrower_client
    before = Complaint.objects.count()
    response = client.post("/portal/complaints/", {"subject": subject, "body": body,
                                                   "language": language})  # fmt: skip
    _no_5xx(response)
    if response.status_code == 302:
        complaint = Complaint.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
        assert complaint.borrower_id == borrower.pk
        page = client.get(response["Location"]).content.decode()
        _shown_escaped(complaint.subject, page)
        _no_raw_markup(page)
        _no_raw_markup(client.get("/portal/complaints/").content.decode())
    else:
        _shows_errors(response)
        assert Complaint.objects.count() == before


@FUZZ
@given(body=text)
def test_complaint_message_form(borrower_client, body):
    client, borrower = borrower_client
    complaint = Complaint.objects.filter(borrower=borrower).first()
    if complaint is None:
        r = client.post("/portal/complaints/", {"subject": "Почему?", "body": "Тексты",
                                                "language": "ru"})  # fmt: skip
        assert r.status_code == 302
        complaint = Complaint.objects.get(borrower=borrower)
    before = ComplaintMessage.objects.count()
    response = client.post(f"/portal/complaints/{complaint.pk}/", {"body": body})
    _no_5xx(response)
    if response.status_code == 302:
        page = client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
        assert ComplaintMessage.objects.count() == before + 1
        for message in ComplaintMessage.objects.filter(complaint=complaint):
            _shown_escaped(message.body, page)
        _no_raw_markup(page)
    else:
        _shows_errors(response)
        assert ComplaintMessage.objects.count() == before


@FUZZ
@given(income=text, vulnerable=st.sampled_from(["on", "", "\x00", "<b>"]))
def test_apply_form(client, income, vulnerable):
    from django.utils import timezone

    borrower = BorrowerFactory(identified_at=timezone.now())
    client.force_login(borrower.user)
    data = {"declared_monthly_income": income, "declared_vulnerable": vulnerable}
    # without consent: always refused, nothing saved
    response = client.post("/portal/apply/", data)
    _no_5xx(response)
    _shows_errors(response)
    assert not Case.objects.filter(borrower=borrower).exists()
    response = client.post("/portal/apply/", {**data, "consent": "on"})
    _no_5xx(response)
    if response.status_code != 302:
        _shows_errors(response)
        assert not Case.objects.filter(borrower=borrower).exists()


@FUZZ
@given(method=text, answer=text, certificate=text)
def test_identification_answer_form(borrower_client, method, answer, certificate):
    client, borrower = borrower_client
    client.post("/portal/identify/", {"action": "start", "method": method})
    response = client.post("/portal/identify/", {
        "action": "identify", "challenge_answer": answer, "selfie_token": answer,
        "certificate": certificate, "signature": answer,
    })  # fmt: skip
    _no_5xx(response)
    assert response.status_code != 302  # nothing started, or a guessed answer: no match
    borrower.refresh_from_db()
    assert not borrower.is_identified


# --- creditor forms --------------------------------------------------------------------------


@FUZZ
@given(iban=text, bic=text, bank=text, beneficiary=text,
       reason=st.one_of(text, st.just("new account")))  # fmt: skip
def test_payout_details_form(client, iban, bic, bank, beneficiary, reason):
    staff = CreditorStaffFactory()
    client.force_login(staff.user)
    before = PayoutDetails.objects.count()
    response = client.post("/creditor/payout-details/", {
        "iban": iban, "bank_bic": bic, "bank_name": bank, "beneficiary_name": beneficiary,
        "reason": reason,
    })  # fmt: skip
    _no_5xx(response)
    if response.status_code == 302:
        page = client.get("/creditor/payout-details/").content.decode()
        _no_raw_markup(page)
    else:
        _shows_errors(response)
        assert PayoutDetails.objects.count() == before


@pytest.fixture
def creditor_case(client):
    world = awaiting_case()
    client.force_login(world.staff[0])
    return client, world


@FUZZ
@given(principal=text, interest=text, penalty=text, comment=text)
def test_correction_form(creditor_case, principal, interest, penalty, comment):
    client, world = creditor_case
    loan = world.loans[0]
    before = DebtConfirmation.objects.count()
    p = f"c{loan.pk.hex}"
    response = client.post(f"/creditor/case-loans/{loan.pk}/correct/", {
        f"{p}-principal": principal, f"{p}-interest": interest, f"{p}-penalty": penalty,
        f"{p}-comment": comment,
    })  # fmt: skip
    _no_5xx(response)
    if DebtConfirmation.objects.count() == before:
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            _shows_errors(response)
    else:  # accepted once; the comment is shown escaped on the case page
        page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
        _no_raw_markup(page)


@FUZZ
@given(reason=text)
def test_dispute_form(creditor_case, reason):
    client, world = creditor_case
    loan = world.loans[0]
    before = DebtConfirmation.objects.count()
    response = client.post(f"/creditor/case-loans/{loan.pk}/dispute/",
                           {f"d{loan.pk.hex}-reason": reason})  # fmt: skip
    _no_5xx(response)
    if DebtConfirmation.objects.count() == before and response.status_code == 400:
        _shows_errors(response)
    page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
    _no_raw_markup(page)


# --- signing ---------------------------------------------------------------------------------


@FUZZ
@given(code=text, signature=text)
def test_signing_forms(signing_case, code, signature):
    client, case = signing_case
    response = client.post(f"/portal/cases/{case.pk}/sign/", {"code": code})
    _no_5xx(response)
    response = client.post(f"/portal/cases/{case.pk}/sign/eds/", {"signature": signature})
    _no_5xx(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCUMENTS_ISSUED  # nothing guessed its way to signed


@pytest.fixture
def signing_case(client):
    from tests.support.workflow import issued_case

    world = issued_case()
    client.force_login(world.case.borrower.user)
    return client, world.case
