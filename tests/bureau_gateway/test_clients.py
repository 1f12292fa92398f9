"""The HTTP clients against the simulator process: error types, retries, audit."""

import os
import subprocess
import sys
from datetime import date

import pytest
import requests
from django.conf import settings

from bureau_gateway.clients import (
    HttpCreditBureau,
    HttpGovernmentData,
    HttpIdentityProvider,
    HttpSmsGateway,
)
from bureau_gateway.interfaces import BureauUnavailable, MalformedResponse, SubjectUnknown
from bureau_gateway.models import BureauExchange, subject_hash
from bureau_gateway.simulator import demo_data
from bureau_gateway.simulator.open_world import UNKNOWN
from finplatform.devstack import free_port
from tests.factories import next_iin
from tests.support.bureau import open_world_iin

pytestmark = pytest.mark.django_db
AIGERIM, GULNARA = demo_data.BORROWERS[0], demo_data.BORROWERS[1]


def test_fetch_report_of_a_demo_borrower(sim):
    report = HttpCreditBureau().fetch_report(AIGERIM["iin"])
    assert report.iin == AIGERIM["iin"] and len(report.loans) == 3
    collector = next(loan for loan in report.loans if loan.creditor_kind == "collector")
    assert collector.original_creditor_kind == "bank"
    assert report.loans[0].total_tiyn == (1_150_000 + 84_300 + 12_450) * 100
    exchange = BureauExchange.objects.get(subject_hash=subject_hash(AIGERIM["iin"]))
    assert exchange.status == 200 and exchange.body["iin"] == AIGERIM["iin"]
    assert exchange.requested_at is not None and exchange.duration_ms >= 0


def test_unknown_iin_is_subject_unknown_not_retried(sim):
    iin = open_world_iin(UNKNOWN)  # the open world's unknown person
    with pytest.raises(SubjectUnknown):
        HttpCreditBureau().fetch_report(iin)
    assert BureauExchange.objects.filter(subject_hash=subject_hash(iin), status=404).count() == 1


def test_5xx_is_retried_then_bureau_unavailable(sim):
    sim.fault("bureau", "down", count=3)
    with pytest.raises(BureauUnavailable):
        HttpCreditBureau(retries=2, backoff=0).fetch_report(AIGERIM["iin"])
    assert BureauExchange.objects.filter(status=503).count() == 3


def test_a_retry_that_succeeds_returns_the_report(sim):
    sim.fault("bureau", "down", count=2)
    report = HttpCreditBureau(retries=2, backoff=0).fetch_report(AIGERIM["iin"])
    assert len(report.loans) == 3
    assert list(BureauExchange.objects.order_by("pk").values_list("status", flat=True)) == [
        503, 503, 200,
    ]  # fmt: skip


def test_connection_refused_and_timeout_are_unavailable(sim):
    with pytest.raises(BureauUnavailable):
        HttpCreditBureau(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0).fetch_report(
            AIGERIM["iin"]
        )
    refused = BureauExchange.objects.filter(status__isnull=True)
    assert refused.count() == 2 and "ConnectionError" in refused.first().error
    sim.fault("bureau", "slow", count=1)  # the simulator waits 10s; we give up after 0.3s
    with pytest.raises(BureauUnavailable):
        HttpCreditBureau(timeout=0.3, retries=0).fetch_report(AIGERIM["iin"])


def test_malformed_answer(sim):
    sim.fault("bureau", "malformed", count=1)
    with pytest.raises(MalformedResponse):
        HttpCreditBureau().fetch_report(AIGERIM["iin"])


def test_off_contract_report_is_malformed(sim):
    iin = next_iin()
    sim.put_report(iin, [{"creditor": {"bin": "123", "name": "x", "kind": "bank"}}])
    with pytest.raises(MalformedResponse, match="BIN"):
        HttpCreditBureau().fetch_report(iin)
    sim.put_report(
        iin,
        [
            {
                "creditor": {"bin": "040540001012", "name": "x", "kind": "bank"},
                "bureau_reference": "R",
                "contract_number": "C",
                "kind": "consumer",
                "secured": False,
                "principal_tiyn": -5,
                "interest_tiyn": 0,
                "penalty_tiyn": 0,
                "overdue_days": 0,
                "opened_on": "2024-01-01",
            }
        ],
    )
    with pytest.raises(MalformedResponse, match="principal_tiyn"):
        HttpCreditBureau().fetch_report(iin)


