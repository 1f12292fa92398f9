"""The allocation of each part (overdue principal, overdue interest, penalty, current
principal...) reaches the creditor: in the statement CSV and PDF, in the REST API (own case
only), and the overdue split can be given with a confirmation through the API."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from resolution.models import DebtConfirmation
from resolution.services.allocation import allocate_pending_parts
from tests.creditor_portal.test_api import BASE, assert_error_body
from tests.factories import CreditorStaffFactory
from tests.support.allocation import allocation_world, book
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db


def _paid_world():
    world = allocation_world()
    plan = world[0]
    book("p1", 4_000_000, date(2026, 1, 20), plan)
    allocate_pending_parts()
    return world


def test_statement_csv_and_pdf_carry_the_allocation(client):
    plan, mfo, *_ = _paid_world()
    client.force_login(CreditorStaffFactory(creditor=mfo).user)
    response = client.get(reverse("creditors:statement_csv"), {"month": "2026-01"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    payment = next(r for r in rows if r["kind"] == "payment")
    assert payment["credit_kzt"] == "23000.00"
    assert (payment["overdue_principal_kzt"], payment["overdue_interest_kzt"],
            payment["penalty_kzt"], payment["current_principal_kzt"],
            payment["current_interest_kzt"]) == ("12000.00", "5000.00", "3000.00", "3000.00",
                                                 "0.00")  # fmt: skip
    pdf = client.get(reverse("creditors:statement_pdf"), {"month": "2026-01"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_api_lists_the_allocation_of_own_case_only():
    plan, mfo, bank, mfo_loan, _ = _paid_world()
    url = f"{BASE}/cases/{plan.case_id}/allocations/"
    body = api_client_for(mfo).get(url).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["component"], r["amount_tiyn"]) for r in rows] == [
        ("overdue_principal", 1_200_000), ("overdue_interest", 500_000), ("penalty", 300_000),
        ("current_principal", 300_000),
    ]  # fmt: skip
    assert {r["contract_number"] for r in rows} == {mfo_loan.loan.contract_number}
    other = awaiting_case().creditors[0]  # a creditor with no part in this case
    assert_error_body(api_client_for(other).get(url), 404)


def test_confirmation_through_the_api_carries_the_overdue_split():
    world = awaiting_case()
    loan = world.loans[0]
    client = api_client_for(world.creditors[0])
    too_much = client.post(f"{BASE}/loans/{loan.pk}/confirm/",
                           {"overdue_principal_tiyn": loan.bureau_principal_tiyn + 1},
                           format="json")  # fmt: skip
    assert_error_body(too_much, 400, "overdue_split_invalid")
    assert not DebtConfirmation.objects.filter(case_loan=loan).exists()
    ok = client.post(f"{BASE}/loans/{loan.pk}/confirm/",
                     {"overdue_principal_tiyn": 1_000_000, "overdue_interest_tiyn": 0},
                     format="json")  # fmt: skip
    assert ok.status_code == 201, ok.content
    assert (ok.json()["overdue_principal_tiyn"], ok.json()["overdue_interest_tiyn"]) == (
        1_000_000, 0,
    )  # fmt: skip
    plain = api_client_for(world.creditors[2]).post(f"{BASE}/loans/{world.loans[2].pk}/confirm/")
    assert plain.status_code == 201 and plain.json()["overdue_principal_tiyn"] is None


def test_the_dashboard_correction_takes_the_overdue_split_and_refuses_a_wrong_one(client):
    world = awaiting_case()
    loan = world.loans[0]
    client.force_login(world.staff[0])
    prefix = f"c{loan.pk.hex}"
    form = {f"{prefix}-principal": "490 000,00", f"{prefix}-interest": "20000",
            f"{prefix}-penalty": "0", f"{prefix}-comment": "paid"}  # fmt: skip
    client.post(f"/creditor/case-loans/{loan.pk}/correct/",
                form | {f"{prefix}-overdue_principal": "500 000"})  # fmt: skip
    assert not DebtConfirmation.objects.exists()  # more overdue than the principal: refused
    client.post(f"/creditor/case-loans/{loan.pk}/correct/",
                form | {f"{prefix}-overdue_principal": "120 000",
                        f"{prefix}-overdue_interest": "5 000,50"})  # fmt: skip
    row = DebtConfirmation.objects.get()
    assert (row.overdue_principal_tiyn, row.overdue_interest_tiyn) == (12_000_000, 500_050)
    page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
    assert "120\xa0000,00" in page  # the split is shown with the answer
