"""A deadline in a notice is written in the reader's language, as the pages write it, and
never as midnight (issue 15, point 9); the notice keeps the exact moment."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from resolution.models import Notification
from resolution.services.notifications import notify_borrower, render
from tests.factories import BorrowerFactory, CaseFactory

MIDNIGHT = datetime(2026, 12, 5, 0, 0, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "до 23:59, 4 декабря 2026"), ("kk", "2026 жылғы 4 желтоқсан, сағат 23:59-ға дейін"),
     ("en", "by 23:59, 4 December 2026")],
)  # fmt: skip
def test_the_signing_deadline_in_the_sms_reads_as_the_borrower_reads_it(db, language, phrase):
    case = CaseFactory(borrower=BorrowerFactory(preferred_language=language))
    notify_borrower(case=case, template_key="documents_issued", context={"deadline": MIDNIGHT})
    sms = Notification.objects.get(case=case, channel="sms")
    assert phrase in sms.body
    assert "00:00" not in sms.body and "05.12.2026" not in sms.body
    assert datetime.fromisoformat(sms.context["deadline"]) == MIDNIGHT


def test_a_creditor_notice_renders_the_deadline_in_the_creditors_language():
    _subject, body = render("creditor_reminder", "en", {"reference": "FK-1", "deadline": MIDNIGHT})
    assert body.endswith("the answer was due by 23:59, 4 December 2026.")
