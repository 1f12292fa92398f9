"""A creditor whose correction takes the borrower's total over the eligibility cap is warned
(the API's 201 body carries `warnings`, documented in the schema; the dashboard shows it),
without seeing the other creditors' figures; a correction upward needs a reason."""

import pytest

from finplatform.money import format_tenge
from resolution.models import DebtConfirmation
from tests.support.workflow import api_client_for, awaiting_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/creditor"
AT_CAP = [(400_000_000, 0, 0), (200_000_000, 0, 0), (100_000_000, 0, 0)]


def test_api_correction_over_the_cap_is_recorded_with_a_warning():
    world = awaiting_case(totals=AT_CAP)
    client = api_client_for(world.creditors[2])
    url = f"{BASE}/loans/{world.loans[2].pk}/correct/"
    at_cap = client.post(url, {"principal_tiyn": 100_000_000, "interest_tiyn": 0,
                               "penalty_tiyn": 0}, format="json")  # fmt: skip
    assert at_cap.status_code == 201 and at_cap.json()["warnings"] == []
    over = client.post(url, {"principal_tiyn": 100_000_000, "interest_tiyn": 1,
                             "penalty_tiyn": 0, "comment": "fee"}, format="json")  # fmt: skip
    assert over.status_code == 201
    (warning,) = over.json()["warnings"]
    assert warning["code"] == "over_debt_cap" and warning["cap_tiyn"] == 700_000_000
    assert format_tenge(700_000_000) in warning["message"]
    # the other creditors' debts are not revealed
    assert format_tenge(700_000_001) not in warning["message"]
    assert DebtConfirmation.objects.filter(case_loan=world.loans[2]).count() == 2


def test_api_correction_upward_without_a_reason_is_refused():
    world = awaiting_case()
    client = api_client_for(world.creditors[0])
    response = client.post(f"{BASE}/loans/{world.loans[0].pk}/correct/",
                           {"principal_tiyn": 60_000_000, "interest_tiyn": 0,
                            "penalty_tiyn": 0}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "correction_reason_required"
    assert not DebtConfirmation.objects.exists()


def test_schema_documents_the_warnings(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "r@x.kz", "pw"))
    schema = client.get("/api/v1/schema/?format=json").json()
    correct = schema["paths"]["/api/v1/creditor/loans/{case_loan_id}/correct/"]["post"]
    ref = correct["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    answer = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "warnings" in answer["properties"]
    warning_ref = answer["properties"]["warnings"]["items"]["$ref"]
    warning = schema["components"]["schemas"][warning_ref.rsplit("/", 1)[1]]
    assert {"code", "message", "cap_tiyn"} <= set(warning["properties"])


def test_dashboard_correction_over_the_cap_shows_the_warning(client):
    world = awaiting_case(totals=AT_CAP)
    loan = world.loans[2]
    client.force_login(world.staff[2])
    prefix = f"c{loan.pk.hex}"
    page = client.post(f"/creditor/case-loans/{loan.pk}/correct/",
                       {f"{prefix}-principal": "1 000 000,01", f"{prefix}-interest": "0",
                        f"{prefix}-penalty": "0", f"{prefix}-comment": "fee"},
                       follow=True)  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200
    assert "over the cap" in html and format_tenge(700_000_000) in html
    assert format_tenge(700_000_001) not in html
