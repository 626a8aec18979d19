"""Reads of the contributions app.

`household_standing` is the one answer to "is this household in good standing
(dues paid to date, within grace) on date D?", used by eligibility and by
governance (voting rights). Until dues and payments exist it falls back to the
recorded membership status (active = in good standing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Standing:
    in_good_standing: bool
    paid_until: date | None = None
    arrears_since: date | None = None
    grace_until: date | None = None
    reason: str = ""  # a code such as "arrears", "no_dues", "not_member"


def household_standing(*, household, on: date) -> Standing:
    from mutualis.members.models import MembershipStatus

    active = household.memberships.filter(
        status=MembershipStatus.ACTIVE, joined_on__lte=on
    ).exists()
    return Standing(in_good_standing=active, reason="" if active else "not_member")
