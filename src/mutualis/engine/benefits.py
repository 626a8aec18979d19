"""Benefit packages, the catalogue of acts and items, and provider price lists.

This module owns the *shape* of what a mutual promises (DOMAIN §4) and of what
a provider may charge (DOMAIN §6). It decides nothing: eligibility
(``eligibility.py``) and claim adjudication (``adjudication.py``) read it.

- A package (FR: produit, paquet de garanties) has versions; the version in
  force at a service date is the one with the latest ``effective_from`` on or
  before that date (``PackageBook.in_force``).
- A version holds one ``BenefitRule`` per service category and, optionally, per
  item. An item rule replaces the category rule for that item entirely
  (coverage, limits, waiting period...). Limits of a rule count the
  consumption priced under that same rule.
- Coverage is a ``rate`` (share the mutual pays) or a ``fixed_copay`` (FR:
  ticket modérateur) charged once per visit; a member category (e.g.
  ``indigent``) may have its own coverage. There are no adult/child variants
  of rates, waits or limits (solidarity, DOMAIN §1); an age/sex
  ``Applicability`` of an act is clinical validity, not risk rating.
- Ceilings (FR: plafonds) cap the mutual's share, never reject (DOMAIN §7).
  Count limits and frequency limits cap the accepted quantity.

All amounts are ``Decimal`` in the package's currency (``money.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from mutualis.engine.money import currency

_EMPTY: Mapping = MappingProxyType({})


class PackageKind(StrEnum):
    BASIC = "basic"  # compulsory package (DOMAIN §4)
    COMPLEMENTARY = "complementary"


class CareType(StrEnum):
    IN_PATIENT = "in_patient"
    OUT_PATIENT = "out_patient"
    BOTH = "both"

    def admits(self, care: CareType) -> bool:
        """True when something restricted to ``self`` may be given as ``care``."""
        return self is CareType.BOTH or care is self


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class Scope(StrEnum):
    """Whose consumption a ceiling or count limit adds up.

    A "yearly" or "per period" ceiling is a BENEFICIARY (or HOUSEHOLD) ceiling
    whose window is the calendar year or the cover period.
    """

    ACT = "act"  # each act on its own: amount per unit of the line
    VISIT = "visit"  # one claim (one visit or stay)
    EPISODE = "episode"  # one episode of care, possibly several claims
    BENEFICIARY = "beneficiary"
    HOUSEHOLD = "household"


class WindowKind(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    ROLLING_DAYS = "rolling_days"
    COVER_PERIOD = "cover_period"  # the coverage period containing the date


class CountUnit(StrEnum):
    QUANTITY = "quantity"  # units of the item or category (tablets, sessions)
    VISITS = "visits"  # claims (visits, admissions, deliveries, contacts)


@dataclass(frozen=True, slots=True)
class Window:
    """The time over which a limit adds consumption up (DOMAIN §7).

    A rolling window of N days counts what falls within N-1 days of the
    service date on either side, so a claim sent late cannot slip in before
    one already accepted.
    """

    kind: WindowKind = WindowKind.CALENDAR_YEAR
    days: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is WindowKind.ROLLING_DAYS) != (self.days is not None):
            raise ValueError("a rolling window, and only it, has a number of days")
        if self.days is not None and self.days < 1:
            raise ValueError("a rolling window lasts at least one day")

    @classmethod
    def rolling(cls, days: int) -> Window:
        return cls(WindowKind.ROLLING_DAYS, days)


YEAR = Window()
COVER_PERIOD = Window(WindowKind.COVER_PERIOD)


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the mutual pays: a ``rate`` of the price or all but a fixed co-payment.

    ``rate`` is the mutual's share (0..1); ``fixed_copay`` is what the member
    pays once per visit (claim), whatever the number of lines.
    """

    rate: Decimal | None = None
    fixed_copay: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.rate is None) == (self.fixed_copay is None):
            raise ValueError("coverage is a rate or a fixed co-payment, not both")
        if self.rate is not None and not (Decimal(0) <= self.rate <= Decimal(1)):
            raise ValueError("a coverage rate lies between 0 and 1")
        if self.fixed_copay is not None and self.fixed_copay < 0:
            raise ValueError("a co-payment is not negative")
        for value in (self.rate, self.fixed_copay):
            if value is not None and not isinstance(value, Decimal):
                raise TypeError("coverage is expressed in Decimal")

    @classmethod
    def exempt(cls) -> Coverage:
        """The mutual pays everything (e.g. indigents, DOMAIN §5)."""
        return cls(rate=Decimal(1))


FULL = Coverage.exempt()


@dataclass(frozen=True, slots=True)
class Ceiling:
    """A cap on the mutual's share (FR: plafond). It never rejects a line.

    ``care_type`` restricts it to in-patient or out-patient consumption (the
    in/out-patient split ceilings of a package); ``window`` is ignored for the
    ACT, VISIT and EPISODE scopes.
    """

    scope: Scope
    amount: Decimal
    window: Window = YEAR
    care_type: CareType = CareType.BOTH

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or self.amount < 0:
            raise ValueError("a ceiling is a non-negative Decimal amount")


@dataclass(frozen=True, slots=True)
class CountLimit:
    """At most ``max`` units or visits per scope and window (DOMAIN §7 count_limit).

    Used as a rule's ``frequency`` (e.g. glasses: 1 per 730 days) it rejects
    with ``frequency`` instead of ``count_limit``.
    """

    max: int
    window: Window = YEAR
    unit: CountUnit = CountUnit.QUANTITY
    scope: Scope = Scope.BENEFICIARY

    def __post_init__(self) -> None:
        if self.max < 0:
            raise ValueError("a count limit is not negative")
        if self.scope is Scope.ACT:
            raise ValueError("count one act with the line's quantity, not a limit")


