"""Where the legal name comes from, at the adapters (real simulator over HTTP): the state
register's person record by IIN, and a face check's record name — given only with a match."""

import pytest

from bureau_gateway.clients import HttpGovernmentData, HttpIdentityProvider
from bureau_gateway.interfaces import MalformedResponse, SubjectUnknown
from bureau_gateway.simulator import open_world
from bureau_gateway.simulator.open_world import UNKNOWN
from tests.factories import next_iin
from tests.support.bureau import open_world_iin

pytestmark = pytest.mark.django_db


def test_the_register_names_a_person_by_iin_and_knows_nobody_else(sim):
    iin = next_iin()
    record = HttpGovernmentData(retries=0).person(iin)
    assert (record.iin, record.full_name) == (iin, open_world.full_name(iin))
    assert record.source and record.checked_at is not None
    with pytest.raises(SubjectUnknown):
        HttpGovernmentData(retries=0).person(open_world_iin(UNKNOWN))


def test_a_name_with_control_characters_is_off_contract(sim):
    iin = next_iin()
    sim.set_phone(iin, "+77010001122", full_name="Имя\u0000Фамилия")
    with pytest.raises(MalformedResponse):
        HttpGovernmentData(retries=0).person(iin)


def test_a_face_check_gives_the_records_name_only_with_a_match(sim):
    iin, identity = next_iin(), HttpIdentityProvider(retries=0)

    def face(token):
        challenge = identity.start_liveness(iin=iin)
        return identity.verify_biometrics(
            iin=iin, selfie_token=token, challenge_id=challenge.challenge_id,
            challenge_answer="-".join(challenge.movements) + ":" + challenge.nonce,
        )  # fmt: skip

    assert face("live:me").full_name == open_world.full_name(iin)
    assert face("other:face").full_name == "" and face("photo:still").full_name == ""
