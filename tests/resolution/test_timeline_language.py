"""The case timeline's status changes read in the viewer's language: a reason is its code's
label (resolution/trail.py), older rows with only the English audit text included, on the
borrower's case page and the ombudsman's review page alike; a person's own words stay as
written."""

from datetime import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from finplatform.clock import BUSINESS_TZ
from resolution import trail
from resolution.models import CaseStatus, CaseTransition
from resolution.selectors.timeline import BORROWER, OMBUDSMAN, case_timeline
from resolution.services.eligibility import begin_eligibility_check
from tests.factories import CaseFactory
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db

# what the code wrote before the reason codes (the audit texts, still written as they were)
LEGACY = ("application submitted", "eligibility check started", "all eligibility rules passed")
LABELS = {
    "ru": ["Заявление подано", "Начата проверка соответствия условиям",
           "Все условия участия выполнены"],
    "kk": ["Өтініш берілді", "Шарттарға сәйкестікті тексеру басталды",
           "Қатысу шарттарының бәрі орындалды"],
    "en": ["Application submitted", "Eligibility check started", "All eligibility rules passed"],
}  # fmt: skip


def _details(case, language, audience=BORROWER):
    with translation.override(language):
        return [e.detail for e in case_timeline(case, audience=audience) if e.kind == "transition"]


def _legacy_row(case, reason, at):
    return CaseTransition.objects.create(
        case=case, from_status=case.status, to_status=case.status, actor_label="system",
        reason=reason, at=datetime(2026, 5, 1, 9, at, tzinfo=BUSINESS_TZ),
    )  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_older_rows_written_in_english_read_in_the_viewers_language(language):
    case = CaseFactory(status=CaseStatus.AWAITING_CREDITORS)
    for minute, reason in enumerate(LEGACY):
        _legacy_row(case, reason, minute)
    _legacy_row(case, "failed: min_creditors, total_within_cap", 5)
    _legacy_row(case, "Бумаги не подписаны: заёмщик в больнице", 6)  # a person's own words
    _legacy_row(case, "variation 9b2f3a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b closed: the plan breached", 7)
    details = _details(case, language, OMBUDSMAN)
    assert details[:3] == LABELS[language]
    with translation.override(language):
        rules = ", ".join(translation.gettext(rule) for rule in
                          ("Two or more creditors", "Total debt within the limit"))  # fmt: skip
    assert rules in details[3] and "min_creditors" not in details[3]
    assert details[4] == "Бумаги не подписаны: заёмщик в больнице"
    closed = {"ru": "Изменение графика закрыто: график нарушен",
              "kk": "Кестені өзгерту жабылды: кесте бұзылды",
              "en": "Change of plan closed: the plan was breached"}  # fmt: skip
    assert details[5] == closed[language]
    assert not any(reason in " ".join(details) for reason in LEGACY[1:])


def test_the_steps_write_codes_and_keep_their_audit_text():
    case = CaseFactory(status=CaseStatus.SUBMITTED)
    begin_eligibility_check(case_id=case.pk)
    row = CaseTransition.objects.get(case=case, to_status=CaseStatus.CHECKING)
    assert (row.reason_code, row.reason) == (trail.CHECK_STARTED, "eligibility check started")
    world = awaiting_case(language="kk")
    answer_all(world, dispute_second=False)
    row = CaseTransition.objects.get(case=world.case, to_status=CaseStatus.UNDER_REVIEW)
    assert row.reason_code == trail.ALL_ANSWERED
    assert _details(world.case, "kk")[-1] == "Барлық кредиторлар жауап берді"
    assert _details(world.case, "ru")[-1] == "Ответили все кредиторы"


def _timeline_html(response) -> str:
    html = response.content.decode()
    start = html.index('id="timeline"')
    return html[start : html.index("</section>", start)]


def test_the_portal_and_the_admin_show_the_reasons_in_their_language(client, admin_client):
    world = awaiting_case(language="kk")
    _legacy_row(world.case, "application submitted", 0)
    client.force_login(world.case.borrower.user, backend="borrowers.auth.IINBackend")
    html = _timeline_html(client.get(reverse("resolution:case", args=[world.case.reference])))
    assert "Өтініш берілді" in html and "application submitted" not in html
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    review = reverse("admin:resolution_case_review", args=[world.case.pk])
    html = _timeline_html(admin_client.get(review))
    assert "Заявление подано" in html and "application submitted" not in html


def test_the_review_pages_audit_trail_reads_in_russian_with_the_recorded_text_beside(
    admin_client,
):
    world = awaiting_case()
    _legacy_row(world.case, "application submitted", 0)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    review = reverse("admin:resolution_case_review", args=[world.case.pk])
    html = admin_client.get(review).content.decode()
    trail_html = html[html.index('id="audit-trail"') :]
    trail_html = trail_html[: trail_html.index("</ul>")]
    assert "Заявление подано" in trail_html  # the reason's label
    assert "(application submitted)" in trail_html  # the audit text as recorded
    with translation.override("ru"):
        status = str(CaseStatus.AWAITING_CREDITORS.label)
    assert f"{status} → {status}" in trail_html and "awaiting_creditors" not in trail_html
