"""Issue 15, point 11: the ombudsman's admin speaks the staff member's language with correct
grammar — no English column header on any list, list titles that do not decline a model's
name wrongly ("Выберите заявка для изменения"), and counts with each language's plural forms
("2 очередь", "5 заявки")."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from resolution.models import CaseStatus
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADER = re.compile(r'<th scope="col"[^>]*>(.*?)</th>', re.S)
TAGS = re.compile(r"<[^>]+>")


def _changelists():
    for model in admin.site._registry:
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_list_has_an_english_column_header(client, language):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    CaseFactory(status=CaseStatus.UNDER_REVIEW, ombudsman="banking")  # rows: lists show headers
    english = {}
    for url in _changelists():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for header in HEADER.findall(page):
            text = " ".join(TAGS.sub(" ", header).split())
            if re.search(r"[A-Za-z]{3,}", text) and text not in {"IBAN", "BIN", "ID", "SMS"}:
                english.setdefault(url, []).append(text)
    assert english == {}


def test_list_titles_and_counts_read_right_in_russian(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for _ in range(2):
        CaseFactory()
    page = client.get(reverse("admin:resolution_case_changelist"), HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "Выберите" not in text and "<h1>Заявки</h1>" in text
    assert "2 записи" in text
    change = client.get(
        reverse("admin:resolution_case_change", args=[CaseFactory().pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Изменить заявка" not in change and "Просмотреть заявка" not in change
