"""The borrower's notices in the viewer's language: on the case timeline a notice sent in
another language gets its subject written again in the viewer's (two messages of one subject
are two lines), and the statement notice names the month as each language writes it in a
sentence ("за ноябрь 2026")."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import translation

from finplatform.clock import BUSINESS_TZ
from finplatform.datetext import month_text
from resolution.models import Notification
from resolution.selectors.timeline import BORROWER, case_timeline
from resolution.services.reminders import send_statement_notices, sweep_payment_notices
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db


def _at(day, hour=9):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_TZ), tick=False
    )


def test_a_notice_sent_in_russian_has_its_subject_in_the_viewers_language():
    with _at(date(2026, 11, 16)):
        plan, _creditors = make_plan([60_000_000, 40_000_000], first_due=date(2026, 12, 29))
    plan.case.borrower.preferred_language = "ru"
    plan.case.borrower.save(update_fields=["preferred_language"])
    with _at(date(2026, 12, 1)):
        send_statement_notices()  # November's statement, sent in Russian
    with _at(date(2026, 12, 26)):
        sweep_payment_notices()  # the 3-day reminder
    sent = {n.template_key: n for n in Notification.objects.filter(case=plan.case)}
    assert "29 декабря 2026" in sent["due_reminder"].subject
    assert "за ноябрь 2026" in sent["statement_ready"].subject  # lower case after "за"
    titles = {}
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            titles[language] = [e.title for e in case_timeline(plan.case, audience=BORROWER)
                                if e.kind == "notice"]  # fmt: skip
    assert titles["ru"] == [sent["statement_ready"].subject, sent["due_reminder"].subject]
    assert "November 2026" in titles["en"][0] and "29 December 2026" in titles["en"][1]
    assert "2026 жылғы қараша" in titles["kk"][0] and "2026 жылғы 29 желтоқсан" in titles["kk"][1]
    for title in titles["en"] + titles["kk"]:
        assert not any(word in title for word in ("декабря", "ноябрь", "Ваша", "Платёж"))


def test_a_reminder_kept_from_before_its_due_date_was_stored_gets_a_plain_title():
    with _at(date(2026, 11, 16)):
        plan, _creditors = make_plan([60_000_000], first_due=date(2026, 12, 29))
    Notification.objects.create(
        channel="sms", recipient="+77010000000", borrower=plan.case.borrower, case=plan.case,
        template_key="due_reminder", language="ru", subject="Платёж 1 000,00 ₸ до 29 декабря",
        context={"number": 1, "amount": "1 000,00 ₸", "due_date": "29 декабря 2026"},
        dedup_key="old-reminder",
    )  # fmt: skip
    with translation.override("en"):
        (event,) = [e for e in case_timeline(plan.case, audience=BORROWER) if e.kind == "notice"]
    assert event.title == "Payment reminder: instalment 1"


def test_two_messages_with_one_subject_are_two_lines_of_the_timeline():
    with _at(date(2026, 11, 16)):
        plan, _creditors = make_plan([60_000_000, 40_000_000], first_due=date(2026, 12, 29))
    sweep_payment_notices(on=date(2027, 2, 1))  # instalments 1 and 2 missed: two notices
    with translation.override("en"):
        notices = [e for e in case_timeline(plan.case, audience=BORROWER) if e.kind == "notice"]
    assert len(notices) == 2


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", "ноябрь 2026"), ("kk", "2026 жылғы қараша"), ("en", "November 2026"),
])  # fmt: skip
def test_a_month_in_a_sentence(language, expected):
    assert month_text(date(2026, 11, 1), language) == expected
