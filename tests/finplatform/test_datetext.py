"""Deadlines read one way per language, never as an ambiguous midnight (issue 15, point 9)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from finplatform.clock import business_deadline_text
from finplatform.datetext import after_text, moment_text

ALMATY = ZoneInfo("Asia/Almaty")
MIDNIGHT = datetime(2026, 12, 5, 0, 0, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "до 23:59, 4 декабря 2026"), ("en", "by 23:59, 4 December 2026"),
     ("kk", "2026 жылғы 4 желтоқсан, сағат 23:59-ға дейін")],
)  # fmt: skip
def test_a_deadline_at_midnight_reads_as_the_last_minute_of_the_day_before(language, expected):
    assert business_deadline_text(MIDNIGHT, language) == expected


def test_a_deadline_from_the_database_in_utc_is_shown_in_almaty_time():
    utc = datetime(2026, 12, 4, 9, 40, tzinfo=ZoneInfo("UTC"))
    assert business_deadline_text(utc, "ru") == "до 14:40, 4 декабря 2026"


@pytest.mark.parametrize(
    ("hour", "minute", "dative", "ablative"),
    [(14, 40, "14:40-қа", "14:40-тан"), (14, 0, "14:00-ке", "14:00-тен"),
     (9, 5, "09:05-ке", "09:05-тен"), (18, 10, "18:10-ға", "18:10-нан"),
     (12, 26, "12:26-ға", "12:26-дан"), (10, 50, "10:50-ге", "10:50-ден")],
)  # fmt: skip
def test_the_kazakh_ending_follows_the_time_read_aloud(hour, minute, dative, ablative):
    moment = datetime(2026, 5, 1, hour, minute, tzinfo=ALMATY)
    assert business_deadline_text(moment, "kk") == f"2026 жылғы 1 мамыр, сағат {dative} дейін"
    assert after_text(moment, "kk") == f"2026 жылғы 1 мамыр, сағат {ablative} кейін"


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("en"):
        assert moment_text(MIDNIGHT) == "23:59, 4 December 2026"
        assert after_text(MIDNIGHT) == "after 00:00, 5 December 2026"  # a wait is not a deadline


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "4 декабря 2026."), ("kk", "2026 жылғы 4 желтоқсан."), ("en", "4 December 2026.")],
)
def test_a_date_at_the_end_of_a_sentence_has_one_full_stop(language, expected):
    with translation.override(language):
        text = Template('{{ day|date:"DATE_FORMAT" }}.').render(
            Context({"day": datetime(2026, 12, 4).date()})
        )
    assert text == expected


def test_the_deadline_filters_in_a_template():
    template = Template("{% load deadlines %}{{ m|deadline }} · {{ m|deadline_moment }}")
    with translation.override("ru"):
        assert template.render(Context({"m": MIDNIGHT})) == (
            "до 23:59, 4 декабря 2026 · 23:59, 4 декабря 2026"
        )
