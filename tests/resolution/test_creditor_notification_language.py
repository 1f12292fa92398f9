"""Issue 15, point 9: notices to a creditor are written in the organisation's chosen language,
not always in Russian."""

import pytest
from django.utils import translation

from resolution.models import Notification
from resolution.services.notifications import notify_creditor
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["kk", "en", "ru"])
def test_creditor_notice_is_in_the_creditors_language(language):
    world = awaiting_case()
    creditor = world.creditors[0]
    creditor.notification_language = language
    creditor.email = "ops@example.kz"
    creditor.save(update_fields=["notification_language", "email"])
    notify_creditor(creditor=creditor, case=world.case, template_key="creditor_reminder",
                    event="case.answer_late", context={"deadline": "01.12.2026"})  # fmt: skip
    notices = Notification.objects.filter(creditor=creditor, template_key="creditor_reminder")
    assert notices.count() == 2  # dashboard and email
    with translation.override(language):
        expected = translation.gettext("Case %(reference)s: your answer is late") % {
            "reference": world.case.reference
        }
    for notice in notices:
        assert notice.language == language
        assert notice.subject == expected


def test_new_creditors_get_russian_notices_by_default():
    world = awaiting_case()
    assert world.creditors[0].notification_language == "ru"


@pytest.mark.parametrize(
    ("creditors", "text"),
    [(1, "owed to 1 creditor;"), (2, "owed to 2 creditors;")],
)
def test_english_reasons_use_plural_forms_not_brackets(creditors, text):
    from resolution.rules import RULE_MIN_CREDITORS, reason_for

    with translation.override("en"):
        reason = reason_for(RULE_MIN_CREDITORS, False, {"creditors": creditors, "minimum": 2})
    assert text in reason and "(s)" not in reason
