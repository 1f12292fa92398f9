"""Kazakhstan banks: the 3-digit bank code a KZ IBAN carries (positions 5-7) and the BIC of
the same bank, from the National Bank's directory of BICs and bank codes ("Справочник БИК",
nationalbank.kz). Only banks whose code and BIC were checked against two copies of that
directory are listed; an IBAN whose code is not here is not refused, the checker is warned.

ATF Bank (ALMNKZKA, 826) and Alfa-Bank (ALFAKZKA, 947) are left out on purpose: they are in
the 2010 directory but no longer in the current one (merged or renamed)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finplatform.iban import normalize_iban

MSG_BIC_SHAPE = _(
    "A Kazakhstan BIC is 8 letters and digits with KZ in the 5th and 6th places, e.g. HSBKKZKX."
)
MSG_CODE_NOT_BIC = _(
    "The IBAN's bank code %(code)s is %(bank)s, whose BIC is %(expected)s, not %(bic)s: "
    "check the IBAN and the BIC."
)
MSG_BIC_NOT_CODE = _(
    "The BIC %(bic)s is %(bank)s, whose IBANs carry bank code %(expected)s, but this IBAN "
    "carries %(code)s: check the IBAN and the BIC."
)


@dataclass(frozen=True, slots=True)
class KzBank:
    code: str
    bic: str
    name: str


BANKS = (
    KzBank("601", "HSBKKZKX", "Halyk Bank of Kazakhstan JSC"),
    KzBank("722", "CASPKZKA", "Kaspi Bank JSC"),
    KzBank("965", "IRTYKZKA", "ForteBank JSC"),
    KzBank("998", "TSESKZKA", "Alatau City Bank JSC (formerly Jusan Bank)"),
    KzBank("856", "KCJBKZKX", "Bank CenterCredit JSC"),
    KzBank("551", "KSNVKZKA", "Freedom Bank Kazakhstan JSC"),
    KzBank("914", "BRKEKZKA", "Bereke Bank JSC"),
    KzBank("886", "INLMKZKA", "Home Credit Bank JSC"),
    KzBank("972", "HCSKKZKA", "Otbasy Bank JSC"),
    KzBank("948", "EURIKZKA", "Eurasian Bank JSC"),
    KzBank("821", "KINCKZKA", "Bank RBK JSC"),
    KzBank("849", "NURSKZKX", "Nurbank JSC"),
    KzBank("435", "SHBKKZKA", "Shinhan Bank Kazakhstan JSC"),
    KzBank("832", "CITIKZKA", "Citibank Kazakhstan JSC"),
    KzBank("913", "BKCHKZKA", "Bank of China Kazakhstan JSC"),
    KzBank("432", "VTBAKZKZ", "VTB Bank (Kazakhstan) JSC"),
    KzBank("885", "KZIBKZKA", "Kazakhstan-Ziraat International Bank JSC"),
    KzBank("907", "DVKAKZKA", "Development Bank of Kazakhstan JSC"),
    KzBank("125", "NBRKKZKX", "National Bank of Kazakhstan"),
)
BY_CODE = {bank.code: bank for bank in BANKS}
BY_BIC = {bank.bic: bank for bank in BANKS}


def normalize_bic(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_kz_bic(value: str) -> None:
    """ISO 9362 for Kazakhstan: 4 letters (the bank), KZ, 2 letters or digits (the place) and
    an optional 3-character branch."""
    bic = normalize_bic(value)
    shaped = (
        len(bic) in (8, 11)
        and bic.isascii()
        and bic.isalnum()
        and bic[:4].isalpha()
        and bic[4:6] == "KZ"
    )
    if not shaped:
        raise ValidationError(MSG_BIC_SHAPE, code="bic_format")


def bank_code(iban: str) -> str:
    """Positions 5-7 of a KZ IBAN: the bank's code."""
    return normalize_iban(iban)[4:7]


def bank_for(iban: str, bic: str) -> KzBank | None:
    """The bank of this IBAN and BIC when the table knows it, None when it knows neither the
    IBAN's bank code nor the BIC (the caller warns). Raises ValidationError (`bic_mismatch`)
    when the table says the two belong to different banks. Call with a valid KZ IBAN."""
    code, bic8 = bank_code(iban), normalize_bic(bic)[:8]
    by_code, by_bic = BY_CODE.get(code), BY_BIC.get(bic8)
    if by_code is not None and by_code.bic != bic8:
        params = {"code": code, "bank": by_code.name, "expected": by_code.bic, "bic": bic8}
        raise ValidationError(MSG_CODE_NOT_BIC % params, code="bic_mismatch")
    if by_bic is not None and by_bic.code != code:
        params = {"code": code, "bank": by_bic.name, "expected": by_bic.code, "bic": bic8}
        raise ValidationError(MSG_BIC_NOT_CODE % params, code="bic_mismatch")
    return by_code
