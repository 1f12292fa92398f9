"""A user reaches only their own data: other organisations' loans are 404, not 403."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, BorrowerFactory, CreditorStaffFactory, LoanFactory

pytestmark = pytest.mark.django_db


def test_creditor_sees_own_loan_and_gets_404_for_another_organisations(client):
    alice = CreditorStaffFactory()
    bob = CreditorStaffFactory()
    own = LoanFactory(creditor=alice.creditor, contract_number="OWN-1")
    theirs = LoanFactory(creditor=bob.creditor, contract_number="THEIRS-1")
    client.force_login(alice.user)

    response = client.get(reverse("creditors:loan_detail", args=[own.pk]))
    assert response.status_code == 200
    assert "OWN-1" in response.content.decode()

    response = client.get(reverse("creditors:loan_detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert "THEIRS-1" not in response.content.decode()

    listing = client.get(reverse("creditors:dashboard")).content.decode()
    assert "OWN-1" in listing
    assert "THEIRS-1" not in listing


def test_borrower_cannot_open_creditor_dashboard(client):
    borrower = BorrowerFactory()
    client.force_login(borrower.user)
    assert client.get(reverse("creditors:dashboard")).status_code == 403


def test_borrower_portal_lists_only_own_loans(client):
    me = BorrowerFactory()
    other = BorrowerFactory()
    LoanFactory(borrower_iin=me.iin, contract_number="MINE-7")
    LoanFactory(borrower_iin=other.iin, contract_number="NOT-MINE-8")
    client.force_login(me.user)
    page = client.get(reverse("borrowers:portal")).content.decode()
    assert "MINE-7" in page
    assert "NOT-MINE-8" not in page


def test_borrower_logs_in_with_iin_and_password(client):
    borrower = BorrowerFactory()
    response = client.post(reverse("login"), {"iin": borrower.iin, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("borrowers:portal")


def test_borrower_login_with_wrong_password_shows_error_next_to_form(client):
    borrower = BorrowerFactory()
    response = client.post(
        reverse("login"), {"iin": borrower.iin, "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "The IIN or password is wrong" in response.content.decode()


def test_borrower_login_with_invalid_iin_gets_field_error(client):
    response = client.post(
        reverse("login"), {"iin": "123456789012", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_creditor_staff_login_lands_on_dashboard(client):
    staff = CreditorStaffFactory()
    response = client.post(
        reverse("staff_login"), {"username": staff.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("creditors:dashboard")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("borrowers:portal"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_borrower_login_locks_after_five_failures_even_with_the_right_password(client):
    borrower = BorrowerFactory()
    for _ in range(5):
        client.post(reverse("login"), {"iin": borrower.iin, "password": "nope"})
    response = client.post(
        reverse("login"), {"iin": borrower.iin, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_login_locks_after_five_failures(client):
    staff = CreditorStaffFactory()
    for _ in range(5):
        client.post(reverse("staff_login"), {"username": staff.user.username, "password": "x"})
    response = client.post(
        reverse("staff_login"), {"username": staff.user.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_language_switch_is_saved_to_the_borrowers_profile(client):
    borrower = BorrowerFactory(preferred_language="ru")
    client.force_login(borrower.user)
    response = client.post(reverse("set_language"), {"language": "kk", "next": "/portal/"})
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.preferred_language == "kk"
    assert client.get(reverse("borrowers:portal")).headers["Content-Language"] == "kk"


def test_unknown_page_gets_the_404_page_not_a_trace(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()
