"""A disputed loan the ombudsman decided no longer reads "disputed" (outside tester's finding:
`confirmation_status` stayed `disputed` beside the decided `confirmed_total`, in the CSV export
and the API): it reads `included` or `excluded`, the same everywhere. And the API's times are
all Almaty time with its offset, `answer_deadline` included."""

import csv
import io

import pytest

from resolution.services.decision import decide_disputed_loan
from tests.support.workflow import answer_all, api_client_for, awaiting_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/creditor"


def _csv_status(client, staff, contract: str) -> tuple[str, str]:
    client.force_login(staff)
    rows = list(csv.DictReader(io.StringIO(client.get("/creditor/cases.csv").content.decode())))
    row = next(r for r in rows if r["contract_number"] == contract)
    return row["confirmation_status"], row["confirmed_total_kzt"]


def test_an_included_dispute_reads_included_in_the_api_and_the_export(client):
    world = awaiting_case()
    answer_all(world)  # the second loan is disputed
    disputed = world.loans[1]
    api = api_client_for(world.creditors[1])
    before = api.get(f"{BASE}/loans/{disputed.pk}/").json()
    assert (before["confirmation_status"], before["confirmed_total_tiyn"]) == ("disputed", None)

    decide_disputed_loan(case_loan_id=disputed.pk, include=True, amount_tiyn=20_000_000)
    after = api.get(f"{BASE}/loans/{disputed.pk}/").json()
    assert (after["confirmation_status"], after["confirmed_total_tiyn"]) == (
        "included", 20_000_000)  # fmt: skip
    assert [c["action"] for c in after["confirmations"]] == ["dispute", "include"]
    assert _csv_status(client, world.staff[1], "K-2-2024") == ("included", "200000.00")


def test_a_left_out_dispute_reads_excluded(client):
    world = awaiting_case()
    answer_all(world)
    disputed = world.loans[1]
    decide_disputed_loan(case_loan_id=disputed.pk, include=False, reason="sold before filing")
    disputed.refresh_from_db()
    assert (disputed.confirmation_status, disputed.included) == ("excluded", False)
    body = api_client_for(world.creditors[1]).get(f"{BASE}/loans/{disputed.pk}/").json()
    assert body["confirmation_status"] == "excluded"
    assert _csv_status(client, world.staff[1], "K-2-2024") == ("excluded", "")


def test_the_schema_documents_the_decided_statuses(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    enum = schema["components"]["schemas"]["ConfirmationStatusEnum"]["enum"]
    assert {"included", "excluded", "disputed"} <= set(enum)


def test_every_api_time_is_almaty_time_with_its_offset():
    world = awaiting_case()
    api = api_client_for(world.creditors[0])
    api.post(f"{BASE}/loans/{world.loans[0].pk}/confirm/")
    case = api.get(f"{BASE}/cases/{world.case.pk}/").json()
    assert case["answer_deadline"].endswith("+05:00"), case["answer_deadline"]
    assert case["loans"][0]["confirmations"][0]["at"].endswith("+05:00")
    listed = api.get(f"{BASE}/cases/").json()["results"][0]
    assert listed["answer_deadline"] == case["answer_deadline"]
