"""Deadlines and moments as people read them, one format per language (issue 15):

    ru  до 23:59, 4 декабря 2026            23:59, 4 декабря 2026
    kk  2026 жылғы 4 желтоқсан, сағат 23:59-ға дейін
    en  by 23:59, 4 December 2026           23:59, 4 December 2026

A deadline never reads as midnight: 00:00 of the 5th is shown as 23:59 of the 4th, the last
minute a person can act in. The Kazakh phrase puts the year first ("2026 жылғы") and joins the
case ending of "дейін" (dative) or "кейін" (ablative) to the time as it is read aloud.
Callers pass wall-clock time in the business zone (finplatform/clock.py converts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import dateformat, formats, translation

# the ending after the last word of a time read aloud: by its units digit, else its tens
_DATIVE_UNITS = {1: "ге", 2: "ге", 3: "ке", 4: "ке", 5: "ке", 6: "ға", 7: "ге", 8: "ге", 9: "ға"}
_DATIVE_TENS = {0: "ге", 1: "ға", 2: "ға", 3: "ға", 4: "қа", 5: "ге"}
_ABLATIVE_UNITS = {1: "ден", 2: "ден", 3: "тен", 4: "тен", 5: "тен", 6: "дан", 7: "ден",
                   8: "ден", 9: "дан"}  # fmt: skip
_ABLATIVE_TENS = {0: "ден", 1: "нан", 2: "дан", 3: "дан", 4: "тан", 5: "ден"}


def _spoken_ending(moment: datetime, units: dict, tens: dict) -> str:
    number = moment.minute or moment.hour  # "14:00" is read "он төрт"
    return units[number % 10] if number % 10 else tens[number // 10]


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or "ru")[:2]
    return code if code in ("ru", "kk", "en") else "ru"


def _parts(moment: datetime, language: str) -> tuple[str, str]:
    """(the time "23:59", the date "4 декабря 2026" / "2026 жылғы 4 желтоқсан")."""
    with translation.override(language):
        day = dateformat.format(moment, "j E")  # E: the month as it stands after a day
    if language == "kk":
        return moment.strftime("%H:%M"), f"{moment.year} жылғы {day}"
    return moment.strftime("%H:%M"), f"{day} {moment.year}"


def last_minute(moment: datetime) -> datetime:
    """A deadline at midnight is shown as the minute before it."""
    if moment.hour == 0 and moment.minute == 0:
        return moment - timedelta(minutes=1)
    return moment


def moment_text(moment: datetime, language: str | None = None, *, deadline: bool = True) -> str:
    """ "23:59, 4 декабря 2026" (kk: "2026 жылғы 4 желтоқсан, 23:59"), for a table cell under a
    heading that already says "by"."""
    language = _language(language)
    moment = last_minute(moment) if deadline else moment
    time, day = _parts(moment, language)
    return f"{day}, {time}" if language == "kk" else f"{time}, {day}"


def deadline_text(moment: datetime, language: str | None = None) -> str:
    """The whole phrase: "до 23:59, 4 декабря 2026", "by 23:59, 4 December 2026",
    "2026 жылғы 4 желтоқсан, сағат 23:59-ға дейін"."""
    language = _language(language)
    moment = last_minute(moment)
    time, day = _parts(moment, language)
    if language == "kk":
        ending = _spoken_ending(moment, _DATIVE_UNITS, _DATIVE_TENS)
        return f"{day}, сағат {time}-{ending} дейін"
    return f"{'до' if language == 'ru' else 'by'} {time}, {day}"


def after_text(moment: datetime, language: str | None = None) -> str:
    """When a wait ends: "после 14:37, 29 ноября 2026", "after 14:37, 29 November 2026",
    "2026 жылғы 29 қараша, сағат 14:37-ден кейін"."""
    language = _language(language)
    time, day = _parts(moment, language)
    if language == "kk":
        ending = _spoken_ending(moment, _ABLATIVE_UNITS, _ABLATIVE_TENS)
        return f"{day}, сағат {time}-{ending} кейін"
    return f"{'после' if language == 'ru' else 'after'} {time}, {day}"


def month_text(day: date, language: str | None = None) -> str:
    """A month inside a sentence: "за ноябрь 2026", "2026 жылғы қараша", "November 2026".
    Django's `F` is the heading form, capitalised in Russian ("Ноябрь 2026" above a table);
    in running Russian text a month is written in lower case, and after "за" it stays in the
    nominative. Kazakh and English use the locale's YEAR_MONTH_FORMAT as it is."""
    language = _language(language)
    with translation.override(language):
        if language == "ru":
            return f"{dateformat.format(day, 'F').lower()} {day.year}"
        return formats.date_format(day, "YEAR_MONTH_FORMAT")
