"""The creditor API for plan variations: list and detail with before/after, an objection
with a reason (blocks the variation), the schedule versions; another organisation gets 404;
the OpenAPI schema documents it."""

from datetime import date

import pytest
import time_machine

from resolution.models import VariationStatus
from resolution.services import variation_signing as signing
from resolution.services.variations import propose_variation, request_variation
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import api_client_for

ON = date(2026, 3, 10)


def _proposed():
    world = active_plan((180_000_000, 120_000_000))
    with time_machine.travel(almaty_noon(ON), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=2, reason="illness",
            monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4", evidence_name="note.pdf",
        )  # fmt: skip
        variation = propose_variation(variation_id=variation.pk, staff=UserFactory(is_staff=True))
    return world, variation


@pytest.mark.django_db
def test_a_creditor_lists_sees_before_after_and_objects_with_a_reason():
    world, variation = _proposed()
    api = api_client_for(world.creditors[0])
    with time_machine.travel(almaty_noon(ON), tick=False):
        rows = api.get("/api/v1/creditor/variations/").json()
        assert [r["id"] for r in rows] == [str(variation.pk)]
        assert rows[0]["status"] == "proposed" and rows[0]["kind"] == "holiday"
        assert rows[0]["before"]["term_months"] == 36 and rows[0]["after"]["term_months"] == 38
        assert rows[0]["my_objection"] is None
        bad = api.post(f"/api/v1/creditor/variations/{variation.pk}/object/", {}, format="json")
        assert bad.status_code == 400 and "error" in bad.json()
        answer = api.post(f"/api/v1/creditor/variations/{variation.pk}/object/",
                          {"reason": "income is higher"}, format="json")  # fmt: skip
        assert answer.status_code == 201
        assert answer.json()["status"] == VariationStatus.OBJECTED
        assert answer.json()["my_objection"]["reason"] == "income is higher"
        again = api.post(f"/api/v1/creditor/variations/{variation.pk}/object/",
                         {"reason": "twice"}, format="json")  # fmt: skip
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "objection_window_closed"


@pytest.mark.django_db
def test_another_organisation_gets_404_everywhere():
    world, variation = _proposed()
    stranger = api_client_for(new_creditor())
    assert stranger.get("/api/v1/creditor/variations/").json() == []
    assert stranger.get(f"/api/v1/creditor/variations/{variation.pk}/").status_code == 404
    posted = stranger.post(f"/api/v1/creditor/variations/{variation.pk}/object/",
                           {"reason": "mine"}, format="json")  # fmt: skip
    assert posted.status_code == 404
    assert (
        stranger.get(f"/api/v1/creditor/cases/{world.case.pk}/schedule-versions/").status_code
        == 404
    )
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PROPOSED


@pytest.mark.django_db
def test_schedule_versions_after_signing_keep_the_signed_timetable_readable():
    world, variation = _proposed()
    with time_machine.travel(variation.objection_deadline, tick=False):
        signing.close_objection_windows()
        _row, code = signing.issue_code(variation_id=variation.pk)
        signing.sign_with_code(variation_id=variation.pk, code=code)
    api = api_client_for(world.creditors[1])
    versions = api.get(f"/api/v1/creditor/cases/{world.case.pk}/schedule-versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["kind"] == "signed" and len(versions[0]["lines"]) == 36
    assert versions[1]["kind"] == "holiday" and versions[1]["term_months"] == 38
    assert sum(line["amount_tiyn"] for line in versions[1]["lines"]) == 300_000_000
    detail = api.get(f"/api/v1/creditor/variations/{variation.pk}/").json()
    assert (detail["status"], detail["version_number"]) == ("signed", 2)
    for language, text in (("ru", "Подписано: новый график в силе"),
                           ("kk", "Қол қойылды: жаңа кесте күшінде")):  # fmt: skip
        shown = api.get(f"/api/v1/creditor/variations/{variation.pk}/",
                        HTTP_ACCEPT_LANGUAGE=language).json()  # fmt: skip
        assert shown["status_display"] == text


@pytest.mark.django_db
def test_openapi_documents_the_variation_endpoints(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/creditor/variations/" in paths
    assert "post" in paths["/api/v1/creditor/variations/{variation_id}/object/"]
    assert "/api/v1/creditor/cases/{case_id}/schedule-versions/" in paths
