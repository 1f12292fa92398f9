"""The interface speaks Russian, Kazakh and English: every message is translated, the
catalogues match the source, and pages render in the chosen language."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from tests.conftest import ROOT

LANGUAGES = ["ru", "kk", "en"]
SKIP_DIRS = {".venv", ".var", ".git", "test-artifacts", "staticfiles", "media", "node_modules"}


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    catalog = _catalog(language)
    missing = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert len(catalog) > 100
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext not installed")
def test_catalogues_contain_every_message_in_the_source(tmp_path):
    """Run makemessages on a copy of the tree and compare: a new string that nobody added to
    the catalogues (or a stale one) fails here, not in front of a borrower."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP_DIRS])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "finplatform.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-location", "--no-wrap"],
        cwd=copy, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    fresh = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    expected = {(e.msgctxt, e.msgid) for e in fresh if not e.obsolete}
    ours = {(e.msgctxt, e.msgid) for e in _catalog("ru") if not e.obsolete}
    assert sorted(expected - ours, key=str) == [], "run makemessages and translate the new ones"
    assert sorted(ours - expected, key=str) == [], "stale entries: run makemessages"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "Войти"), ("kk", "Кіру"), ("en", "Sign in")],
)
def test_login_page_renders_in_the_chosen_language(client, language, phrase):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.headers["Content-Language"] == language
    assert phrase in response.content.decode()


def test_mo_files_are_compiled_from_the_po_files():
    for language in LANGUAGES:
        po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        mo = Path(str(po)[:-3] + ".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "09:05, 14 декабря 2026"), ("kk", "2026 жылғы 14 желтоқсан, 09:05"),
     ("en", "09:05, 14 December 2026")],
)  # fmt: skip
def test_dates_follow_the_users_locale_with_a_24_hour_clock(language, expected):
    from datetime import datetime

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(language):
        assert date_format(datetime(2026, 12, 14, 9, 5), "DATETIME_FORMAT") == expected
