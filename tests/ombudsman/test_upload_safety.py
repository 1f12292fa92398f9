"""The ombudsman's uploads (assignment agreement, termination document, court decision):
every hostile file is a field error and nothing is recorded; the stored name is safe; the
documents download only inside the staff member's queue, as nosniff attachments."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.models import Case, FraudFlagStatus
from resolution.services import fraud
from resolution.services.variations import request_variation
from schedules.models import ClaimTransfer, PlanTermination
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor
from tests.support.uploads import (
    HOSTILE_NAME,
    PDF_BYTES,
    assert_safe_download,
    assert_safe_name,
    attacks,
    pdf,
)  # fmt: skip
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
TRANSFERS = "/admin/schedules/claimtransfer/"
TERMINATIONS = "/admin/schedules/plantermination/"
IDS = [a[0] for a in attacks()]


@pytest.fixture
def world():
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000))
    Case.objects.filter(pk=world.case.pk).update(ombudsman="banking")
    world.case.refresh_from_db()
    world.loans[0].loan.contract_number = "K-77"
    world.loans[0].loan.save(update_fields=["contract_number"])
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        yield world


def _transfer(client, world, document):
    return client.post(f"{TRANSFERS}record/", {
        "case_reference": world.case.reference, "contract_number": "K-77",
        "buyer_bin": new_creditor().bin, "effective_on": "2026-02-05",
        "document": document})  # fmt: skip


def _terminate(client, world, document):
    return client.post(f"{TERMINATIONS}record/", {
        "case_reference": world.case.reference, "reason": "death", "details": "certificate",
        "document": document})  # fmt: skip


def _court(client, flag, document):
    data = {"outcome": "written_off", "number": "2-77/2026", "decided_on": "2026-11-20",
            "document": document}  # fmt: skip
    return client.post(f"/admin/resolution/fraudflag/{flag.pk}/court-decision/", data)


def _errors(response):
    form = response.context.get("form") or response.context.get("court_form")
    return " ".join(form.errors.get("document", []))


@pytest.mark.parametrize("index", range(4), ids=IDS)
def test_transfer_and_termination_refuse_each_hostile_document(client, world, index):
    client.force_login(ombudsman_user("banking"))
    _what, upload, message = attacks()[index]
    response = _transfer(client, world, upload)
    assert response.status_code == 200 and message in _errors(response)
    _what, upload, message = attacks()[index]
    response = _terminate(client, world, upload)
    assert response.status_code == 200 and message in _errors(response)
    assert not ClaimTransfer.objects.exists() and not PlanTermination.objects.exists()


@pytest.mark.parametrize("index", range(4), ids=IDS)
def test_court_decision_refuses_each_hostile_document(client, index):
    world = awaiting_case()  # a banking case
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine.")  # fmt: skip
    client.force_login(ombudsman_user("banking"))
    _what, upload, message = attacks()[index]
    message = message.replace("not a PDF", "not a PDF, JPEG or PNG")
    response = _court(client, flag, upload)
    assert response.status_code == 200 and message in _errors(response)
    flag.refresh_from_db()
    assert flag.status == FraudFlagStatus.OPEN and flag.court_document is None


def test_court_decision_scan_is_kept_safe_and_served_as_an_image(client):
    world = awaiting_case()
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine.")  # fmt: skip
    client.force_login(ombudsman_user("banking"))
    scan = b"\x89PNG\r\n\x1a\n scan"
    assert _court(client, flag, SimpleUploadedFile(HOSTILE_NAME, scan)).status_code == 302
    flag.refresh_from_db()
    assert_safe_name(flag.court_document_name, ext=".png")
    url = f"/admin/resolution/fraudflag/{flag.pk}/court-document/"
    assert_safe_download(client.get(url), content=scan, content_type="image/png")
    client.force_login(ombudsman_user("microfinance"))
    assert client.get(url).status_code == 404


def test_documents_download_only_inside_the_queue(client, world):
    client.force_login(ombudsman_user("banking"))
    assert _transfer(client, world, pdf(HOSTILE_NAME)).status_code == 302
    assert _terminate(client, world, pdf()).status_code == 302
    transfer, termination = ClaimTransfer.objects.get(), PlanTermination.objects.get()
    assert_safe_name(transfer.document_name)
    urls = [f"{TRANSFERS}{transfer.pk}/document/", f"{TERMINATIONS}{termination.pk}/document/"]
    for url in urls:
        download = client.get(url)
        assert_safe_download(download)
        assert download["Content-Disposition"].count("filename") == 1
    client.force_login(ombudsman_user("microfinance"))
    for url in urls:
        assert client.get(url).status_code == 404


def test_variation_evidence_downloads_only_inside_the_queue(client, world):
    variation = request_variation(
        case=world.case, kind="holiday", holiday_months=2, reason="lost my job",
        monthly_income_tiyn=10_000_000, evidence=PDF_BYTES, evidence_name="payslip.pdf",
    )  # fmt: skip
    url = f"/admin/resolution/variation/{variation.pk}/file/evidence/"
    client.force_login(ombudsman_user("banking"))
    assert_safe_download(client.get(url))
    client.force_login(ombudsman_user("microfinance"))
    assert client.get(url).status_code == 404
