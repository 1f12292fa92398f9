"""The credit-history correction after a court decision (fraud): the HTTP client against the
simulated bureau, one correction per request id."""

from datetime import date

import pytest
import requests

from bureau_gateway.clients import HttpCreditBureau
from bureau_gateway.interfaces import MalformedResponse
from tests.factories import next_iin

pytestmark = pytest.mark.django_db


def _correct(bureau, iin, request_id, **extra):
    fields = {"iin": iin, "bureau_reference": "FCB-9", "creditor_bin": "040540001012",
              "case_reference": "FK-TEST0009", "court_decision_number": "2-5/2026",
              "court_decision_date": date(2026, 11, 2), "request_id": request_id,
              **extra}  # fmt: skip
    return bureau.correct_credit_history(**fields)


def test_a_repeated_request_is_the_same_correction(sim):
    bureau, iin = HttpCreditBureau(), next_iin()
    first = _correct(bureau, iin, "fraud-1")
    assert first.startswith("COR-")
    assert _correct(bureau, iin, "fraud-1") == first
    other = _correct(bureau, iin, "fraud-2")
    assert other != first
    found = sim.corrections(iin)
    assert [c["correction_id"] for c in found] == [first, other]
    assert found[0]["court_decision_date"] == "2026-11-02" and found[0]["reason"] == "fraud"


def test_an_incomplete_request_is_refused(sim):
    with pytest.raises(MalformedResponse):
        _correct(HttpCreditBureau(), next_iin(), "fraud-3", court_decision_number="")
    answer = requests.post(f"{sim.base}/bureau/corrections", json={"iin": "1"}, timeout=5)
    assert answer.status_code == 400 and "request_id" in answer.json()["missing"]
