"""Reason codes that explain an eligibility answer or a claim line (DOMAIN §7).

The engine stores a code and its parameters; the user's language is chosen at
the edge (no gettext here). The codes are the DOMAIN §7 table, plus
``not_a_member`` (openIMIS 7: the person holds no membership at the date) and
``ceiling_reached`` (eligibility only: a ceiling is spent, so the mutual would
pay nothing; in a claim a ceiling caps the mutual's share instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class ReasonCode(StrEnum):
    UNKNOWN_ITEM = "unknown_item"  # openIMIS 1
    NOT_IN_PRICE_LIST = "not_in_price_list"  # 2
    NOT_IN_PACKAGE = "not_in_package"  # 3
    CLINICAL_APPLICABILITY = "clinical_applicability"  # 4
    FREQUENCY = "frequency"  # 5
    DUPLICATE = "duplicate"  # (6)
    NOT_COVERED = "not_covered"  # 7, 21
    INVALID_DIAGNOSIS = "invalid_diagnosis"  # (8)
    INVALID_DATE = "invalid_date"  # 9
    CARE_TYPE = "care_type"  # 10
    COUNT_LIMIT = "count_limit"  # 11-16, 19
    WAITING_PERIOD = "waiting_period"  # 17
    REFERRAL_MISSING = "referral_missing"
    AGREEMENT_INVALID = "agreement_invalid"
    INVALID_CLAIM = "invalid_claim"  # 20
    NOT_A_MEMBER = "not_a_member"  # 7
    CEILING_REACHED = "ceiling_reached"  # eligibility only


OPENIMIS_CODES: Mapping[ReasonCode, tuple[int, ...]] = MappingProxyType(
    {
        ReasonCode.UNKNOWN_ITEM: (1,),
        ReasonCode.NOT_IN_PRICE_LIST: (2,),
        ReasonCode.NOT_IN_PACKAGE: (3,),
        ReasonCode.CLINICAL_APPLICABILITY: (4,),
        ReasonCode.FREQUENCY: (5,),
        ReasonCode.DUPLICATE: (6,),
        ReasonCode.NOT_COVERED: (7, 21),
        ReasonCode.INVALID_DIAGNOSIS: (8,),
        ReasonCode.INVALID_DATE: (9,),
        ReasonCode.CARE_TYPE: (10,),
        ReasonCode.COUNT_LIMIT: (11, 12, 13, 14, 15, 16, 19),
        ReasonCode.WAITING_PERIOD: (17,),
        ReasonCode.INVALID_CLAIM: (20,),
        ReasonCode.NOT_A_MEMBER: (7,),
    }
)


@dataclass(frozen=True, slots=True)
class Reason:
    """A code and the facts behind it, e.g. ``waiting_period`` until a date."""

    code: ReasonCode
    params: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Reason({self.code.value!r}, {dict(self.params)!r})"


class NoteCode(StrEnum):
    """Adjustments to a line that reject nothing (explanation of benefits)."""

    TARIFF = "tariff"  # price capped at the negotiated tariff or reference price
    FLAT_RATE = "flat_rate"  # amount capped at the flat rate of the visit/episode
    DEDUCTIBLE = "deductible"  # part paid by the member as deductible
    FIXED_COPAY = "fixed_copay"  # fixed co-payment charged on this line
    CEILING = "ceiling"  # mutual's share capped at a ceiling


@dataclass(frozen=True, slots=True)
class Note:
    code: NoteCode
    params: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Note({self.code.value!r}, {dict(self.params)!r})"
