"""The payout-details rules, without a database: the IBAN's bank code against the BIC, the
bank's name from the table, the beneficiary is the organisation, and the checker's warnings."""

import pytest
from django.utils import translation

from creditors.payout_rules import (
    WARN_BANK_UNKNOWN,
    PayoutDetailsCode,
    PayoutDetailsRefused,
    check_details,
)
from finplatform.iban import format_iban, make_kz_iban
from finplatform.kzbanks import BY_BIC, BY_CODE, bank_code

ORG = {"creditor_name": "Alem Bank JSC", "creditor_bin": "990840000101"}
HALYK = make_kz_iban("601", "KZT0000999999")
UNKNOWN = make_kz_iban("999", "0000000123456")  # 999: no bank in the table


def _check(**changes):
    details = {
        "iban": HALYK, "bank_bic": "HSBKKZKX", "bank_name": "",
        "beneficiary_name": "Alem Bank JSC", "beneficiary_bin": "",
    }  # fmt: skip
    return check_details(**ORG, **{**details, **changes})


def _refusal(**changes) -> PayoutDetailsRefused:
    with pytest.raises(PayoutDetailsRefused) as refused:
        _check(**changes)
    return refused.value


def test_the_table_pairs_each_code_with_one_bic():
    assert len(BY_CODE) == len(BY_BIC)
    assert {BY_CODE[code].bic for code in ("601", "722", "965", "998", "856")} == {
        "HSBKKZKX", "CASPKZKA", "IRTYKZKA", "TSESKZKA", "KCJBKZKX",
    }  # fmt: skip
    assert bank_code("kz89 125k zt00 0099 9999") == "125"
    assert format_iban("kz89125kzt0000999999") == "KZ89 125K ZT00 0099 9999"


def test_known_bank_takes_its_name_from_the_table_not_from_the_form():
    checked = _check(bank_name="<b>Evil</b> Bank", bank_bic=" hsbkkzkx ")
    assert checked.bank_name == "Halyk Bank of Kazakhstan JSC"
    assert (checked.bank_bic, checked.iban, checked.warnings) == ("HSBKKZKX", HALYK, ())


@pytest.mark.parametrize(
    ("iban", "bic"),
    [
        ("KZ89125KZT0000999999", "HSBKKZKX"),  # the finding: the National Bank's code, Halyk's BIC
        (HALYK, "CASPKZKA"),  # Halyk's code, Kaspi's BIC
        (UNKNOWN, "HSBKKZKX"),  # a code the table does not know, but Halyk's BIC (601)
    ],
)
def test_bank_code_and_bic_of_different_banks_are_refused(iban, bic):
    refused = _refusal(iban=iban, bank_bic=bic)
    assert (refused.code, refused.field) == (PayoutDetailsCode.BIC_MISMATCH, "bank_bic")
    assert bank_code(iban) in refused.message and bic in refused.message


def test_a_bic_of_another_country_or_shape_is_refused():
    for bic in ("HSBKRUMM", "HSBK", "1SBKKZKX", "HSBKKZKXX"):
        assert _refusal(bank_bic=bic).code == PayoutDetailsCode.INVALID_BIC


def test_unknown_bank_code_is_accepted_with_a_warning_but_needs_a_bank_name():
    refused = _refusal(iban=UNKNOWN, bank_bic="ABCDKZKA")
    assert (refused.code, refused.field) == (PayoutDetailsCode.BANK_NAME_REQUIRED, "bank_name")
    checked = _check(iban=UNKNOWN, bank_bic="ABCDKZKA", bank_name="  Steppe   Bank ")
    assert checked.bank_name == "Steppe Bank"
    assert checked.warnings == (str(WARN_BANK_UNKNOWN % {"code": "999"}),)
    assert "Bank code not recognised" in checked.warnings[0]


def test_someone_elses_name_is_refused():
    refused = _refusal(beneficiary_name="Attacker Personal Account")
    assert (refused.code, refused.field) == (PayoutDetailsCode.NOT_THE_CREDITOR, "beneficiary_name")
    assert "Alem Bank JSC" in refused.message and "990840000101" in refused.message
    other_bin = _refusal(beneficiary_bin="990840000202")
    assert (other_bin.code, other_bin.field) == (
        PayoutDetailsCode.NOT_THE_CREDITOR, "beneficiary_bin",
    )  # fmt: skip
    # The organisation's BIN does not excuse a blank name, and a BIN has 12 digits.
    assert _refusal(beneficiary_name=" ", beneficiary_bin="990840000101").field == (
        "beneficiary_name"
    )
    assert _refusal(beneficiary_bin="12345").code == PayoutDetailsCode.INVALID_BIN


def test_the_organisations_name_matches_loosely_and_its_bin_with_a_warning():
    assert _check(beneficiary_name=' "alem  bank jsc." ').warnings == ()
    checked = _check(beneficiary_name="АО «Alem Bank»", beneficiary_bin="9908 4000 0101")
    assert checked.beneficiary_bin == "990840000101"
    assert len(checked.warnings) == 1 and "Alem Bank JSC" in checked.warnings[0]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_refusals_and_warnings_are_translated(language):
    with translation.override("en"):
        english = [_refusal(beneficiary_name="Attacker").message]
        english.append(_refusal(bank_bic="CASPKZKA").message)
    with translation.override(language):
        assert _refusal(beneficiary_name="Attacker").message != english[0]
        assert _refusal(bank_bic="CASPKZKA").message != english[1]
        warning = _check(iban=UNKNOWN, bank_bic="ABCDKZKA", bank_name="B").warnings[0]
        assert "999" in warning and "Bank code not recognised" not in warning
