from datetime import datetime

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from finplatform.datetext import moment_text
from resolution.models import CaseStatus, DebtConfirmation
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ))
def test_dashboard_lists_own_cases_with_filters_and_deadline(client):
    world = awaiting_case()
    other = awaiting_case()
    client.force_login(world.staff[0])
    page = client.get("/creditor/")
    assert [c.pk for c in page.context["cases"]] == [world.case.pk]
    assert other.case.reference not in page.content.decode()
    deadline = world.case.creditor_requests.get(creditor=world.creditors[0]).deadline
    # the answer deadline, 00:00 on 1 December in Almaty, reads as the last minute before it
    shown = moment_text(deadline.astimezone(BUSINESS_TZ), "ru")
    assert shown == "23:59, 30 ноября 2026" and shown in page.content.decode()
    needs = client.get("/creditor/?needs_action=on").context["cases"]
    assert [c.pk for c in needs] == [world.case.pk]
    assert list(client.get(f"/creditor/?status={CaseStatus.ACTIVE}").context["cases"]) == []


def test_case_page_shows_only_own_loans_and_the_deadline(client):
    world = awaiting_case()
    client.force_login(world.staff[0])
    page = client.get(f"/creditor/cases/{world.case.pk}/").content.decode()
    assert "K-1-2024" in page and "K-2-2024" not in page


def test_other_org_gets_404_on_case_and_answers(client):
    world = awaiting_case()
    other = awaiting_case()
    client.force_login(world.staff[0])
    assert client.get(f"/creditor/cases/{other.case.pk}/").status_code == 404
    assert client.post(f"/creditor/case-loans/{world.loans[1].pk}/confirm/").status_code == 404
    assert client.post(f"/creditor/case-loans/{other.loans[0].pk}/confirm/").status_code == 404
    assert not DebtConfirmation.objects.exists()


def test_correction_form_shows_field_errors_then_records(client):
    world = awaiting_case()
    loan = world.loans[0]
    client.force_login(world.staff[0])
    prefix = f"c{loan.pk.hex}"
    bad = client.post(f"/creditor/case-loans/{loan.pk}/correct/",
                      {f"{prefix}-principal": "abc", f"{prefix}-interest": "1",
                       f"{prefix}-penalty": "", f"{prefix}-comment": "x"})  # fmt: skip
    assert bad.status_code == 400
    assert bad.context["loans"][0].correction_form.errors.keys() == {"principal", "penalty"}
    assert not DebtConfirmation.objects.exists()
    ok = client.post(f"/creditor/case-loans/{loan.pk}/correct/",
                     {f"{prefix}-principal": "490 000,00", f"{prefix}-interest": "20000",
                      f"{prefix}-penalty": "0", f"{prefix}-comment": "paid"})  # fmt: skip
    assert ok.status_code == 302
    row = DebtConfirmation.objects.get()
    assert (row.principal_tiyn, row.interest_tiyn, row.total_tiyn) == (
        49_000_000,
        2_000_000,
        51_000_000,
    )


def test_dispute_without_reason_is_a_field_error(client):
    world = awaiting_case()
    loan = world.loans[1]
    client.force_login(world.staff[1])
    bad = client.post(f"/creditor/case-loans/{loan.pk}/dispute/", {f"d{loan.pk.hex}-reason": ""})
    assert bad.status_code == 400 and "reason" in bad.context["loans"][0].dispute_form.errors
    client.post(f"/creditor/case-loans/{loan.pk}/dispute/", {f"d{loan.pk.hex}-reason": "sold"})
    loan.refresh_from_db()
    assert loan.confirmation_status == "disputed"
