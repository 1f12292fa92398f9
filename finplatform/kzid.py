"""Kazakhstan's 12-digit identification numbers: ИИН (people) and БИН (organisations).

Both end in a control digit computed by the official two-pass weighting: weights 1..11 over
the first eleven digits, modulo 11; if that gives 10, a second pass with weights 3..11,1,2;
if that gives 10 again the number is never issued, so it is invalid.

IIN: YYMMDD birth date, then a digit for century and sex (1/2: 1800s, 3/4: 1900s,
5/6: 2000s; odd male, even female), four serial digits, the control digit.
BIN: YYMM of registration, a digit for the entity type (4 resident legal entity,
5 non-resident, 6 joint business), a digit for its form (0 head office, 1 branch,
2 representative office, 3 peasant farm), five serial digits, the control digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}

MSG_LENGTH = _("Must be exactly 12 digits.")
MSG_DIGITS = _("Must contain digits only.")
MSG_CHECK_DIGIT = _("The control digit does not match: check the number for a typo.")
MSG_IIN_DATE = _("The first six digits are not a real birth date.")
MSG_IIN_CENTURY = _("The seventh digit (century and sex) must be 1 to 6.")
MSG_BIN_MONTH = _("The registration month (digits 3–4) must be 01 to 12.")
MSG_BIN_TYPE = _("The fifth digit (entity type) must be 4, 5 or 6.")
MSG_BIN_FORM = _("The sixth digit (head office, branch...) must be 0 to 3.")


def control_digit(first_eleven: str) -> int | None:
    """The control digit for eleven digits, or None when no valid number has them."""
    digits = [int(c) for c in first_eleven]
    for weights in (WEIGHTS_FIRST, WEIGHTS_SECOND):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _check_shape(value: str) -> None:
    if not value.isascii() or not value.isdigit():
        raise ValidationError(MSG_DIGITS, code="digits")
    if len(value) != 12:
        raise ValidationError(MSG_LENGTH, code="length")


def _check_control(value: str) -> None:
    if control_digit(value[:11]) != int(value[11]):
        raise ValidationError(MSG_CHECK_DIGIT, code="check_digit")


@dataclass(frozen=True)
class IINInfo:
    birth_date: date
    sex: str  # "M" or "F"


def parse_iin(value: str) -> IINInfo:
    """Validate an IIN fully; returns the birth date and sex it encodes."""
    value = (value or "").strip()
    _check_shape(value)
    century_digit = int(value[6])
    if century_digit not in CENTURY_BY_DIGIT:
        raise ValidationError(MSG_IIN_CENTURY, code="century")
    year = CENTURY_BY_DIGIT[century_digit] + int(value[0:2])
    try:
        born = date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ValidationError(MSG_IIN_DATE, code="date") from None
    _check_control(value)
    return IINInfo(birth_date=born, sex="M" if century_digit % 2 else "F")


def validate_iin(value: str) -> None:
    parse_iin(value)


def validate_bin(value: str) -> None:
    value = (value or "").strip()
    _check_shape(value)
    if not 1 <= int(value[2:4]) <= 12:
        raise ValidationError(MSG_BIN_MONTH, code="month")
    if value[4] not in "456":
        raise ValidationError(MSG_BIN_TYPE, code="entity_type")
    if value[5] not in "0123":
        raise ValidationError(MSG_BIN_FORM, code="form")
    _check_control(value)


def make_iin(born: date, *, female: bool = False, serial: int = 1) -> str:
    """Build a valid IIN (demo data and tests); skips serials whose control digit is 10."""
    century = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (1 if female else 0)
    while True:
        head = f"{born:%y%m%d}{century}{serial:04d}"
        check = control_digit(head)
        if check is not None:
            return f"{head}{check}"
        serial += 1


def make_bin(registered: date, *, serial: int = 1, entity_type: int = 4, form: int = 0) -> str:
    """Build a valid BIN (demo data and tests)."""
    while True:
        head = f"{registered:%y%m}{entity_type}{form}{serial:05d}"
        check = control_digit(head)
        if check is not None:
            return f"{head}{check}"
        serial += 1
