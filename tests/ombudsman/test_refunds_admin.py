"""The refunds queue in the admin: one staff member prepares, another approves (the maker is
refused as checker), the payout run pays; each staff member sees their own queue only."""

import pytest

from finplatform.iban import make_kz_iban
from resolution.models import Case
from schedules.models import RefundPayout, RefundStatus
from schedules.services import refunds
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.endings import active_plan, pay_in_full
from tests.support.identity import set_refund_iban

pytestmark = pytest.mark.django_db
URL = "/admin/schedules/refundpayout/"


def _requested(sim):
    world = active_plan((30_000_000, 20_000_000), language="en")
    Case.objects.filter(pk=world.case.pk).update(ombudsman="banking")
    world.case.refresh_from_db()
    pay_in_full(world, extra_tiyn=70_000)
    borrower = world.case.borrower
    iban = make_kz_iban("125", "0000007654321")
    set_refund_iban(sim, borrower, iban)
    return world, refunds.request_refund(plan_id=world.plan.pk, borrower=borrower)


def _act(client, action, refund):
    return client.post(URL, {"action": action, "_selected_action": [str(refund.pk)]}, follow=True)


def test_maker_and_checker_are_two_people_in_the_admin(client, sim):
    world, refund = _requested(sim)
    maker, checker = ombudsman_user(world.case.ombudsman), ombudsman_user(world.case.ombudsman)
    client.force_login(maker)
    assert "700,00" in client.get(URL).content.decode()
    _act(client, "prepare", refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PREPARED and refund.prepared_by == maker
    page = _act(client, "approve", refund).content.decode()
    assert "A second person must approve" in page
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PREPARED
    client.force_login(checker)
    _act(client, "approve", refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED and refund.approved_by == checker


def test_another_queue_does_not_see_the_refund(client, sim):
    world, refund = _requested(sim)
    other = "microfinance"
    client.force_login(ombudsman_user(other))
    assert refund.iban not in client.get(URL).content.decode()
    _act(client, "prepare", refund)
    assert RefundPayout.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED


def test_the_refund_iban_shows_the_identification_that_set_it(client, sim):
    world, refund = _requested(sim)
    client.force_login(ombudsman_user(world.case.ombudsman))
    page = client.get("/admin/schedules/refunddetails/").content.decode()
    assert refund.iban in page and "Biometric match" in page
