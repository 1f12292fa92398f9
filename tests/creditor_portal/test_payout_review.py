"""The checker's side of the payout-details maker–checker (the outside tester's finding): the
page shows everything being approved beside the details in force, differences marked; the
proposal form refuses a BIC of another bank and someone else's account."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from creditors import services
from creditors.models import PayoutDetails, PayoutDetailsStatus
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.iban import format_iban, make_kz_iban
from tests.factories import CreditorStaffFactory, approved_payout_details

pytestmark = pytest.mark.django_db
URL = reverse("creditors:payout_details")
KASPI = make_kz_iban("722", "S000000123456")
UNKNOWN = make_kz_iban("999", "0000000123456")


@pytest.fixture
def team():
    maker = CreditorStaffFactory()
    checker = CreditorStaffFactory(creditor=maker.creditor)
    approved_payout_details(maker.creditor)  # Halyk, in the organisation's name and BIN
    return maker, checker


def _rows(page: str) -> dict[str, str]:
    """The review table's rows by their label: the whole <tr> markup."""
    review = page[page.index('id="review"') : page.index("</table>")]
    return {
        htmllib.unescape(m.group(2).strip()): m.group(0)
        for m in re.finditer(r"<tr([^>]*)>\s*<th scope=\"row\">([^<]+)</th>.*?</tr>", review, re.S)
    }


def test_checker_sees_everything_beside_the_details_in_force(client, team):
    maker, checker = team
    creditor = maker.creditor
    active = creditor.payout_details.get(status=PayoutDetailsStatus.ACTIVE)
    proposed = services.propose_payout_details(
        user=maker.user, iban=KASPI, bank_bic="CASPKZKA", bank_name="ignored",
        beneficiary_name=creditor.name, beneficiary_bin="",
    )  # fmt: skip

    client.force_login(checker.user)
    page = client.get(URL).content.decode()
    rows = _rows(page)
    assert set(rows) == {"IBAN", "BIC", "Bank", "Beneficiary", "Beneficiary's BIN"}
    for label in ("IBAN", "BIC", "Bank", "Beneficiary's BIN"):
        assert 'class="changed"' in rows[label], label
    assert 'class="changed"' not in rows["Beneficiary"]
    assert format_iban(active.iban) in rows["IBAN"] and format_iban(KASPI) in rows["IBAN"]
    assert "HSBKKZKX" in rows["BIC"] and "CASPKZKA" in rows["BIC"]
    assert "Halyk Bank of Kazakhstan JSC" in rows["Bank"] and "Kaspi Bank JSC" in rows["Bank"]
    assert rows["Beneficiary"].count(creditor.name) == 2
    assert creditor.bin in rows["Beneficiary's BIN"]
    assert f"Proposed by {maker.user.get_username()}" in page
    approve = reverse("creditors:payout_details_decide", args=[proposed.pk, "approve"])
    review = page[page.index('id="review"') : page.index("</section>", page.index('id="review"'))]
    assert approve in review and "Reject" in review

    client.force_login(maker.user)
    own = client.get(URL).content.decode()
    assert approve not in own and "a colleague must approve" in own

    client.force_login(checker.user)
    client.post(approve)
    proposed.refresh_from_db()
    assert proposed.status == PayoutDetailsStatus.ACTIVE
    assert 'id="review"' not in client.get(URL).content.decode()


def test_mismatched_bic_is_refused_on_the_form(client, team):
    maker, _ = team
    client.force_login(maker.user)
    response = client.post(URL, {
        "iban": "KZ89125KZT0000999999", "bank_bic": "HSBKKZKX", "bank_name": "<b>Evil</b> Bank",
        "beneficiary_name": maker.creditor.name,
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_bank_bic-error">[^<]*NBRKKZKX', html)
    assert not PayoutDetails.objects.filter(status=PayoutDetailsStatus.PROPOSED).exists()
    with pytest.raises(ApplicationError) as error:
        services.propose_payout_details(
            user=maker.user, iban=KASPI, bank_bic="HSBKKZKX", beneficiary_name=maker.creditor.name
        )
    assert (error.value.code, error.value.extra) == ("bic_mismatch", {"field": "bank_bic"})


def test_someone_elses_name_is_refused_on_the_form(client, team):
    maker, _ = team
    client.force_login(maker.user)
    response = client.post(URL, {
        "iban": KASPI, "bank_bic": "CASPKZKA", "beneficiary_name": "Attacker Personal Account",
    })  # fmt: skip
    html = response.content.decode()
    assert 'id="id_beneficiary_name-error"' in html
    assert "only to your organisation&#x27;s own account" in html
    other = CreditorStaffFactory().creditor
    response = client.post(URL, {
        "iban": KASPI, "bank_bic": "CASPKZKA", "beneficiary_name": maker.creditor.name,
        "beneficiary_bin": other.bin,
    })  # fmt: skip
    assert 'id="id_beneficiary_bin-error"' in response.content.decode()
    assert not PayoutDetails.objects.filter(status=PayoutDetailsStatus.PROPOSED).exists()


def test_unknown_bank_code_is_accepted_and_the_checker_is_warned(client, team):
    maker, checker = team
    client.force_login(maker.user)
    form = {"iban": UNKNOWN, "bank_bic": "ABCDKZKA", "beneficiary_name": maker.creditor.name}
    refused = client.post(URL, form).content.decode()
    assert 'id="id_bank_name-error"' in refused  # an unknown bank must be named
    assert client.post(URL, {**form, "bank_name": "<b>Steppe</b> Bank"}).status_code == 302

    client.force_login(checker.user)
    page = client.get(URL).content.decode()
    assert "Bank code not recognised" in page and "999" in page
    assert "&lt;b&gt;Steppe&lt;/b&gt; Bank" in page and "<b>Steppe</b>" not in page
    assert "Approve these details" in page  # a warning, not a refusal


def test_a_proposal_that_breaks_the_rules_can_only_be_rejected(client, team):
    """A proposal stored before these rules (the tester's) is shown with its fault, and the
    service refuses to approve it."""
    maker, checker = team
    legacy = PayoutDetails.objects.create(
        creditor=maker.creditor, iban="KZ89125KZT0000999999", bank_bic="HSBKKZKX",
        bank_name="<b>Evil</b> Bank", beneficiary_name="Attacker Personal Account",
        proposed_by=maker.user, proposed_at=business_now(),
    )  # fmt: skip
    client.force_login(checker.user)
    page = client.get(URL).content.decode()
    assert "These details cannot be approved" in page and "NBRKKZKX" in page
    assert "Approve these details" not in page and "&lt;b&gt;Evil&lt;/b&gt;" in page
    client.post(reverse("creditors:payout_details_decide", args=[legacy.pk, "approve"]))
    legacy.refresh_from_db()
    assert legacy.status == PayoutDetailsStatus.PROPOSED
    client.post(
        reverse("creditors:payout_details_decide", args=[legacy.pk, "reject"]),
        {"reason": "not our account"},
    )
    legacy.refresh_from_db()
    assert legacy.status == PayoutDetailsStatus.REJECTED
