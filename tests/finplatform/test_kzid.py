from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from finplatform import kzid


def _code(value: str, validator) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


def test_control_digit_first_pass():
    # 9 0 0 1 0 1 3 0 0 0 1 · weights 1..11 → 9+0+0+4+0+6+21+0+0+0+11 = 51, 51 % 11 = 7
    assert kzid.control_digit("90010130001") == 7


def test_control_digit_second_pass_when_first_gives_ten():
    # the only 1 sits under weight 10 in the first pass (→ 10) and weight 1 in the second
    head = "00000000010"
    assert sum(int(d) * w for d, w in zip(head, kzid.WEIGHTS_FIRST, strict=True)) % 11 == 10
    assert kzid.control_digit(head) == 1


def test_parse_iin_reads_birth_date_and_sex():
    iin = kzid.make_iin(date(1988, 4, 12), female=True, serial=1201)
    info = kzid.parse_iin(iin)
    assert info.birth_date == date(1988, 4, 12)
    assert info.sex == "F"
    assert iin[6] == "4"


def test_iin_of_2000s_male():
    iin = kzid.make_iin(date(2003, 12, 31), serial=77)
    assert iin[6] == "5"
    assert kzid.parse_iin(iin).birth_date == date(2003, 12, 31)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("88041240121", "length"),  # 11 digits
        ("8804124012190", "length"),  # 13 digits
        ("88041240121A", "digits"),  # a letter
        ("８８０４１２４０１２１９", "digits"),  # full-width digits are not ASCII
        ("", "digits"),
        ("880231401219", "date"),  # 31 February
        ("881312401219", "date"),  # month 13
        ("880412701219", "century"),  # century digit 7
        ("880412001219", "century"),  # century digit 0
    ],
)
def test_iin_rejects_malformed(value, code):
    assert _code(value, kzid.validate_iin) == code


def test_iin_rejects_wrong_check_digit():
    iin = kzid.make_iin(date(1990, 2, 2), serial=4321)
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    assert _code(wrong, kzid.validate_iin) == "check_digit"
    kzid.validate_iin(iin)  # the untouched number passes


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
       st.booleans(), st.integers(min_value=0, max_value=9000))  # fmt: skip
def test_generated_iins_validate_and_any_single_digit_change_breaks_them(born, female, serial):
    iin = kzid.make_iin(born, female=female, serial=serial)
    assert kzid.parse_iin(iin).birth_date == born
    # Changing the control digit to any other value must be caught.
    for other in "0123456789":
        if other != iin[11]:
            with pytest.raises(ValidationError):
                kzid.validate_iin(iin[:11] + other)


def test_bin_valid_and_corrupted():
    value = kzid.make_bin(date(2004, 5, 1), serial=101)
    kzid.validate_bin(value)
    assert _code(value[:11] + str((int(value[11]) + 3) % 10), kzid.validate_bin) == "check_digit"
    assert _code(value[:2] + "13" + value[4:], kzid.validate_bin) == "month"
    assert _code(value[:4] + "9" + value[5:], kzid.validate_bin) == "entity_type"
    assert _code(value[:5] + "7" + value[6:], kzid.validate_bin) == "form"
    assert _code(value[:11], kzid.validate_bin) == "length"
    assert _code("04054O000101", kzid.validate_bin) == "digits"
