"""The variation work page in the admin: the request and evidence, propose with the
before/after timetable, decline; scoped to the staff member's queue; in ru/kk/en."""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from resolution.models import Case, Variation, VariationStatus
from resolution.services.variations import request_variation
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.endings import active_plan, almaty_noon

ON = date(2026, 3, 10)


def _requested():
    world = active_plan((180_000_000, 120_000_000))
    Case.objects.filter(pk=world.case.pk).update(ombudsman="banking")
    world.case.refresh_from_db()
    with time_machine.travel(almaty_noon(ON), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=3, reason="lost my job",
            monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4 payslip",
            evidence_name="payslip.pdf",
        )  # fmt: skip
    return world, variation


@pytest.mark.django_db
def test_staff_propose_and_see_before_and_after(client):
    world, variation = _requested()
    client.force_login(ombudsman_user("banking"))
    url = f"/admin/resolution/variation/{variation.pk}/work/"
    with time_machine.travel(almaty_noon(ON), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "lost my job" in page.text
        listing = client.get("/admin/resolution/variation/?status=requested")
        assert world.case.reference in listing.text
        evidence = client.get(f"/admin/resolution/variation/{variation.pk}/file/evidence/")
        assert evidence.content == b"%PDF-1.4 payslip"
        done = client.post(url, {"action": "propose", "anchor_due": ""})
        assert done.status_code == 302
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PROPOSED
    page = client.get(url)
    assert "Before and after" in page.text and "Objections until" in page.text
    assert "39" in page.text  # the term after a 3-month holiday on 36 months


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [("ru", "До и после"), ("kk", "Бұрын және кейін")])
def test_the_work_page_speaks_russian_and_kazakh(client, language, text):
    _world, variation = _requested()
    client.force_login(ombudsman_user("banking", language))  # the staff member's own language
    with time_machine.travel(almaty_noon(ON), tick=False):
        client.post(f"/admin/resolution/variation/{variation.pk}/work/", {"action": "propose"})
    with translation.override(language):
        page = client.get(f"/admin/resolution/variation/{variation.pk}/work/",
                          HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
    assert text in page.text


@pytest.mark.django_db
def test_another_queue_cannot_open_or_propose(client):
    _world, variation = _requested()
    client.force_login(ombudsman_user("microfinance"))
    url = f"/admin/resolution/variation/{variation.pk}/work/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "decline", "reason": "no"}).status_code == 404
    assert (
        client.get(f"/admin/resolution/variation/{variation.pk}/file/evidence/").status_code == 404
    )
    assert Variation.objects.get(pk=variation.pk).status == VariationStatus.REQUESTED
