"""The borrower's cabinet after a claim was sold and after the plan was terminated."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resolution.models import Notification
from resolution.services.termination import approve_termination, request_termination
from resolution.services.transfers import approve_transfer, record_transfer
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db


def pdf():
    return SimpleUploadedFile("doc.pdf", b"%PDF-1.4 doc")


def test_the_cabinet_says_whom_the_borrower_now_owes_and_that_the_plan_ended(client):
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000), language="en")
    buyer = new_creditor()
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        transfer = record_transfer(case_loan_id=world.loans[0].pk, buyer_bin=buyer.bin,
                                   effective_on=date(2026, 2, 5), document=pdf(), via="admin",
                                   user=UserFactory())  # fmt: skip
        approve_transfer(transfer_id=transfer.pk, user=UserFactory())
    client.force_login(world.case.borrower.user)
    html = client.get(reverse("schedules:borrower_schedule")).content.decode()
    assert f"you now owe that part to {buyer.name}" in html
    assert "The ombudsman ended this procedure" not in html
    notice = Notification.objects.get(borrower=world.case.borrower, channel="dashboard",
                                      template_key="claim_transferred_borrower")  # fmt: skip
    assert buyer.name in notice.body
    with time_machine.travel(almaty_noon(date(2026, 2, 11)), tick=False):
        termination = request_termination(case_id=world.case.pk, reason="death", details="x",
                                           document=pdf(), user=UserFactory())  # fmt: skip
        approve_termination(termination_id=termination.pk, user=UserFactory())
        html = client.get(reverse("schedules:borrower_schedule")).content.decode()
    assert "The ombudsman ended this procedure" in html and "Death of the borrower" in html
    assert "No further payments" in html
