"""Kazakhstan IBANs: 'KZ', two check digits, a 3-digit bank code, 13 account characters;
20 characters in all, valid when the ISO 13616 mod-97 check gives 1."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MSG_IBAN_FORMAT = _("A Kazakhstan IBAN is KZ followed by 18 letters and digits.")
MSG_IBAN_CHECK = _("The IBAN check digits do not match: check it for a typo.")


def normalize_iban(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_kz_iban(value: str) -> None:
    iban = normalize_iban(value)
    if len(iban) != 20 or not iban.startswith("KZ") or not iban.isascii() or not iban.isalnum():
        raise ValidationError(MSG_IBAN_FORMAT, code="iban_format")
    if not iban[2:4].isdigit() or not iban[4:7].isdigit():
        raise ValidationError(MSG_IBAN_FORMAT, code="iban_format")
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    if int(number) % 97 != 1:
        raise ValidationError(MSG_IBAN_CHECK, code="iban_check")


def make_kz_iban(bank_code: str, account: str) -> str:
    """Build a valid KZ IBAN (demo data and tests)."""
    body = f"{bank_code}{account}".upper()
    number = int("".join(str(int(ch, 36)) for ch in body + "KZ00"))
    return f"KZ{98 - number % 97:02d}{body}"


def format_iban(value: str) -> str:
    """In groups of four, as printed on paper: KZ86 125K ZT50 0410 0100."""
    iban = normalize_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
