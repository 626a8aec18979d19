"""Check digits for beneficiary numbers (DOMAIN §3).

The Damm algorithm: one decimal check digit that detects every single-digit
error and every adjacent transposition (Luhn misses 09 <-> 90).
"""

from __future__ import annotations

# Totally anti-symmetric quasigroup of order 10 (Damm, 2004).
_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> str:
    """The check digit to append to ``digits`` (a string of 0-9)."""
    interim = 0
    for ch in digits:
        if not ch.isdigit():
            raise ValueError(f"not a digit: {ch!r}")
        interim = _TABLE[interim][int(ch)]
    return str(interim)


def with_check_digit(digits: str) -> str:
    return digits + damm_digit(digits)


def is_valid(number: str) -> bool:
    """True when ``number`` (digits, check digit last) is well formed.

    Spaces and dashes, as printed on cards, are ignored.
    """
    cleaned = number.replace(" ", "").replace("-", "")
    if len(cleaned) < 2 or not cleaned.isdigit():
        return False
    return damm_digit(cleaned) == "0"
