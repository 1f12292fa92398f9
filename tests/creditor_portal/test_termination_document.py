"""The document a plan was ended on (death certificate, court ruling, fraud finding): the
creditors with a share in the plan download it from the dashboard and the API (attachment,
nosniff, sandboxed); another organisation, a pending termination and a borrower get nothing."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.services.termination import approve_termination, request_termination
from tests.factories import CreditorStaffFactory, UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
BODY = b"%PDF-1.4 death certificate"


@pytest.fixture
def world():
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        return active_plan((60_000_000, 40_000_000))


def _terminate(world, *, approve=True):
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        termination = request_termination(
            case_id=world.case.pk, reason="death", details="certificate no. 1",
            document=SimpleUploadedFile("certificate.pdf", BODY, "application/pdf"),
            user=UserFactory(),
        )  # fmt: skip
        if approve:
            approve_termination(termination_id=termination.pk, user=UserFactory())
    return termination


def _is_safe_download(response):
    assert response.status_code == 200
    assert response.content == BODY
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_plans_creditors_download_it_by_api_and_dashboard(world, client):
    _terminate(world)
    url = f"/api/v1/creditor/cases/{world.case.pk}/termination/document/"
    for creditor in world.creditors:
        _is_safe_download(api_client_for(creditor).get(url))
    client.force_login(CreditorStaffFactory(creditor=world.creditors[1]).user)
    page = client.get(f"/creditor/cases/{world.case.pk}/")
    link = f"/creditor/cases/{world.case.pk}/termination/document/"
    assert link in page.text
    _is_safe_download(client.get(link))


def test_another_organisation_a_pending_one_and_a_borrower_get_nothing(world, client):
    termination = _terminate(world, approve=False)
    api_url = f"/api/v1/creditor/cases/{world.case.pk}/termination/document/"
    page_url = f"/creditor/cases/{world.case.pk}/termination/document/"
    pending = api_client_for(world.creditors[0]).get(api_url)
    assert pending.status_code == 404  # recorded, not approved: nothing to download
    approve_termination(termination_id=termination.pk, user=UserFactory())
    outsider = new_creditor()
    answer = api_client_for(outsider).get(api_url)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert BODY not in answer.content
    client.force_login(CreditorStaffFactory(creditor=outsider).user)
    assert client.get(page_url).status_code == 404
    client.force_login(world.case.borrower.user)
    refused = client.get(page_url)
    assert refused.status_code in (302, 403) and BODY not in refused.content
    assert api_client_for(world.creditors[0]).get(
        f"/api/v1/creditor/cases/{outsider.pk}/termination/document/"
    ).status_code == 404  # fmt: skip


def test_openapi_documents_the_download_and_its_errors(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    get = schema["paths"]["/api/v1/creditor/cases/{case_id}/termination/document/"]["get"]
    assert "application/pdf" in get["responses"]["200"]["content"]
    assert {"401", "404"} <= set(get["responses"])
