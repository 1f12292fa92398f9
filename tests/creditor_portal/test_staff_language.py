"""Issue 15, point 9: each creditor staff member has a language of their own. Signing in
opens the dashboard in it (whatever the login page was read in), "My language" changes it
for the signed-in person only, and the organisation's notices keep its own language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from creditors.models import CreditorStaff
from tests.factories import PASSWORD, CreditorStaffFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_a_kazakh_preferring_staff_member_signs_in_and_sees_the_dashboard_in_kazakh(client):
    staff = CreditorStaffFactory(preferred_language="kk")
    client.cookies[COOKIE] = "en"  # the login page was read in English
    response = client.post(reverse("staff_login"),
                           {"username": staff.user.username, "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302 and response.cookies[COOKIE].value == "kk"
    page = client.get(reverse("creditors:dashboard")).content.decode()
    assert '<html lang="kk">' in page
    cases = _in("kk", "Cases")
    assert cases != "Cases" and f">{cases}</h2>" in page
    assert ">Cases</h2>" not in page


def test_a_failed_sign_in_leaves_the_language_alone(client):
    staff = CreditorStaffFactory(preferred_language="kk")
    response = client.post(reverse("staff_login"),
                           {"username": staff.user.username, "password": "wrong"})  # fmt: skip
    assert response.status_code == 200 and COOKIE not in response.cookies


def test_without_a_language_cookie_the_staff_members_own_language_wins(client):
    staff = CreditorStaffFactory(preferred_language="kk")
    client.force_login(staff.user)  # no sign-in page, no cookie: Accept-Language is English
    page = client.get(reverse("creditors:dashboard")).content.decode()
    assert '<html lang="kk">' in page


def test_my_language_changes_only_the_signed_in_persons_own_preference(client):
    me = CreditorStaffFactory(preferred_language="ru")
    colleague = CreditorStaffFactory(creditor=me.creditor, preferred_language="ru")
    client.force_login(me.user)
    url = reverse("creditors:my_language")
    assert url in client.get(reverse("creditors:dashboard")).content.decode()  # in the nav
    # naming a colleague (or their user) changes nothing of theirs: the form has no such field
    response = client.post(url, {"language": "en", "staff": colleague.pk,
                                 "user": colleague.user.pk})  # fmt: skip
    assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
    assert CreditorStaff.objects.get(pk=me.pk).preferred_language == "en"
    assert CreditorStaff.objects.get(pk=colleague.pk).preferred_language == "ru"
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page and "Your language is saved." in page


def test_an_unknown_language_is_a_field_error_and_nothing_changes(client):
    me = CreditorStaffFactory(preferred_language="kk")
    client.force_login(me.user)
    response = client.post(reverse("creditors:my_language"), {"language": "de"})
    assert response.status_code == 400 and COOKIE not in response.cookies
    assert CreditorStaff.objects.get(pk=me.pk).preferred_language == "kk"


def test_only_creditor_staff_reach_my_language(client):
    from tests.factories import BorrowerFactory

    client.force_login(BorrowerFactory().user)
    response = client.post(reverse("creditors:my_language"), {"language": "en"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies
