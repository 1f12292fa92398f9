"""Money arithmetic, in one place. Every amount is an `int` of tiyn (1 KZT = 100 tiyn);
floats never touch money. Splits use the largest-remainder method, so the parts always add
up to the whole exactly; everything that divides money imports `split_largest_remainder`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TIYN_PER_TENGE = 100
NBSP = "\u00a0"


# The largest amount any form or API accepts: 100 billion tenge, far above any real debt and far
# below PostgreSQL's bigint, so an absurd figure is a field error rather than an overflow.
MAX_AMOUNT_TIYN = 10**13
# An amount as people type it, once spaces are gone: digits, then a comma or point and decimals.
# No exponent ("1e5"), no "NaN"/"Infinity", no thousands separators other than spaces.
AMOUNT_RE = re.compile(r"-?\d+(?:[.,]\d+)?")
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\t")


def tenge_to_tiyn(value: str | int | Decimal) -> int:
    """'1 234 567,89' / '1234567.89' / '1 234 ₸' / Decimal → tiyn. Refuses fractions of a tiyn,
    and text that is not written as a plain amount ("1e5", "NaN", "1,234.56")."""
    if isinstance(value, int):
        return value * TIYN_PER_TENGE
    if isinstance(value, float):
        raise TypeError("money is never a float")
    text = str(value).translate(SPACES).removesuffix("₸")
    if not isinstance(value, Decimal) and not AMOUNT_RE.fullmatch(text):
        raise ValueError(f"not an amount: {value!r}")
    text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():  # "NaN", "sNaN" and "Infinity" parse as Decimals
        raise ValueError(f"not an amount: {value!r}")
    if abs(amount) > MAX_AMOUNT_TIYN:  # cheap guard before multiplying "1e400"
        raise ValueError(f"amount out of range: {value!r}")
    tiyn = amount * TIYN_PER_TENGE
    if tiyn != tiyn.to_integral_value():
        raise ValueError(f"amount has fractions of a tiyn: {value!r}")
    return int(tiyn)


def tiyn_to_decimal(tiyn: int) -> Decimal:
    return (Decimal(tiyn) / TIYN_PER_TENGE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_tenge(tiyn: int | None, *, symbol: bool = True) -> str:
    """12345678 → '123 456,78 ₸' (no-break spaces, so an amount never wraps)."""
    if tiyn is None:
        return "—"
    sign = "−" if tiyn < 0 else ""
    whole, cents = divmod(abs(int(tiyn)), TIYN_PER_TENGE)
    grouped = f"{whole:,}".replace(",", NBSP)
    text = f"{sign}{grouped},{cents:02d}"
    return f"{text}{NBSP}₸" if symbol else text


def split_largest_remainder(amount: int, weights: Sequence[int]) -> list[int]:
    """Divide `amount` tiyn in proportion to `weights` (non-negative ints, not all zero).

    Each part gets floor(amount * w / total); the tiyn left over go one each to the parts
    with the largest remainders (ties to the earlier part, so the result is deterministic).
    The parts always sum to `amount` exactly, and no part exceeds its ceiling share.
    """
    if amount < 0:
        raise ValueError("cannot split a negative amount")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must not all be zero")
    parts = []
    remainders = []
    for index, weight in enumerate(weights):
        quotient, remainder = divmod(amount * weight, total)
        parts.append(quotient)
        remainders.append((-remainder, index))
    leftover = amount - sum(parts)
    for _, index in sorted(remainders)[:leftover]:
        parts[index] += 1
    return parts


def split_towards_targets(amount: int, weights: Sequence[int], already: Sequence[int]) -> list[int]:
    """Divide `amount` among parties who have already received `already`, so that the running
    totals track the largest-remainder split of the cumulative sum by `weights`.

    This is how payments (and the schedule's instalments) are divided among creditors:
    target_i = split_largest_remainder(cumulative_after, weights)[i] and part_i =
    target_i - already_i. Guarantees: the parts are non-negative and sum to `amount`; nobody
    ever passes its weight (its confirmed debt); when the cumulative sum reaches the total of
    the weights every party holds exactly its weight. Largest remainder is not monotone (the
    Alabama paradox), so a target can dip below what a party already holds; such a party gets
    0 and the surplus is taken back, by largest remainder again, from the others' parts.
    """
    if amount < 0:
        raise ValueError("cannot split a negative amount")
    if len(weights) != len(already):
        raise ValueError("weights and already differ in length")
    if any(a < 0 or a > w for a, w in zip(already, weights, strict=True)):
        raise ValueError("a party already holds more than its weight")
    cumulative = sum(already) + amount
    if cumulative > sum(weights):
        raise ValueError("amount exceeds what is left to divide")
    if amount == 0:
        return [0] * len(weights)
    targets = split_largest_remainder(cumulative, weights)
    parts = [max(t - a, 0) for t, a in zip(targets, already, strict=True)]
    surplus = sum(parts) - amount
    if surplus:
        cuts = split_largest_remainder(surplus, parts)
        parts = [p - c for p, c in zip(parts, cuts, strict=True)]
    return parts


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)
