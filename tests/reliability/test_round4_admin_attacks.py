"""Round 4's admin pages attacked: maker = checker on a termination, a second approval of a
transfer and of a refund, another queue's decide pages and documents, out-of-range dates,
and a borrower or creditor staff member on the admin pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.models import Case, FraudFlagStatus
from resolution.services import fraud
from resolution.services.termination import request_termination
from resolution.services.transfers import record_transfer
from schedules.models import (
    ClaimTransfer,
    LedgerTransaction,
    PlanTermination,
    RefundPayout,
    RefundStatus,
)
from tests.factories import CreditorStaffFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.endings import almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db
TRANSFERS = "/admin/schedules/claimtransfer/"
TERMINATIONS = "/admin/schedules/plantermination/"
REFUNDS = "/admin/schedules/refundpayout/"


def pdf():
    return SimpleUploadedFile("doc.pdf", b"%PDF-1.4 doc", content_type="application/pdf")


@pytest.fixture
def world():
    from tests.support.endings import active_plan

    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000))
    Case.objects.filter(pk=world.case.pk).update(ombudsman="banking")
    world.case.refresh_from_db()
    return world


@pytest.fixture
def today():
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        yield


def _transfer(world, user=None):
    return record_transfer(case_loan_id=world.loans[0].pk, buyer_bin=new_creditor().bin,
                           effective_on=date(2026, 2, 5), document=pdf(), via="admin",
                           user=user)  # fmt: skip


def test_termination_recorder_cannot_approve_it(client, world, today):
    maker = ombudsman_user("banking")
    termination = request_termination(case_id=world.case.pk, reason="fraud", details="forged",
                                      document=pdf(), user=maker)  # fmt: skip
    client.force_login(maker)
    page = client.post(f"{TERMINATIONS}{termination.pk}/decide/", {"action": "approve"},
                       follow=True)  # fmt: skip
    assert page.status_code == 200
    termination.refresh_from_db()
    assert termination.status == "pending"


def test_a_second_approval_of_a_transfer_changes_nothing(client, world, today):
    transfer = _transfer(world, ombudsman_user("banking"))
    client.force_login(ombudsman_user("banking"))
    decide = f"{TRANSFERS}{transfer.pk}/decide/"
    assert client.post(decide, {"action": "approve"}).status_code == 302
    booked = LedgerTransaction.objects.count()
    for action in ("approve", "reject"):
        again = client.post(decide, {"action": action}, follow=True)
        assert again.status_code == 200
    transfer.refresh_from_db()
    assert transfer.status == "approved" and LedgerTransaction.objects.count() == booked


def test_another_queue_cannot_open_decide_or_download(client, world, today):
    transfer = _transfer(world, ombudsman_user("banking"))
    termination = request_termination(case_id=world.case.pk, reason="fraud", details="forged",
                                      document=pdf(), user=ombudsman_user("banking"))  # fmt: skip
    client.force_login(ombudsman_user("microfinance"))
    for base, row in ((TRANSFERS, transfer), (TERMINATIONS, termination)):
        for view in ("decide", "document", "change"):
            assert client.get(f"{base}{row.pk}/{view}/").status_code in (302, 404), (base, view)
        assert client.post(f"{base}{row.pk}/decide/", {"action": "approve"}).status_code == 404
    assert ClaimTransfer.objects.get().status == "pending"
    assert PlanTermination.objects.get().status == "pending"


@pytest.mark.parametrize("effective_on", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_admin_record_transfer_dates_out_of_range_are_form_errors(client, world, today,
                                                                  effective_on):  # fmt: skip
    world.loans[0].loan.contract_number = "K-77"
    world.loans[0].loan.save(update_fields=["contract_number"])
    client.force_login(ombudsman_user("banking"))
    response = client.post(f"{TRANSFERS}record/", {
        "case_reference": world.case.reference, "contract_number": "K-77",
        "buyer_bin": new_creditor().bin, "effective_on": effective_on,
        "document": pdf()})  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors
    assert not ClaimTransfer.objects.exists()


def test_malformed_ids_on_the_admin_pages_are_404(client, world):
    client.force_login(ombudsman_user("banking"))
    for url in (f"{TRANSFERS}not-a-uuid/decide/", f"{TERMINATIONS}123/document/",
                "/admin/resolution/fraudflag/xyz/court-decision/",
                "/admin/resolution/variation/0/work/"):  # fmt: skip
        assert client.get(url).status_code in (302, 404), url


@pytest.mark.parametrize("decided_on", ["9999-12-31", "0001-01-01", "2026-02-31"])
def test_court_decision_dates_out_of_range_are_form_errors(client, decided_on):
    world = awaiting_case()  # a banking case
    flag = fraud.flag_loan_as_fraud(borrower=world.case.borrower, case_loan_id=world.loans[1].pk,
                                    statement="Not mine.")  # fmt: skip
    client.force_login(ombudsman_user("banking"))
    response = client.post(f"/admin/resolution/fraudflag/{flag.pk}/court-decision/", {
        "outcome": "written_off", "number": "2-77/2026", "decided_on": decided_on,
        "document": SimpleUploadedFile("decision.pdf", b"%PDF court")})  # fmt: skip
    assert response.status_code in (200, 302, 400)
    flag.refresh_from_db()
    if decided_on != "0001-01-01":
        assert flag.status == FraudFlagStatus.OPEN


def test_a_second_refund_approval_pays_once(client, sim):
    from tests.ombudsman.test_refunds_admin import _act, _requested

    world, refund = _requested(sim)
    maker, checker = ombudsman_user("banking"), ombudsman_user("banking")
    client.force_login(maker)
    _act(client, "prepare", refund)
    client.force_login(checker)
    for _ in range(2):
        assert _act(client, "approve", refund).status_code == 200
    _act(client, "prepare", refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED and refund.approved_by == checker
    assert RefundPayout.objects.filter(plan=world.plan).count() == 1


def test_borrowers_and_creditor_staff_are_kept_out_of_the_admin(client, world):
    urls = [TRANSFERS, TERMINATIONS, REFUNDS, f"{TRANSFERS}record/", "/admin/resolution/fraudflag/",
            "/admin/resolution/variation/"]  # fmt: skip
    for user in (world.case.borrower.user, CreditorStaffFactory().user):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and "/login/" in response.url, url


@pytest.mark.parametrize("anchor", ["9999-12-31", "9000-01-31", "2200-01-31", "0001-01-01"])
def test_variation_proposal_far_anchor_is_an_error_not_a_500(client, world, anchor):
    """Failed before the fix for the far-future dates: the timetable ran past year 9999
    (ValueError, a 500)."""
    from resolution.models import Variation, VariationStatus
    from resolution.services.variations import request_variation

    with time_machine.travel(almaty_noon(date(2026, 3, 10)), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=2, reason="illness",
            monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4", evidence_name="note.pdf",
        )  # fmt: skip
        client.force_login(ombudsman_user("banking"))
        url = f"/admin/resolution/variation/{variation.pk}/work/"
        response = client.post(url, {"action": "propose", "anchor_due": anchor}, follow=True)
        assert response.status_code == 200
        bogus = client.get(f"/admin/resolution/variation/{variation.pk}/file/bogus/")
        assert bogus.status_code in (403, 404)
    assert Variation.objects.get(pk=variation.pk).status == VariationStatus.REQUESTED


def test_variation_work_page_of_another_queue_is_404(client, world):
    from resolution.services.variations import request_variation

    with time_machine.travel(almaty_noon(date(2026, 3, 10)), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=2, reason="illness",
            monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4", evidence_name="note.pdf",
        )  # fmt: skip
    client.force_login(ombudsman_user("microfinance"))
    for which in ("evidence", "agreement"):
        url = f"/admin/resolution/variation/{variation.pk}/file/{which}/"
        assert client.get(url).status_code == 404
    url = f"/admin/resolution/variation/{variation.pk}/work/"
    assert client.post(url, {"action": "decline", "reason": "no"}).status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "status=%00", "q=" + "x" * 5000, "p=-1", "o=99"])
def test_admin_lists_with_nul_or_nonsense_parameters_are_not_a_500(client, query):
    client.force_login(ombudsman_user("banking"))
    for url in (TRANSFERS, TERMINATIONS, REFUNDS, "/admin/resolution/fraudflag/",
                "/admin/resolution/variation/", "/admin/schedules/scheduleversion/"):  # fmt: skip
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)


@pytest.mark.parametrize("url", [f"{TRANSFERS}?status=%00", "/admin/resolution/case/?q=a%00b",
                                 "/portal/cases/FK%00/", "/creditor/payouts/?x%00=1"])  # fmt: skip
def test_a_nul_byte_in_the_url_is_a_400(client, url):
    """Failed before the fix: the claim transfers' status filter with %00 was a 500."""
    client.force_login(ombudsman_user("banking"))
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_an_api_url_is_a_400_in_the_error_body(client):
    response = client.get("/api/v1/creditor/variations/?status=%00")
    assert response.status_code == 400 and response.json()["error"]["code"]
