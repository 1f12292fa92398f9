"""The borrower's income evidence for a plan variation: each hostile file is a field error and
nothing is recorded; a scan (JPEG/PNG) is allowed; the evidence downloads to its borrower only,
as a nosniff attachment of its checked type."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.models import Variation
from tests.factories import BorrowerFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.uploads import HOSTILE_NAME, assert_safe_download, assert_safe_name, attacks

pytestmark = pytest.mark.django_db
ON = date(2026, 3, 10)
JPEG = b"\xff\xd8\xff\xe0 payslip photo"


@pytest.fixture
def world(client):
    world = active_plan((180_000_000, 120_000_000), language="en")
    client.force_login(world.case.borrower.user)
    with time_machine.travel(almaty_noon(ON), tick=False):
        yield world


def _ask(client, world, evidence):
    data = {"kind": "holiday", "reason": "lost my job", "monthly_income": "150 000",
            "holiday_months": "3", "evidence": evidence}  # fmt: skip
    return client.post(f"/portal/cases/{world.case.pk}/changes/", data)


@pytest.mark.parametrize("index", range(4), ids=[a[0] for a in attacks()])
def test_each_hostile_evidence_is_a_field_error_and_nothing_is_recorded(client, world, index):
    _what, upload, message = attacks()[index]
    message = message.replace("not a PDF", "not a PDF, JPEG or PNG")
    response = _ask(client, world, upload)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert "lost my job" in response.text  # what was typed is kept
    assert not Variation.objects.exists()


def test_a_photo_with_a_hostile_name_is_kept_safe_and_only_its_borrower_downloads_it(client, world):
    assert _ask(client, world, SimpleUploadedFile(HOSTILE_NAME, JPEG)).status_code == 302
    variation = Variation.objects.get()
    assert variation.evidence_type == "image/jpeg"
    assert_safe_name(variation.evidence_name, ext=".jpg")
    url = f"/portal/cases/changes/{variation.pk}/evidence/"
    assert url in client.get(f"/portal/cases/changes/{variation.pk}/").text
    assert_safe_download(client.get(url), content=JPEG, content_type="image/jpeg")
    client.force_login(BorrowerFactory().user)  # another borrower
    assert client.get(url).status_code == 404
