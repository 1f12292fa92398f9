"""Which environment runs is decided in one place (finplatform/env.py `django_env`)."""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from finplatform.env import django_env
from tests.conftest import ROOT

CELERY_SETTINGS = str(ROOT / "finplatform" / "settings_celery.py")


def test_production_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("DJANGO_ENV", raising=False)
    assert django_env() == "production"
    for name in ("dev", "test", "production"):
        monkeypatch.setenv("DJANGO_ENV", name)
        assert django_env() == name


def test_an_unknown_environment_stops_the_start(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "staging")
    with pytest.raises(ImproperlyConfigured, match="staging"):
        django_env()


def test_the_celery_settings_take_the_environment_from_the_same_place(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "dev")
    assert runpy.run_path(CELERY_SETTINGS)["ENV"] == "dev"
    monkeypatch.setenv("DJANGO_ENV", "staging")  # refused there too, not read as production-ish
    with pytest.raises(ImproperlyConfigured, match="staging"):
        runpy.run_path(CELERY_SETTINGS)
