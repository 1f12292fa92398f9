"""Issue 16, Medium 6: the admin's personal data stays in the staff member's queue. The
bank ombudsman sees no MFO-queue borrower, case, loan, plan, payment or bureau exchange
(absent from the lists, 404 on the change pages); a senior sees both queues, and each look
into another queue writes a StaffQueueAccess row."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from bureau_gateway.models import BureauExchange, subject_hash
from finplatform.roles import OMBUDSMAN_SENIOR
from resolution.models import Case, StaffQueueAccess
from schedules.models import IncomingPayment
from schedules.services.payments import book_payment
from tests.factories import CaseFactory, CaseLoanFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db


@dataclass
class Queue:
    case: Case
    loan: object
    plan: object
    payment: IncomingPayment
    exchange: BureauExchange


def queue_world(ombudsman: str, key: str) -> Queue:
    case = CaseFactory(ombudsman=ombudsman)
    case_loan = CaseLoanFactory(case=case)
    plan, _ = make_plan([30_000_000], case=case)
    book_payment(source="bank", item=pay(key, 1_000_000, date(2026, 1, 30), plan=plan))
    exchange = BureauExchange.objects.create(
        service="bureau", method="GET", endpoint="/reports/x", status=200,
        subject_hash=subject_hash(case.borrower.iin), requested_at=timezone.now(), duration_ms=5,
    )  # fmt: skip
    return Queue(case, case_loan.loan, plan, IncomingPayment.objects.get(plan=plan), exchange)


PAGES = [  # (changelist, the object of a queue it lists)
    ("/admin/borrowers/borrower/", lambda q: q.case.borrower),
    ("/admin/resolution/case/", lambda q: q.case),
    ("/admin/creditors/loan/", lambda q: q.loan),
    ("/admin/schedules/plan/", lambda q: q.plan),
    ("/admin/schedules/incomingpayment/", lambda q: q.payment),
    ("/admin/bureau_gateway/bureauexchange/", lambda q: q.exchange),
]


def listed(client, url) -> set:
    page = client.get(url)
    assert page.status_code == 200, url
    return {row.pk for row in page.context["cl"].result_list}


@pytest.fixture
def queues():
    return queue_world("banking", "bank-1"), queue_world("microfinance", "mfo-1")


@pytest.mark.parametrize(("url", "pick"), PAGES)
def test_bank_ombudsman_sees_only_the_bank_queue(client, queues, url, pick):
    bank, mfo = queues
    client.force_login(ombudsman_user("banking"))
    shown = listed(client, url)
    assert pick(bank).pk in shown
    assert pick(mfo).pk not in shown
    assert client.get(f"{url}{pick(mfo).pk}/change/").status_code in (302, 404)
    assert client.get(f"{url}{pick(bank).pk}/change/").status_code == 200
    assert not StaffQueueAccess.objects.exists()


def test_the_mfo_case_review_page_is_404_for_the_bank_ombudsman(client, queues):
    _, mfo = queues
    client.force_login(ombudsman_user("banking"))
    assert client.get(f"/admin/resolution/case/{mfo.case.pk}/review/").status_code == 404


def senior_user(ombudsman: str):
    user = ombudsman_user(ombudsman)
    user.groups.add(Group.objects.get(name=OMBUDSMAN_SENIOR))
    return user


@pytest.mark.parametrize(("url", "pick"), PAGES)
def test_senior_sees_both_queues_and_each_look_into_the_other_is_audited(client, queues, url, pick):
    bank, mfo = queues
    senior = senior_user("banking")
    client.force_login(senior)
    shown = listed(client, url)
    assert {pick(bank).pk, pick(mfo).pk} <= shown
    listing = StaffQueueAccess.objects.get()
    assert listing.user == senior and listing.own_ombudsman == "banking"
    assert str(pick(mfo).pk) in listing.object_ids
    assert str(pick(bank).pk) not in listing.object_ids  # own queue: no audit

    assert client.get(f"{url}{pick(bank).pk}/change/").status_code == 200
    assert StaffQueueAccess.objects.count() == 1  # own queue's page: nothing written
    assert client.get(f"{url}{pick(mfo).pk}/change/").status_code == 200
    page = StaffQueueAccess.objects.order_by("-pk").first()
    assert page.object_ids == [str(pick(mfo).pk)]
    assert page.path == f"{url}{pick(mfo).pk}/change/"


def test_a_senior_reading_the_other_queues_review_page_is_audited(client, queues):
    _, mfo = queues
    client.force_login(senior_user("banking"))
    assert client.get(f"/admin/resolution/case/{mfo.case.pk}/review/").status_code == 200
    assert StaffQueueAccess.objects.get().object_ids == [str(mfo.case.pk)]


def test_the_access_audit_is_append_only(client, queues):
    _, mfo = queues
    client.force_login(senior_user("banking"))
    client.get(f"/admin/resolution/case/{mfo.case.pk}/change/")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffQueueAccess.objects.all().delete()