@dataclass(frozen=True, slots=True)
class Deductible:
    """What the member pays first, before the mutual pays anything (FR: franchise)."""

    amount: Decimal
    window: Window = YEAR
    scope: Scope = Scope.BENEFICIARY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or self.amount < 0:
            raise ValueError("a deductible is a non-negative Decimal amount")
        if self.scope not in (Scope.BENEFICIARY, Scope.HOUSEHOLD):
            raise ValueError("a deductible is per beneficiary or per household")


@dataclass(frozen=True, slots=True)
class Applicability:
    """Clinical validity of an act for the patient (DOMAIN §4), e.g. delivery: F.

    Ages are whole years at the service date, bounds included.
    """

    sex: Sex | None = None
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class BenefitRule:
    """How a package treats one service category, or one item of it.

    FR: garantie. ``waiting_days`` counts from the first day of continuous cover
    by the package (FR: période de stage).
    """

    category: str
    item: str | None = None
    covered: bool = True
    coverage: Coverage = FULL
    by_member_category: Mapping[str, Coverage] = field(default=_EMPTY)
    ceilings: tuple[Ceiling, ...] = ()
    frequency: CountLimit | None = None
    count_limits: tuple[CountLimit, ...] = ()
    waiting_days: int = 0
    referral_required: bool = False
    authorisation_required: bool = False
    applicability: Applicability | None = None
    care_type: CareType = CareType.BOTH

    def __post_init__(self) -> None:
        if self.waiting_days < 0:
            raise ValueError("a waiting period is not negative")

    def coverage_for(self, member_category: str) -> Coverage:
        return self.by_member_category.get(member_category, self.coverage)


@dataclass(frozen=True)
class PackageVersion:
    """One version of a benefit package, in force from ``effective_from``.

    ``ceilings`` and ``deductible`` are package-wide: they add up everything
    the package paid (per beneficiary or household, yearly, in/out-patient).
    """

    id: str
    package_id: str
    name: str
    kind: PackageKind
    effective_from: date
    currency: str
    rules: tuple[BenefitRule, ...]
    ceilings: tuple[Ceiling, ...] = ()
    deductible: Deductible | None = None
    _by_item: dict[str, BenefitRule] = field(init=False, repr=False, compare=False)
    _by_category: dict[str, BenefitRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cur = currency(self.currency)
        by_item: dict[str, BenefitRule] = {}
        by_category: dict[str, BenefitRule] = {}
        for rule in self.rules:
            for amount in [c.amount for c in rule.ceilings] + [
                c.fixed_copay
                for c in (rule.coverage, *rule.by_member_category.values())
                if c.fixed_copay is not None
            ]:
                if cur.quantize(amount) != amount:
                    raise ValueError(f"{amount} is not an amount in {cur.code}")
            if rule.item is None:
                if rule.category in by_category:
                    raise ValueError(f"two rules for category {rule.category!r}")
                by_category[rule.category] = rule
            else:
                if rule.item in by_item:
                    raise ValueError(f"two rules for item {rule.item!r}")
                by_item[rule.item] = rule
        for c in self.ceilings:
            if cur.quantize(c.amount) != c.amount:
                raise ValueError(f"{c.amount} is not an amount in {cur.code}")
        object.__setattr__(self, "_by_item", by_item)
        object.__setattr__(self, "_by_category", by_category)

    def rule_for(self, item: str, category: str) -> BenefitRule | None:
        """The item's own rule, else its category's rule, else None (not in package)."""
        return self._by_item.get(item) or self._by_category.get(category)


class PackageBook:
    """The versions of every package, to find the one in force at a date."""

    def __init__(self, versions: tuple[PackageVersion, ...] | list[PackageVersion]) -> None:
        by_package: dict[str, list[PackageVersion]] = {}
        for v in versions:
            by_package.setdefault(v.package_id, []).append(v)
        self._versions = {
            k: sorted(v, key=lambda p: p.effective_from) for k, v in by_package.items()
        }
        self._starts = {k: [p.effective_from for p in v] for k, v in self._versions.items()}

    def in_force(self, package_id: str, on: date) -> PackageVersion | None:
        starts = self._starts.get(package_id)
        if not starts:
            return None
        i = bisect.bisect_right(starts, on)
        return self._versions[package_id][i - 1] if i else None


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """An act or item of the mutual's priced list (DOMAIN §4), with its reference price."""

    code: str
    category: str
    reference_price: Decimal
    care_type: CareType = CareType.BOTH


class FlatBasis(StrEnum):
    VISIT = "visit"
    EPISODE = "episode"


@dataclass(frozen=True, slots=True)
class FlatRate:
    """A negotiated lump sum for an act, whatever the quantity (DOMAIN §6)."""

    amount: Decimal
    per: FlatBasis = FlatBasis.VISIT


@dataclass(frozen=True)
class Agreement:
    """A provider's agreement (FR: convention) and its price list (DOMAIN §6).

    ``tariffs`` are negotiated prices per unit; ``flat_rates`` lump sums per
    visit or episode. With ``reference_prices`` every catalogue item not
    listed is in the price list at its reference price. With
    ``third_party_payment`` (FR: tiers payant) the mutual pays the provider;
    otherwise it reimburses the member. ``submission_deadline_days``, when set,
    overrides the context's deadline for this provider's claims.
    """

    provider_id: str
    valid_from: date
    valid_to: date | None = None
    tariffs: Mapping[str, Decimal] = field(default=_EMPTY)
    flat_rates: Mapping[str, FlatRate] = field(default=_EMPTY)
    reference_prices: bool = False
    third_party_payment: bool = True
    submission_deadline_days: int | None = None

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)
