"""The one sign-in policy (finplatform/signin.py): the admin is throttled like the portals,
the wait grows instead of a fixed lock, the address comes only from trusted proxies, and
sign-in keeps working (with its limits) while Redis is down."""

from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from finplatform.devstack import free_port
from finplatform.signin import LOGIN_PER_ACCOUNT, client_ip
from tests.factories import PASSWORD, BorrowerFactory, CreditorStaffFactory, UserFactory, next_iin
from tests.support.identity import identify

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


def _admin_login(client, username, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **extra
    )


def test_twelve_wrong_admin_passwords_then_the_right_one_waits(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(12):
        assert _admin_login(client, admin.username, "wrong").status_code == 200
    response = _admin_login(client, admin.username, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts. Try again after" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # a delay, not a lock: once the wait is over the owner signs in
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert _admin_login(client, admin.username, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_the_wait_doubles_after_the_fifth_failure_and_is_capped():
    account = "waits@example"
    start = timezone.now()
    waits = []
    for n in range(12):
        with time_machine.travel(start + timedelta(hours=2 * n), tick=False):
            LOGIN_PER_ACCOUNT.hit(account)
            until = LOGIN_PER_ACCOUNT.blocked_until(account)
            waits.append(0 if until is None else round((until - timezone.now()).total_seconds()))
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [60, 120, 240, 480, 960]
    assert waits[-1] == 3600  # capped at an hour


def test_a_client_sent_forwarded_for_is_ignored_without_a_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7",
                                   HTTP_X_FORWARDED_FOR="198.51.100.1")  # fmt: skip
    assert client_ip(request) == "203.0.113.7"
    with override_settings(TRUSTED_PROXIES=[PROXY]):  # a proxy is configured, not this hop
        assert client_ip(request) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_trusted_proxy_the_hop_it_saw_is_the_client():
    factory = RequestFactory()
    plain = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(plain) == "198.51.100.1"
    # a client-written prefix is not taken: the proxy appended the address it really saw
    spoofed = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert client_ip(spoofed) == "198.51.100.1"
    assert client_ip(factory.get("/", REMOTE_ADDR=PROXY)) == PROXY


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_one_guesser_behind_the_proxy_does_not_lock_out_everyone_behind_it(client):
    borrower = BorrowerFactory()
    for _ in range(35):  # a guesser tries many accounts from one address
        client.post(reverse("login"), {"iin": next_iin(), "password": "x"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")  # fmt: skip
    blocked = client.post(reverse("login"), {"iin": borrower.iin, "password": PASSWORD},
                          REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")  # fmt: skip
    assert "Too many failed attempts" in blocked.content.decode()
    response = client.post(reverse("login"), {"iin": borrower.iin, "password": PASSWORD},
                           REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")  # fmt: skip
    assert response.status_code == 302


def _dead_redis():
    url = f"redis://127.0.0.1:{free_port()}/1"  # nothing listens there
    return override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}})  # fmt: skip


def test_sign_in_works_with_redis_down_and_the_account_limit_still_holds(client):
    borrower, staff = BorrowerFactory(), CreditorStaffFactory()
    with _dead_redis():
        response = client.post(reverse("login"), {"iin": borrower.iin, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(borrower.user.pk)
        client.logout()
        staff_login = {"username": staff.user.username, "password": PASSWORD}
        assert client.post(reverse("staff_login"), staff_login).status_code == 302
        client.logout()
        for _ in range(5):
            client.post(reverse("login"), {"iin": borrower.iin, "password": "nope"})
        response = client.post(reverse("login"), {"iin": borrower.iin, "password": PASSWORD})
        assert response.status_code == 200
        assert "Too many failed attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_identification_works_with_redis_down(client, sim):
    borrower = BorrowerFactory()
    sim.set_phone(borrower.iin, borrower.phone)
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    with _dead_redis():
        response, _answer = identify(client, reverse("borrowers:identify"), sim, borrower.iin)
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.is_identified
