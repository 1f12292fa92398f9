"""The outgoing-webhook guard (SSRF): its decision under production settings, tested without
sending anything — IP literals and `localhost` resolve on this machine, other names through a
stubbed resolver."""

import ipaddress
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from bureau_gateway import webhooks
from bureau_gateway.webhooks import UrlRefused, address_allowed, guard_url
from tests.conftest import ROOT

REFUSED_ADDRESSES = [
    "127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.1",
    "172.31.255.255", "192.168.1.1", "169.254.169.254", "169.254.0.1", "fe80::1", "fc00::1",
    "fd12:3456::1", "100.64.0.1", "100.127.255.254", "224.0.0.1", "239.255.255.250", "ff02::1",
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "::ffff:8.8.8.8", "64:ff9b::a00:1", "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1",
]  # fmt: skip
REFUSED_URLS = [
    "https://127.0.0.1/hook", "https://[::1]/hook", "https://localhost:6379/", "https://10.0.0.1/",
    "https://172.16.0.1/", "https://192.168.0.1/", "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:169.254.169.254]/", "https://[fe80::1]/", "https://100.64.0.1/",
    "https://0x7f000001/", "https://2130706433/", "https://0.0.0.0:8000/",
    "http://8.8.8.8/hook", "file:///etc/passwd", "gopher://8.8.8.8:70/", "ftp://8.8.8.8/",
    "https://user:pw@8.8.8.8/", "https://8.8.8.8:99999/", "https:///nohost",
]  # fmt: skip


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.WEBHOOK_ALLOW_HTTP = False
    return settings


@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_production_refuses_internal_and_special_addresses(production, address):
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(production, address):
    assert address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_production_refuses_urls_that_reach_inside(production, url):
    with pytest.raises(UrlRefused):
        guard_url(url)


def test_a_public_https_url_passes_and_is_pinned_to_the_checked_address(production):
    assert guard_url("https://8.8.8.8/hook?x=1") == ("8.8.8.8", 443, "8.8.8.8")


def test_every_resolved_address_must_be_public(production, monkeypatch):
    answers = {"good.example": ["8.8.8.8"], "mixed.example": ["8.8.8.8", "10.0.0.7"]}
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: answers[host])
    assert guard_url("https://good.example/h") == ("8.8.8.8", 443, "good.example")
    with pytest.raises(UrlRefused):
        guard_url("https://mixed.example/h")


def test_dev_and_test_allow_loopback_only_through_their_settings(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK, settings.WEBHOOK_ALLOW_HTTP = True, True
    assert guard_url("http://127.0.0.1:8000/h") == ("127.0.0.1", 8000, "127.0.0.1")
    with pytest.raises(UrlRefused):  # still no private or metadata address
        guard_url("http://169.254.169.254/")
    with pytest.raises(UrlRefused):
        guard_url("http://10.0.0.1/")


def test_production_settings_cannot_be_relaxed_by_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="finplatform.settings",
        DJANGO_ENV="production",
        SECRET_KEY="x" * 50,
        WEBHOOK_ALLOW_LOOPBACK="1",
        WEBHOOK_ALLOW_HTTP="1",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WEBHOOK_ALLOW_LOOPBACK, s.WEBHOOK_ALLOW_HTTP)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.stdout.split() == ["False", "False"], result.stderr
