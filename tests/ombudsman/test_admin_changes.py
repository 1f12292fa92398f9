"""The admin's pages for claim transfers and terminations: record, then approve by another
member of staff (the recorder cannot), scoped to the staff member's queue."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from ombudsman.admin.changes import MSG_NO_LOAN
from resolution.models import CaseStatus, OmbudsmanStaff
from resolution.services.transfers import MSG_UNKNOWN_BUYER
from schedules.models import ClaimTransfer, PlanStatus, PlanTermination
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db
TRANSFERS = "/admin/schedules/claimtransfer/"
TERMINATIONS = "/admin/schedules/plantermination/"


def staff(ombudsman="banking"):
    user = UserFactory(is_staff=True)
    OmbudsmanStaff.objects.create(user=user, ombudsman=ombudsman, preferred_language="en")
    user.groups.add(Group.objects.get(name="ombudsman_staff"))
    return user


def pdf():
    return SimpleUploadedFile("doc.pdf", b"%PDF-1.4 doc", content_type="application/pdf")


@pytest.fixture
def world():
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000))
    world.case.ombudsman = "banking"
    world.case.save(update_fields=["ombudsman"])
    world.loans[0].loan.contract_number = "K-77"
    world.loans[0].loan.save(update_fields=["contract_number"])
    return world


@pytest.fixture
def today():
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        yield


def test_staff_record_a_transfer_and_another_approves_it(client, world, today):
    buyer = new_creditor()
    recorder, approver = staff(), staff()
    client.force_login(recorder)
    assert client.get(TRANSFERS).status_code == 200
    response = client.post(f"{TRANSFERS}record/", {
        "case_reference": world.case.reference, "contract_number": "K-77",
        "buyer_bin": buyer.bin, "effective_on": "2026-02-05", "document": pdf()})  # fmt: skip
    assert response.status_code == 302
    transfer = ClaimTransfer.objects.get()
    decide = f"{TRANSFERS}{transfer.pk}/decide/"
    page = client.post(decide, {"action": "approve", "note": ""}, follow=True)
    assert "someone other than who recorded it" in page.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    client.force_login(approver)
    assert client.get(f"{TRANSFERS}{transfer.pk}/document/").content == b"%PDF-1.4 doc"
    assert client.post(decide, {"action": "approve", "note": "ok"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "approved" and transfer.decided_by == approver
    assert transfer.share.creditor_id == buyer.pk


def test_another_queue_can_neither_record_nor_decide(client, world, today):
    buyer = new_creditor()
    client.force_login(staff("microfinance"))
    response = client.post(f"{TRANSFERS}record/", {
        "case_reference": world.case.reference, "contract_number": "K-77",
        "buyer_bin": buyer.bin, "effective_on": "2026-02-05", "document": pdf()})  # fmt: skip
    assert response.status_code == 200 and not ClaimTransfer.objects.exists()
    termination = client.post(f"{TERMINATIONS}record/", {
        "case_reference": world.case.reference, "reason": "fraud", "details": "forged",
        "document": pdf()})  # fmt: skip
    assert termination.status_code == 200 and not PlanTermination.objects.exists()
    # each refusal stands on the field it is about
    assert response.context["form"].errors == {"contract_number": [str(MSG_NO_LOAN)]}
    assert termination.context["form"].errors == {"case_reference": ["No such case in your queue."]}


def test_a_refusal_of_the_service_is_a_form_error_and_records_nothing(client, world, today):
    client.force_login(staff())
    response = client.post(f"{TRANSFERS}record/", {
        "case_reference": world.case.reference, "contract_number": "K-77",
        "buyer_bin": "000000000000", "effective_on": "2026-02-05", "document": pdf()})  # fmt: skip
    assert response.status_code == 200 and not ClaimTransfer.objects.exists()
    assert response.context["form"].non_field_errors() == [str(MSG_UNKNOWN_BUYER)]


def test_staff_record_a_termination_and_another_approves_it(client, world, today):
    recorder, approver = staff(), staff()
    client.force_login(recorder)
    response = client.post(f"{TERMINATIONS}record/", {
        "case_reference": world.case.reference, "reason": "fraud",
        "details": "forged income documents", "document": pdf()})  # fmt: skip
    assert response.status_code == 302
    termination = PlanTermination.objects.get()
    client.force_login(approver)
    assert "forged income documents" in client.get(
        f"{TERMINATIONS}{termination.pk}/decide/").content.decode()  # fmt: skip
    client.post(f"{TERMINATIONS}{termination.pk}/decide/", {"action": "approve", "note": ""})
    world.plan.refresh_from_db()
    world.case.refresh_from_db()
    assert (world.plan.status, world.case.status) == (PlanStatus.TERMINATED, CaseStatus.TERMINATED)
    listed = client.get(TERMINATIONS).content.decode()
    assert world.case.reference in listed
