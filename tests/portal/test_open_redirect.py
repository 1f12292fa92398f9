"""Sign-in never sends the user off-site through `next` (open redirect, issue 16 #8)."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from tests.factories import PASSWORD, BorrowerFactory, CreditorStaffFactory

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/phish", "//evil.example/x", "/\\evil.example", "http:evil.example",
    "javascript:alert(1)", "https://evil.example@testserver/", " https://evil.example/",
]  # fmt: skip


@pytest.mark.parametrize("target", OFF_SITE)
def test_borrower_login_ignores_an_off_site_next(client, target):
    borrower = BorrowerFactory()
    response = client.post(
        reverse("login") + "?" + urlencode({"next": target}),
        {"iin": borrower.iin, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("home"), response.url


def test_borrower_login_keeps_a_local_next(client):
    borrower = BorrowerFactory()
    target = reverse("borrowers:portal")
    response = client.post(
        f"{reverse('login')}?next={target}", {"iin": borrower.iin, "password": PASSWORD}
    )
    assert response.url == target


@pytest.mark.parametrize("target", OFF_SITE[:3])
def test_staff_login_ignores_an_off_site_next(client, target):
    staff = CreditorStaffFactory()
    response = client.post(
        reverse("staff_login") + "?" + urlencode({"next": target}),
        {"username": staff.user.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url
