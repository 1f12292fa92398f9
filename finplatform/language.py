"""The three languages of the platform and how a person's language is chosen.

Russian, Kazakh and English (settings.LANGUAGES); a borrower's `preferred_language` decides
notifications and documents; a staff member's (creditor or ombudsman staff, the same field on
their profile) decides the interface after sign-in and every email addressed to them, while
notices to an organisation use its `notification_language`; Russian is the fallback wherever
nothing is known."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT = "ru"


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    ENGLISH = "en", _("English")


# Each language named in itself, for a person choosing their own.
NATIVE_NAMES = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]


def language_of(person, default: str = DEFAULT) -> str:
    """A borrower's (or anyone's with `preferred_language`) language, or `default`."""
    language = getattr(person, "preferred_language", None)
    return language if language in Language.values else default


# The user's profiles that carry a language of their own (reverse one-to-one names).
STAFF_PROFILES = ("creditor_staff", "ombudsman_staff")


def staff_language_of(user) -> str | None:
    """A creditor or ombudsman staff member's own language; None for anyone else."""
    for profile in STAFF_PROFILES:
        language = getattr(getattr(user, profile, None), "preferred_language", None)
        if language in Language.values:
            return language
    return None


def user_language_of(user) -> str | None:
    """The signed-in person's own language (a borrower's or a staff member's), if any."""
    borrower_language = getattr(getattr(user, "borrower", None), "preferred_language", None)
    if borrower_language in Language.values:
        return borrower_language
    return staff_language_of(user)
