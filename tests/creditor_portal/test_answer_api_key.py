"""An answer through the creditor API names the API key it came with (outside tester's
finding: `via=api`, `by=None` and nothing else, so with several keys per organisation a binding
confirmation could not be traced). The dashboard's answers keep naming the staff member."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from creditors.api_keys import revoke_api_key
from resolution.models import DebtConfirmation
from resolution.services.confirmation import confirm_at_bureau_figures
from tests.ombudsman.test_admin_review import ombudsman_user, review_url
from tests.support.workflow import api_key_for, awaiting_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/creditor"


def _answers(case_loan):
    return list(DebtConfirmation.objects.filter(case_loan=case_loan).order_by("at", "pk"))


def test_each_key_is_recorded_on_its_answer_and_the_dashboard_records_the_user(client):
    world = awaiting_case()
    key_a, through_a = api_key_for(world.creditors[0])
    key_b, through_b = api_key_for(world.creditors[0])
    loan = world.loans[0]

    first = through_a.post(f"{BASE}/loans/{loan.pk}/confirm/", {}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["api_key"] == {"prefix": key_a.prefix, "name": key_a.name}
    second = through_b.post(
        f"{BASE}/loans/{loan.pk}/dispute/", {"reason": "sold to a collector"}, format="json"
    )
    assert second.status_code == 201, second.content
    assert second.json()["api_key"]["prefix"] == key_b.prefix

    by_a, by_b = _answers(loan)
    assert (by_a.via, by_a.api_key_id, by_a.by_id) == ("api", key_a.pk, None)
    assert (by_b.via, by_b.api_key_id, by_b.by_id) == ("api", key_b.pk, None)

    # the dashboard: the staff member, no key
    staff = world.staff[1]
    client.force_login(staff)
    response = client.post(f"/creditor/case-loans/{world.loans[1].pk}/confirm/")
    assert response.status_code == 302
    [on_dashboard] = _answers(world.loans[1])
    assert (on_dashboard.via, on_dashboard.by_id, on_dashboard.api_key_id) == (
        "dashboard", staff.pk, None)  # fmt: skip


def test_a_retry_keeps_the_first_key_and_a_staff_session_on_the_api_records_the_user():
    world = awaiting_case()
    key_a, through_a = api_key_for(world.creditors[0])
    _, through_b = api_key_for(world.creditors[0])
    url = f"{BASE}/loans/{world.loans[0].pk}/confirm/"
    assert through_a.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    retry = through_b.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 200  # the first answer, booked once, by the first key
    assert retry.json()["api_key"]["prefix"] == key_a.prefix
    assert [a.api_key_id for a in _answers(world.loans[0])] == [key_a.pk]

    session = APIClient()
    session.force_authenticate(world.staff[1])
    response = session.post(f"{BASE}/loans/{world.loans[1].pk}/confirm/", {}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["api_key"] is None
    [row] = _answers(world.loans[1])
    assert (row.via, row.by_id, row.api_key_id) == ("api", world.staff[1].pk, None)


def test_a_revoked_key_stays_on_its_answers_in_the_api_history_and_the_admin(client):
    world = awaiting_case()
    key_a, through_a = api_key_for(world.creditors[0])
    key_a.name = "ERP nightly"
    key_a.save(update_fields=["name"])
    assert through_a.post(f"{BASE}/loans/{world.loans[0].pk}/confirm/").status_code == 201
    revoke_api_key(api_key=key_a)
    with pytest.raises(ProtectedError):
        key_a.delete()  # the answer keeps pointing at it

    _, through_b = api_key_for(world.creditors[0])
    loan = through_b.get(f"{BASE}/loans/{world.loans[0].pk}/").json()
    assert [c["api_key"] for c in loan["confirmations"]] == [
        {"prefix": key_a.prefix, "name": "ERP nightly"}
    ]

    client.force_login(ombudsman_user("banking"))
    html = client.get(review_url(world.case)).content.decode()
    assert f"“ERP nightly” ({key_a.prefix}…)" in html
    assert "revoked since" in html


def test_the_bulk_confirmation_service_records_the_key_it_is_given():
    world = awaiting_case()
    key, _ = api_key_for(world.creditors[0])
    result = confirm_at_bureau_figures(
        creditor=world.creditors[0], case_loan_ids=[world.loans[0].pk], api_key=key, via="api"
    )
    assert result.confirmed == [world.loans[0].pk]
    assert [a.api_key_id for a in _answers(world.loans[0])] == [key.pk]


def test_the_database_refuses_a_key_on_an_answer_not_made_through_the_api():
    world = awaiting_case()
    key, _ = api_key_for(world.creditors[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtConfirmation.objects.create(
            case_loan=world.loans[0], creditor=world.creditors[0], action="confirm",
            total_tiyn=1, api_key=key, via="dashboard", at=world.case.created_at,
        )  # fmt: skip
