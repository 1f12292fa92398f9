"""The borrower's legal name comes from the identity source, never from the registration form
(an outside tester registered IIN 900517323454 as `Тестов <img …> "Дрилл"`, identified by
biometrics and got every document under that string). Whichever method identifies, the
account takes the name the identification centre's record or the state register (ГБД ФЛ)
holds: biometrics and EDS replace a typed name, the two-factor check refuses one that does
not match (the name is that method's second factor). Real simulator over HTTP, real PDFs."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from borrowers import identification, services
from borrowers.identification import MSG_DATA_MISMATCH, same_name
from borrowers.models import Borrower, Identification
from bureau_gateway.simulator import open_world
from portal.views.identity import MSG_NAME_FROM_REGISTER
from tests.factories import PASSWORD, BorrowerFactory, next_iin
from tests.support.identity import identify, live_answer
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db
TESTERS_IIN = "900517323454"
TYPED = 'Тестов <img src=x onerror=alert(1)> "Дрилл"'
PHONE = "+77014445566"


def _register(client, iin=TESTERS_IIN, name=TYPED, phone=PHONE):
    data = {"iin": iin, "full_name": name, "phone": phone, "email": "", "password": PASSWORD,
            "password_again": PASSWORD, "consent": "on"}  # fmt: skip
    response = client.post(reverse("borrowers:register"), data)
    assert response.status_code == 302, response.content.decode()[:1000]


def _identify(client, sim, iin, method):
    return identify(client, reverse("borrowers:enrol"), sim, iin, method)[0]


def _text(document) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


@pytest.mark.parametrize("method, source", [("biometric", "identity"), ("eds", "state_register")])
def test_the_testers_registration_is_named_by_the_source_on_the_cabinet_and_every_document(
    client, sim, method, source
):
    register_name = open_world.full_name(TESTERS_IIN)  # the simulated state data's name
    assert register_name and not same_name(register_name, TYPED)
    _register(client)
    response = _identify(client, sim, TESTERS_IIN, method)
    assert response.status_code == 302 and response.url == reverse("resolution:apply")
    borrower = Borrower.objects.select_related("user").get(iin=TESTERS_IIN)
    assert borrower.full_name == borrower.user.first_name == register_name
    assert borrower.full_name_verified_at is not None
    evidence = Identification.objects.get(borrower=borrower).evidence
    assert evidence["legal_name_from"] == source and evidence["declared_name"] == TYPED
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert str(MSG_NAME_FROM_REGISTER) % {"name": register_name} in told

    cabinet = client.get(reverse("borrowers:portal")).content.decode()
    assert register_name in cabinet and "Тестов" not in cabinet and "Дрилл" not in cabinet

    world = issued_case(borrower=borrower)
    assert world.case.package.snapshot["borrower"]["full_name"] == register_name
    documents = list(world.case.package.documents.all())
    assert len(documents) == 6  # protocol, schedule, mediator, one per creditor
    for document in documents:
        text = _text(document)
        assert register_name in text and "Тестов" not in text and "Дрилл" not in text


def test_the_two_factor_check_refuses_a_typed_name_the_register_does_not_hold(client, sim):
    _register(client)
    response = _identify(client, sim, TESTERS_IIN, "two_factor")
    assert str(MSG_DATA_MISMATCH) in response.content.decode()
    assert not Borrower.objects.filter(iin=TESTERS_IIN).exists()


def test_the_two_factor_check_takes_the_registers_spelling_of_the_same_name(client, sim):
    iin = next_iin()
    sim.set_phone(iin, PHONE, full_name="Сейтқали Алёна Маратқызы")
    _register(client, iin=iin, name="  сейтқали   АЛЁНА маратқызы ")
    assert _identify(client, sim, iin, "two_factor").status_code == 302
    borrower = Borrower.objects.get(iin=iin)
    assert borrower.full_name == "Сейтқали Алёна Маратқызы"
    assert "declared_name" not in Identification.objects.get(borrower=borrower).evidence
    assert "Сейтқали Алёна Маратқызы" in client.get(reverse("borrowers:portal")).content.decode()


def test_a_name_is_the_same_whatever_its_case_spacing_or_yo():
    assert same_name(" Сейткали  Алёна ", "СЕЙТКАЛИ АЛЕНА")
    assert not same_name("Сейткали Алена", "Сейтқали Алена")  # another letter, another name


def test_an_older_account_identified_by_biometrics_takes_the_registers_name(client, sim):
    borrower = BorrowerFactory(full_name=TYPED, full_name_verified_at=None)
    sim.set_phone(borrower.iin, borrower.phone)  # the register holds the open world's name
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    response, _answer = identify(client, reverse("borrowers:identify"), sim, borrower.iin)
    assert response.status_code == 302
    borrower.refresh_from_db()
    assert borrower.is_identified and borrower.full_name == open_world.full_name(borrower.iin)
    assert borrower.full_name_verified_at is not None


def test_a_phone_change_takes_the_name_the_register_holds_now(sim):
    borrower = BorrowerFactory(identified_at=timezone.now())
    new_phone = "+77057778899"
    sim.set_phone(borrower.iin, new_phone, full_name="Нурланова Айгерим Серікқызы")  # married
    challenge = identification.new_challenge(iin=borrower.iin, method="eds")
    answer = live_answer(sim, borrower.iin, challenge)
    services.change_phone(borrower=borrower, new_phone=new_phone, method="eds",
                          challenge=challenge, answer=answer)  # fmt: skip
    borrower.refresh_from_db()
    assert (borrower.phone, borrower.full_name) == (new_phone, "Нурланова Айгерим Серікқызы")


def test_the_backfill_command_names_identified_accounts_by_the_register(sim):
    typed = BorrowerFactory(identified_at=timezone.now(), full_name=TYPED,
                            full_name_verified_at=None)  # fmt: skip
    unidentified = BorrowerFactory(full_name=TYPED, full_name_verified_at=None)
    verified = BorrowerFactory(identified_at=timezone.now(), full_name="Уже Проверенное Имя")
    out = io.StringIO()
    call_command("verify_legal_names", stdout=out)
    call_command("verify_legal_names", stdout=out)  # again: nothing left to do
    for borrower in (typed, unidentified, verified):
        borrower.refresh_from_db()
    assert typed.full_name == open_world.full_name(typed.iin) and typed.full_name_verified_at
    assert unidentified.full_name == TYPED  # identification will name it
    assert verified.full_name == "Уже Проверенное Имя"
    assert out.getvalue().splitlines()[-1].startswith("names taken: 0,")
