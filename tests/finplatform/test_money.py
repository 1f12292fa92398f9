from hypothesis import given
from hypothesis import strategies as st

from finplatform.money import format_tenge, split_largest_remainder, tenge_to_tiyn


def test_format_tenge_groups_with_spaces_and_comma_decimals():
    assert format_tenge(123456789) == "1\u00a0234\u00a0567,89\u00a0₸"
    assert format_tenge(5) == "0,05\u00a0₸"
    assert format_tenge(-100) == "−1,00\u00a0₸"


def test_tenge_to_tiyn_parses_local_format_and_refuses_fractions_of_tiyn():
    assert tenge_to_tiyn("1 234 567,89") == 123456789
    assert tenge_to_tiyn("10.5") == 1050
    try:
        tenge_to_tiyn("0.001")
    except ValueError:
        pass
    else:
        raise AssertionError("a fraction of a tiyn must be refused")


def test_split_worked_example():
    # 100 tiyn over 1:1:1 → 33.33 each; the one left over goes to the first (tie → earliest)
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert split_largest_remainder(1000, [500, 300, 200]) == [500, 300, 200]


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**11), min_size=1, max_size=10))
def test_split_always_sums_exactly_and_stays_within_one_tiyn_of_exact_share(amount, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = split_largest_remainder(amount, weights)
    assert sum(parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact_floor = amount * weight // total
        assert exact_floor <= part <= exact_floor + 1


def test_exports_write_tenge_and_almaty_time_with_the_offset():
    from datetime import UTC, datetime
    from decimal import Decimal

    from finplatform.csvexport import kzt, local_time, safe_cell

    assert kzt(123456789) == Decimal("1234567.89") and kzt(None) == ""
    assert safe_cell(kzt(-777777)) == Decimal("-7777.77")  # a number, not a quoted formula
    moment = datetime(2026, 12, 4, 18, 59, tzinfo=UTC)
    assert local_time(moment) == "2026-12-04T23:59:00+05:00"
