"""Currencies and rounding of money (DOMAIN §8: Decimal only, never float).

Every amount is a ``Decimal`` quantized to its currency's minor unit. XOF, XAF,
RWF, BIF, GNF and KMF have no minor unit; EUR and USD have two.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class UnknownCurrency(ValueError):
    """The currency code is not one Mutualis knows."""


@dataclass(frozen=True)
class Currency:
    code: str
    minor_unit: int
    symbol: str

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.minor_unit)

    def quantize(self, value: Decimal | int | str) -> Decimal:
        """Round half up to the minor unit. Refuses floats: they are not money."""
        if isinstance(value, float):
            raise TypeError("money must not be a float")
        try:
            amount = value if isinstance(value, Decimal) else Decimal(value)
            return amount.quantize(self.step, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc

    def zero(self) -> Decimal:
        return self.quantize(0)


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("XOF", 0, "F CFA"),
        Currency("XAF", 0, "F CFA"),
        Currency("RWF", 0, "FRw"),
        Currency("BIF", 0, "FBu"),
        Currency("GNF", 0, "FG"),
        Currency("KMF", 0, "FC"),
        Currency("CDF", 2, "FC"),
        Currency("MGA", 0, "Ar"),
        Currency("MAD", 2, "DH"),
        Currency("TND", 3, "DT"),
        Currency("EUR", 2, "€"),
        Currency("USD", 2, "$"),
    )
}


def currency(code: str) -> Currency:
    """The currency for an ISO 4217 code, or ``UnknownCurrency``."""
    try:
        return CURRENCIES[code.upper()]
    except (KeyError, AttributeError):
        raise UnknownCurrency(code) from None
