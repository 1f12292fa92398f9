"""Issue 15, point 9: each ombudsman staff member has a language of their own: the admin
opens in it after sign-in, "My language" (user tools) changes it for the signed-in person
only, and only an admin (superuser) changes someone else's."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from resolution.models import OmbudsmanStaff
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def staff(language="en", ombudsman="banking") -> OmbudsmanStaff:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="ombudsman_staff"))
    return OmbudsmanStaff.objects.create(user=user, ombudsman=ombudsman,
                                         preferred_language=language)  # fmt: skip


def test_an_ombudsman_staff_member_signs_in_and_the_admin_speaks_their_language(client):
    member = staff("kk")
    client.cookies[COOKIE] = "ru"
    response = client.post(reverse("admin:login"),
                           {"username": member.user.username, "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302 and response.cookies[COOKIE].value == "kk"
    page = client.get(reverse("admin:index")).content.decode()
    with translation.override("kk"):
        title = translation.gettext("Cases, complaints and payments")
    assert title != "Cases, complaints and payments" and title in page


def test_my_language_is_in_the_user_tools_and_changes_only_ones_own(client):
    me, other = staff("en"), staff("ru")
    client.force_login(me.user)
    url = reverse("admin:my_language")
    assert f'href="{url}"' in client.get(reverse("admin:index")).content.decode()
    response = client.post(url, {"language": "kk", "user": other.user.pk, "id": other.pk})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "kk"
    assert OmbudsmanStaff.objects.get(pk=me.pk).preferred_language == "kk"
    assert OmbudsmanStaff.objects.get(pk=other.pk).preferred_language == "ru"


def test_a_staff_member_cannot_change_a_colleagues_language_in_the_admin(client):
    me, other = staff("en"), staff("ru")
    client.force_login(me.user)
    change = reverse("admin:resolution_ombudsmanstaff_change", args=[other.pk])
    response = client.post(change, {"user": other.user.pk, "ombudsman": "banking",
                                    "preferred_language": "en"})  # fmt: skip
    assert response.status_code == 403
    assert OmbudsmanStaff.objects.get(pk=other.pk).preferred_language == "ru"


def test_an_admin_sets_a_staff_members_language(client):
    other = staff("ru")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = reverse("admin:resolution_ombudsmanstaff_change", args=[other.pk])
    response = client.post(change, {"user": other.user.pk, "ombudsman": "banking",
                                    "preferred_language": "kk"})  # fmt: skip
    assert response.status_code == 302
    assert OmbudsmanStaff.objects.get(pk=other.pk).preferred_language == "kk"


def test_a_superuser_without_a_staff_profile_has_no_my_language_page(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "my-language" not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:my_language")).status_code == 404
