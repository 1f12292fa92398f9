"""Consents in the admin: each borrower's consents on its page (view only); consent texts are
add-only versions."""

import pytest

from borrowers.consents import current_text
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


def test_the_borrowers_page_lists_the_consents_given(client):
    world = awaiting_case()  # the factory borrower gave the reminders consent
    client.force_login(ombudsman_user("banking"))
    page = client.get(f"/admin/borrowers/borrower/{world.case.borrower.pk}/change/")
    assert page.status_code == 200
    assert "Reminders and notices" in page.content.decode()


def test_a_consent_text_version_cannot_be_changed(client):
    from django.contrib.auth import get_user_model

    text = current_text("processing")
    root = get_user_model().objects.create_superuser("root", "r@x.kz", "pw")
    client.force_login(root)
    url = f"/admin/borrowers/consenttext/{text.pk}/change/"
    client.post(url, {"purpose": text.purpose, "version": 1, "text_ru": "x", "text_kk": "x",
                      "text_en": "x", "effective_from_0": "2026-01-01",
                      "effective_from_1": "00:00"})  # fmt: skip
    text.refresh_from_db()
    assert text.text_ru != "x"
