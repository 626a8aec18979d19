"""Medical review: re-pricing a line the adviser changed, and drawing samples (DOMAIN §7).

A reviewed line keeps the pricing rule of the automatic decision: the accepted
amount (never above what was claimed) less the deductible already charged on
the line, then the coverage rate or the fixed co-payment already charged on
it; when a ceiling capped the mutual's share, the new share stays under it.
Rounded to the currency's minor unit; the member's share is the rest.

Sampling is reproducible: the same claim id and seed always draw the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from mutualis.engine.money import Currency

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Repriced:
    accepted: Decimal
    mutual_share: Decimal
    member_share: Decimal


def reprice_line(
    *,
    accepted: Decimal,
    claimed: Decimal,
    rate: Decimal | None,
    fixed_copay: Decimal = _ZERO,
    deductible: Decimal = _ZERO,
    cap: Decimal | None = None,
    cur: Currency,
) -> Repriced:
    """Shares of a line whose accepted amount the reviewer set.

    `rate` is the coverage rate of the line's rule (None: a fixed co-payment
    rule, `fixed_copay` being what the line was charged); `cap` the mutual's
    share before review when a ceiling had capped it.
    """
    accepted = cur.quantize(max(_ZERO, min(accepted, claimed)))
    base = accepted - min(deductible, accepted)
    if rate is not None:
        mutual = base * rate
    else:
        mutual = base - min(base, fixed_copay)
    if cap is not None:
        mutual = min(mutual, cap)
    mutual = cur.quantize(max(_ZERO, mutual))
    return Repriced(accepted, mutual, accepted - mutual)


def drawn(seed: str, claim_id: int | str, share_percent: Decimal) -> bool:
    """Is this claim in the random sample of `share_percent` % for this seed?"""
    if share_percent <= 0:
        return False
    if share_percent >= 100:
        return True
    digest = hashlib.sha256(f"{seed}:{claim_id}".encode()).digest()
    position = Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)
    return position * 100 < share_percent
