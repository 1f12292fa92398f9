"""The outside world for anyone (issue 15, point 1): every valid IIN that is not a demo person
has a fixed profile chosen by its serial digits, over the real simulator and the real clients.
None of these tests calls a simulator control endpoint to set the person up."""

import pytest

from bureau_gateway.clients import HttpCreditBureau, HttpGovernmentData, HttpIdentityProvider
from bureau_gateway.interfaces import BureauUnavailable, MalformedResponse, SubjectUnknown
from bureau_gateway.simulator import demo_data, open_world
from bureau_gateway.simulator.identity import challenge_answer
from tests.support.bureau import open_world_iin, random_open_world_iin

pytestmark = pytest.mark.django_db
AIGERIM = demo_data.BORROWERS[0]


def test_a_new_iin_has_two_to_six_creditors_and_the_same_report_each_time(sim):
    for _ in range(5):
        iin = random_open_world_iin()
        report = HttpCreditBureau(retries=0).fetch_report(iin)
        creditors = {loan.creditor_bin for loan in report.loans}
        assert 2 <= len(creditors) <= 6 and len(creditors) == len(report.loans)
        assert all(loan.overdue_days > 0 for loan in report.loans)
        again = HttpCreditBureau(retries=0).fetch_report(iin)
        assert [loan.principal_tiyn for loan in again.loans] == [
            loan.principal_tiyn for loan in report.loans
        ]


@pytest.mark.parametrize(
    "serial, check",
    [
        (open_world.ONE_CREDITOR, lambda r: len({loan.creditor_bin for loan in r.loans}) == 1),
        (open_world.OVER_CAP, lambda r: sum(loan.principal_tiyn for loan in r.loans) > 7e8),
        (open_world.BANKRUPTCY, lambda r: r.bankruptcy_in_progress),
        (open_world.SOLVENCY, lambda r: r.solvency_restoration_in_progress),
        (open_world.PREVIOUS, lambda r: r.previous_procedure_signed),
    ],
)
def test_each_reason_to_refuse_is_reachable_by_the_serial(sim, serial, check):
    assert check(HttpCreditBureau(retries=0).fetch_report(open_world_iin(serial)))


def test_each_failure_is_reachable_by_the_serial(sim):
    bureau = HttpCreditBureau(retries=0, timeout=0.5)
    with pytest.raises(MalformedResponse):
        bureau.fetch_report(open_world_iin(open_world.MALFORMED))
    with pytest.raises(BureauUnavailable):
        bureau.fetch_report(open_world_iin(open_world.DOWN))
    with pytest.raises(BureauUnavailable):  # the timeout
        bureau.fetch_report(open_world_iin(open_world.TIMEOUT))
    unknown = open_world_iin(open_world.UNKNOWN)
    with pytest.raises(SubjectUnknown):
        bureau.fetch_report(unknown)
    with pytest.raises(SubjectUnknown):
        HttpGovernmentData(retries=0).social_status(unknown)
    with pytest.raises(SubjectUnknown):
        HttpIdentityProvider(retries=0).start_liveness(iin=unknown)
    with pytest.raises(SubjectUnknown):
        HttpIdentityProvider(retries=0).phone_belongs_to(iin=unknown, phone="+77010000000")


def test_the_operator_confirms_any_phone_for_a_new_person_but_not_for_a_demo_person(sim):
    identity = HttpIdentityProvider(retries=0)
    assert identity.phone_belongs_to(iin=random_open_world_iin(), phone="+77019998877")
    assert not identity.phone_belongs_to(iin=AIGERIM["iin"], phone="+77019998877")
    assert identity.phone_belongs_to(iin=AIGERIM["iin"], phone=AIGERIM["phone"])


def test_demo_people_keep_their_fixed_profiles(sim):
    report = HttpCreditBureau(retries=0).fetch_report(AIGERIM["iin"])
    assert [loan.contract_number for loan in report.loans] == [
        loan["contract_number"] for loan in AIGERIM["loans"]
    ]


@pytest.mark.parametrize("check", ["biometric", "two_factor"])
def test_a_new_person_has_a_name_and_a_face_for_identification(sim, check):
    iin, identity = random_open_world_iin(), HttpIdentityProvider(retries=0)
    challenge = identity.start_liveness(iin=iin)
    live = {"iin": iin, "selfie_token": "live:new", "challenge_id": challenge.challenge_id,
            "challenge_answer": challenge_answer({"movements": challenge.movements,
                                                  "nonce": challenge.nonce})}  # fmt: skip
    if check == "two_factor":
        assert open_world.full_name(iin)
        assert identity.verify_person(full_name=open_world.full_name(iin), **live).verified
    else:
        assert identity.verify_biometrics(**live).verified
