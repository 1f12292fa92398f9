"""The ombudsman's fraud-flag queue and the court-decision upload, scoped to the queue."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.models import BureauReport, FraudFlagStatus
from resolution.services import fraud
from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


def _flagged():
    world = awaiting_case()  # a banking case
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine: identity theft.")  # fmt: skip
    return world, flag


def _upload(client, flag, **extra):
    data = {"outcome": "written_off", "number": "2-77/2026", "decided_on": "2026-11-20",
            "document": SimpleUploadedFile("decision.pdf", b"%PDF-1.4 court"), **extra}  # fmt: skip
    return client.post(f"/admin/resolution/fraudflag/{flag.pk}/court-decision/", data)


def test_queue_review_page_and_court_decision_upload(client):
    world, flag = _flagged()
    client.force_login(ombudsman_user("banking"))
    listing = client.get("/admin/resolution/fraudflag/?status=open").content.decode()
    assert world.case.reference in listing
    queue = client.get("/admin/resolution/case/?fraud=open").content.decode()
    assert world.case.reference in queue
    review = client.get(review_url(world.case)).content.decode()
    assert "Not mine: identity theft." in review
    change = client.get(f"/admin/resolution/fraudflag/{flag.pk}/change/")
    assert change.status_code == 200 and change.context["court_form"] is not None
    assert _upload(client, flag).status_code == 302
    flag.refresh_from_db()
    assert flag.status == FraudFlagStatus.WRITTEN_OFF and flag.court_decision_number == "2-77/2026"
    assert BureauReport.objects.filter(case_loan=world.loans[1], event="corrected").exists()
    document = client.get(f"/admin/resolution/fraudflag/{flag.pk}/court-document/")
    assert (
        document.status_code == 200
        and b"".join(document.streaming_content if document.streaming else [document.content])
        == b"%PDF-1.4 court"
    )


def test_another_ombudsman_can_neither_see_nor_decide(client):
    world, flag = _flagged()
    client.force_login(ombudsman_user("microfinance"))
    assert world.case.reference not in client.get("/admin/resolution/fraudflag/").content.decode()
    assert client.get(f"/admin/resolution/fraudflag/{flag.pk}/court-document/").status_code == 404
    assert _upload(client, flag).status_code == 404
    flag.refresh_from_db()
    assert flag.status == FraudFlagStatus.OPEN