def test_procedure_reports_are_recorded_and_flag_later_reports(sim):
    bureau = HttpCreditBureau()
    iin = next_iin()
    sim.put_report(iin, [])
    bureau.report_procedure_started(
        iin=iin,
        bureau_reference="FCB-1",
        creditor_bin="040540001012",
        case_reference="FK-TEST0001",
        on=date(2026, 11, 23),
    )
    bureau.report_procedure_completed(
        iin=iin,
        bureau_reference="FCB-1",
        creditor_bin="040540001012",
        case_reference="FK-TEST0001",
        on=date(2031, 11, 23),
    )
    events = sim.procedures(iin)
    assert [e["event"] for e in events] == ["started", "completed"]
    assert events[0]["on"] == "2026-11-23"
    assert bureau.fetch_report(iin).previous_procedure_signed is True


def test_the_end_of_a_procedure_after_a_breach_is_reported_with_its_reason(sim):
    bureau = HttpCreditBureau()
    iin = next_iin()
    bureau.report_procedure_ended(
        iin=iin, bureau_reference="FCB-2", creditor_bin="040540001012",
        case_reference="FK-TEST0002", on=date(2027, 3, 15), reason="breached",
    )  # fmt: skip
    [event] = sim.procedures(iin)
    assert (event["event"], event["reason"], event["on"]) == ("ended", "breached", "2027-03-15")
    # the simulator, like the bureau, refuses an end without a known reason
    body = {
        "event": "ended",
        "iin": iin,
        "bureau_reference": "FCB-2",
        "creditor_bin": "040540001012",
        "case_reference": "FK-TEST0002",
        "on": "2027-03-15",
    }
    response = requests.post(f"{settings.BUREAU_URL}/procedures", json=body, timeout=5)
    assert response.status_code == 400 and "reason" in response.json()["missing"]
    assert len(sim.procedures(iin)) == 1


def test_government_data(sim):
    answer = HttpGovernmentData().social_status(GULNARA["iin"])
    assert answer.receives_asp is True and answer.source
    assert HttpGovernmentData().social_status(AIGERIM["iin"]).receives_asp is False
    with pytest.raises(SubjectUnknown):
        HttpGovernmentData().social_status(open_world_iin(UNKNOWN))


def test_identity_operator_biometrics_and_eds(sim):
    identity = HttpIdentityProvider()
    assert identity.phone_belongs_to(iin=AIGERIM["iin"], phone=AIGERIM["phone"]) is True
    assert identity.phone_belongs_to(iin=AIGERIM["iin"], phone="+77000000000") is False
    iin = AIGERIM["iin"]

    def face(token, challenge=None, answer=None):
        challenge = challenge or identity.start_liveness(iin=iin)
        answer = answer or "-".join(challenge.movements) + ":" + challenge.nonce
        return identity.verify_biometrics(iin=iin, selfie_token=token,
                                          challenge_id=challenge.challenge_id,
                                          challenge_answer=answer)  # fmt: skip

    live = face("live:abc")
    assert live.verified and live.liveness and live.reference
    photo = face("photo:abc")
    assert not photo.verified and photo.liveness is False
    assert not face("live:abc", answer="turn_left-blink-nod:0000").verified  # not the challenge's
    c = identity.start_liveness(iin=iin)
    person = identity.verify_person(
        iin=iin, full_name=AIGERIM["full_name"].upper(), selfie_token="live:1",
        challenge_id=c.challenge_id, challenge_answer="-".join(c.movements) + ":" + c.nonce,
    )  # fmt: skip
    assert person.verified and person.method == "two_factor"
    signed = sim.eds_signature(iin, "challenge-1")
    assert identity.verify_eds(iin=iin, challenge="challenge-1", **signed).verified
    assert not identity.verify_eds(iin=iin, challenge="challenge-2", **signed).verified
    assert not identity.verify_eds(iin=next_iin(), challenge="challenge-1", **signed).verified
    assert not identity.verify_eds(iin=iin, challenge="x", signature="eQ==",
                                   certificate="not a certificate").verified  # fmt: skip


def test_sms_is_deduplicated_and_the_audit_does_not_keep_the_text(sim):
    sms = HttpSmsGateway()
    phone = "+77010000123"
    first = sms.send(phone=phone, text="code 123456", dedup_key="k-1")
    again = sms.send(phone=phone, text="code 123456", dedup_key="k-1")
    assert first == again
    assert [m["text"] for m in sim.sms(phone)] == ["code 123456"]
    for exchange in BureauExchange.objects.filter(service="sms"):
        assert "123456" not in str(exchange.request_body) + str(exchange.body)


def test_simulator_imports_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("import bureau_gateway.simulator.server as s, django.conf as c; "
            "assert not c.settings.configured; assert len(s.WORLD.reports) >= 6")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
