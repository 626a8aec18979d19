"""Beneficiary and household numbers (DOMAIN §3).

A beneficiary number is 9 digits: an 8-digit serial from the `members.beneficiary`
sequence, then a Damm check digit, which catches every single-digit error and
every adjacent swap. A household number is 8 digits (7 + check digit), so the
length alone tells a clerk's search which one was typed. Printed in groups
("1000 0001 7"); spaces and dashes typed by a clerk are ignored.
"""

from __future__ import annotations

from mutualis.core.services import sequence_reserve
from mutualis.engine.checkdigit import _TABLE, is_valid, with_check_digit

BENEFICIARY_KEY = "members.beneficiary"
HOUSEHOLD_KEY = "members.household"
BENEFICIARY_BASE = 10_000_000  # 8 digits, never a leading zero
HOUSEHOLD_BASE = 1_000_000  # 7 digits
BENEFICIARY_LENGTH = 9
HOUSEHOLD_LENGTH = 8


def clean(number: str) -> str:
    return "".join(ch for ch in (number or "") if not ch.isspace() and ch not in "-./")


def looks_like_number(text: str) -> bool:
    cleaned = clean(text)
    return cleaned.isdigit() and len(cleaned) in (BENEFICIARY_LENGTH, HOUSEHOLD_LENGTH)


def is_well_formed(number: str) -> bool:
    return is_valid(clean(number))


def display(number: str) -> str:
    """'100000017' -> '1000 0001 7'."""
    n = clean(number)
    return " ".join(n[i : i + 4] for i in range(0, len(n), 4))


def reserve_beneficiary_numbers(count: int) -> list[str]:
    first = sequence_reserve(key=BENEFICIARY_KEY, count=count)
    return with_check_digits(range(BENEFICIARY_BASE + first, BENEFICIARY_BASE + first + count))


def reserve_household_numbers(count: int) -> list[str]:
    first = sequence_reserve(key=HOUSEHOLD_KEY, count=count)
    return with_check_digits(range(HOUSEHOLD_BASE + first, HOUSEHOLD_BASE + first + count))


def with_check_digits(serials) -> list[str]:
    """Numbers with their Damm digit for a block of serials (fast enough for imports)."""
    table = _TABLE
    out = []
    append = out.append
    for serial in serials:
        digits = str(serial)
        interim = 0
        for ch in digits:
            interim = table[interim][ord(ch) - 48]
        append(digits + str(interim))
    return out


__all__ = [
    "clean",
    "display",
    "is_well_formed",
    "looks_like_number",
    "reserve_beneficiary_numbers",
    "reserve_household_numbers",
    "with_check_digit",
    "with_check_digits",
]
