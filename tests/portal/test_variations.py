"""The borrower's change of plan in the cabinet: ask with evidence (field errors keep what was
typed), follow it, sign the agreement with a code, read the versions; another borrower
gets 404."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.models import Variation, VariationStatus
from resolution.services import variation_signing as signing
from resolution.services.variations import propose_variation
from tests.factories import BorrowerFactory, UserFactory
from tests.support.endings import active_plan, almaty_noon

ON = date(2026, 3, 10)


def _login(client, world):
    client.force_login(world.case.borrower.user)


def _ask(client, world, **extra):
    data = {"kind": "holiday", "reason": "lost my job", "monthly_income": "150 000",
            "holiday_months": "3",
            "evidence": SimpleUploadedFile("payslip.pdf", b"%PDF-1.4 x", "application/pdf"),
            **extra}  # fmt: skip
    return client.post(f"/portal/cases/{world.case.pk}/changes/", data)


@pytest.mark.django_db
def test_the_borrower_asks_then_signs_and_reads_the_versions(client):
    world = active_plan((180_000_000, 120_000_000), language="en")
    _login(client, world)
    with time_machine.travel(almaty_noon(ON), tick=False):
        page = client.get(f"/portal/cases/{world.case.pk}/changes/")
        assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
        missing = _ask(client, world, holiday_months="")
        assert missing.status_code == 400 and "lost my job" in missing.text
        asked = _ask(client, world)
        assert asked.status_code == 302
        variation = Variation.objects.get(case=world.case)
        detail = client.get(asked.url)
        assert "Requested by the borrower" in detail.text
        propose_variation(variation_id=variation.pk, staff=UserFactory(is_staff=True))
    variation.refresh_from_db()
    with time_machine.travel(variation.objection_deadline, tick=False):
        signing.close_objection_windows()
        page = client.get(f"/portal/cases/changes/{variation.pk}/")
        assert "Sign the variation agreement" in page.text and "Before and after" in page.text
        pdf = client.get(f"/portal/cases/changes/{variation.pk}/agreement.pdf")
        assert pdf.content.startswith(b"%PDF")
        wrong = client.post(f"/portal/cases/changes/{variation.pk}/sign/", {"code": "12345"})
        assert wrong.status_code == 400
        _row, code = signing.issue_code(variation_id=variation.pk)
        signed = client.post(f"/portal/cases/changes/{variation.pk}/sign/", {"code": code})
        assert signed.status_code == 302
    variation.refresh_from_db()
    assert variation.status == VariationStatus.SIGNED
    page = client.get(f"/portal/cases/{world.case.pk}/changes/")
    assert "Schedule versions" in page.text and "Payment holiday" in page.text


@pytest.mark.django_db
def test_another_borrower_cannot_see_ask_or_sign(client):
    world = active_plan((180_000_000, 120_000_000), language="kk")
    _login(client, world)
    with time_machine.travel(almaty_noon(ON), tick=False):
        _ask(client, world)
        mine = client.get(f"/portal/cases/{world.case.pk}/changes/")
        assert "Кестемді өзгерту" in mine.text and "Қарыз алушы сұраған" in mine.text
    variation = Variation.objects.get(case=world.case)
    client.force_login(BorrowerFactory().user)
    assert client.get(f"/portal/cases/{world.case.pk}/changes/").status_code == 404
    assert _ask(client, world).status_code == 404
    assert client.get(f"/portal/cases/changes/{variation.pk}/").status_code == 404
    assert client.post(f"/portal/cases/changes/{variation.pk}/sign/",
                       {"code": "123456"}).status_code == 404  # fmt: skip
    assert Variation.objects.filter(case=world.case).count() == 1
