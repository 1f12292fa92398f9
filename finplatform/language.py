"""The three languages of the platform and how a person's language is chosen.

Russian, Kazakh and English (settings.LANGUAGES); a borrower's `preferred_language` decides
notifications and documents; Russian is the fallback wherever nothing is known."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT = "ru"


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    ENGLISH = "en", _("English")


def language_of(person, default: str = DEFAULT) -> str:
    """A borrower's (or anyone's with `preferred_language`) language, or `default`."""
    language = getattr(person, "preferred_language", None)
    return language if language in Language.values else default
