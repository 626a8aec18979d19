"""Eligibility of a beneficiary at a date, and for a service (DOMAIN §3, §5, §7).

Owns the facts about a member that rights depend on (membership status,
coverage periods, dues standing) and the checks built on them:

- at a date (DOMAIN §5): a membership in force, an active coverage period,
  and dues paid to date or still within grace;
- for a service: the item is known and, when a provider is given, in its
  valid agreement; a package of the beneficiary covers it (basic packages
  first, then complementary ones; the first whose rule does not exclude it
  pays); clinical applicability, care type, waiting period (counted from the
  first day of continuous cover by that package, DOMAIN §3), referral and
  prior authorisation; count and frequency limits not exhausted; no ceiling
  spent.

``check_eligibility`` answers with *every* reason when the answer is no, the
coverage that would apply and what is left of each limit. Claim adjudication
(``adjudication.py``) runs the same checks line by line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from mutualis.engine.benefits import (
    Agreement,
    BenefitRule,
    CareType,
    CatalogueItem,
    Ceiling,
    CountUnit,
    Coverage,
    PackageBook,
    PackageKind,
    PackageVersion,
    Sex,
    Window,
)
from mutualis.engine.limits import (
    ConsumptionIndex,
    Left,
    Position,
    applicable_ceilings,
    ceiling_left,
    count_left,
    deductible_left,
)
from mutualis.engine.reasons import Reason, ReasonCode

_ONE_DAY = timedelta(days=1)


class MembershipStatus(StrEnum):
    CANDIDATE = "candidate"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RESIGNED = "resigned"
    EXCLUDED = "excluded"
    DECEASED = "deceased"


_ENDED = frozenset(
    {
        MembershipStatus.SUSPENDED,
        MembershipStatus.RESIGNED,
        MembershipStatus.EXCLUDED,
        MembershipStatus.DECEASED,
    }
)


class CoverStatus(StrEnum):
    IDLE = "idle"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """An insured person (DOMAIN §3). ``born`` is 1 January when only the year is known.

    ``status`` took effect on ``status_since`` (None: always). Before that
    date a suspended, resigned, excluded or deceased person was active, and an
    active one was a candidate.
    """

    id: str
    household_id: str
    sex: Sex
    born: date
    born_year_only: bool = False
    category: str = "informal"
    status: MembershipStatus = MembershipStatus.ACTIVE
    status_since: date | None = None

    def status_on(self, on: date) -> MembershipStatus:
        if self.status_since is None or on >= self.status_since:
            return self.status
        if self.status in _ENDED:
            return MembershipStatus.ACTIVE
        return MembershipStatus.CANDIDATE

    def age_range(self, on: date) -> tuple[int, int]:
        """(youngest, oldest) possible age in whole years at ``on``."""
        oldest = _age(self.born, on)
        if not self.born_year_only:
            return oldest, oldest
        return _age(date(self.born.year, 12, 31), on), oldest

    def born_after(self, on: date) -> bool:
        if self.born_year_only:
            return on.year < self.born.year
        return on < self.born


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True, slots=True)
class CoveragePeriod:
    """A household's or person's cover by one package (openIMIS policy, DOMAIN §3).

    ``status`` is the status the period had on the dates asked about;
    active and expired periods cover the days from ``start`` to ``expiry``.
    """

    package_id: str
    start: date
    expiry: date
    status: CoverStatus = CoverStatus.ACTIVE

    def covers(self, on: date) -> bool:
        return (
            self.status in (CoverStatus.ACTIVE, CoverStatus.EXPIRED)
            and self.start <= on <= self.expiry
        )


@dataclass(frozen=True, slots=True)
class DuesStanding:
    """The household's dues (DOMAIN §5): paid to date, within grace, or in arrears.

    ``unpaid_since`` is the due date of the oldest unpaid dues (None: paid to
    date); cover continues until ``grace_until`` when there is a grace period.
    """

    unpaid_since: date | None = None
    grace_until: date | None = None

    @classmethod
    def paid(cls) -> DuesStanding:
        return cls()

    @classmethod
    def arrears(cls, since: date) -> DuesStanding:
        return cls(unpaid_since=since)

    @classmethod
    def grace(cls, unpaid_since: date, until: date) -> DuesStanding:
        return cls(unpaid_since=unpaid_since, grace_until=until)

    def arrears_since(self) -> date | None:
        if self.unpaid_since is None:
            return None
        if self.grace_until is not None:
            return max(self.unpaid_since, self.grace_until + _ONE_DAY)
        return self.unpaid_since

    def covers(self, on: date) -> bool:
        since = self.arrears_since()
        return since is None or on < since


PAID = DuesStanding()


@dataclass(frozen=True)
class MemberFacts:
    """What a beneficiary's rights depend on."""

    beneficiary: Beneficiary
    coverage: tuple[CoveragePeriod, ...]
    dues: DuesStanding = PAID


@dataclass(frozen=True, slots=True)
class Cover:
    """A package covering a beneficiary at a date: the period and the version in force."""

    period: CoveragePeriod
    version: PackageVersion
    since: date  # first day of continuous cover by this package


def member_reasons(member: MemberFacts, on: date) -> list[Reason]:
    """Why the beneficiary is not covered at ``on`` (empty: covered)."""
    reasons: list[Reason] = []
    status = member.beneficiary.status_on(on)
    if status is MembershipStatus.SUSPENDED:
        reasons.append(Reason(ReasonCode.NOT_COVERED, {"membership": status.value}))
    elif status is not MembershipStatus.ACTIVE:
        reasons.append(Reason(ReasonCode.NOT_A_MEMBER, {"membership": status.value}))
    if not any(p.covers(on) for p in member.coverage):
        ended = [p.expiry for p in member.coverage if p.covers(p.start) and p.expiry < on]
        reasons.append(
            Reason(
                ReasonCode.NOT_COVERED,
                {"cover": "none", "cover_ended": max(ended) if ended else None},
            )
        )
    if not member.dues.covers(on):
        reasons.append(
            Reason(ReasonCode.NOT_COVERED, {"arrears_since": member.dues.arrears_since()})
        )
    return reasons


def covers_at(member: MemberFacts, book: PackageBook, on: date) -> list[Cover]:
    """The packages covering the beneficiary at ``on``: basic first, then by package id."""
    out: list[Cover] = []
    for period in member.coverage:
        if not period.covers(on):
            continue
        version = book.in_force(period.package_id, on)
        if version is None:
            continue
        out.append(Cover(period, version, _continuous_start(member, period)))
    out.sort(key=lambda c: (c.version.kind is not PackageKind.BASIC, c.version.package_id))
    return out


def _continuous_start(member: MemberFacts, period: CoveragePeriod) -> date:
    """Renewals without a gap do not restart the waiting period."""
    same = sorted(
        (p for p in member.coverage if p.package_id == period.package_id and p.covers(p.start)),
        key=lambda p: p.start,
        reverse=True,
    )
    start = period.start
    for p in same:
        if p.start < start <= p.expiry + _ONE_DAY:
            start = p.start
    return start


def choose_rule(
    covers: list[Cover], item: CatalogueItem
) -> tuple[Cover, BenefitRule] | None:
    """The first package (basic first) whose rule covers the item."""
    for cover in covers:
        rule = cover.version.rule_for(item.code, item.category)
        if rule is not None and rule.covered:
            return cover, rule
    return None


def not_in_package(item: CatalogueItem, covers: list[Cover]) -> Reason:
    return Reason(
        ReasonCode.NOT_IN_PACKAGE,
        {
            "item": item.code,
            "category": item.category,
            "packages": tuple(c.version.package_id for c in covers),
        },
    )


def rule_reasons(
    *,
    rule: BenefitRule,
    cover: Cover,
    beneficiary: Beneficiary,
    on: date,
    care_type: CareType,
    referral: bool,
    authorisation: bool,
) -> list[Reason]:
    """Clinical applicability, care type, waiting period, referral, authorisation."""
    reasons: list[Reason] = []
    app = rule.applicability
    if app is not None:
        youngest, oldest = beneficiary.age_range(on)
        if (
            (app.sex is not None and beneficiary.sex is not app.sex)
            or (app.min_age is not None and oldest < app.min_age)
            or (app.max_age is not None and youngest > app.max_age)
        ):
            reasons.append(
                Reason(
                    ReasonCode.CLINICAL_APPLICABILITY,
                    {"sex": app.sex, "min_age": app.min_age, "max_age": app.max_age},
                )
            )
    if not rule.care_type.admits(care_type):
        reasons.append(
            Reason(
                ReasonCode.CARE_TYPE,
                {"care_type": care_type.value, "allowed": rule.care_type.value,
                 "source": "package"},
            )
        )
    if rule.waiting_days:
        until = cover.since + timedelta(days=rule.waiting_days - 1)
        if on <= until:
            reasons.append(Reason(ReasonCode.WAITING_PERIOD, {"until": until}))
    if rule.referral_required and not referral:
        reasons.append(Reason(ReasonCode.REFERRAL_MISSING, {"document": "referral"}))
    if rule.authorisation_required and not authorisation:
        reasons.append(Reason(ReasonCode.REFERRAL_MISSING, {"document": "authorisation"}))
    return reasons


def count_reasons(
    index: ConsumptionIndex,
    pos: Position,
    rule: BenefitRule,
    quantity: int,
    lefts: list[Left] | None = None,
) -> tuple[int, list[Reason]]:
    """How much of ``quantity`` the frequency and count limits allow, and why not more."""
    allowed = quantity
    reasons: list[Reason] = []
    limits = rule.count_limits if rule.frequency is None else (rule.frequency, *rule.count_limits)
    for limit in limits:
        left, counted = count_left(index, limit, pos, rule)
        code = ReasonCode.FREQUENCY if limit is rule.frequency else ReasonCode.COUNT_LIMIT
        if lefts is not None:
            lefts.append(
                Left(code.value, "rule", limit.scope, limit.window, Decimal(limit.max),
                     Decimal(limit.max - left), Decimal(left), unit=limit.unit)
            )
        if limit.unit is CountUnit.QUANTITY:
            ok = min(quantity, left)
        else:
            ok = quantity if (counted or left > 0) else 0
        if ok < quantity:
            allowed = min(allowed, ok)
            reasons.append(
                Reason(
                    code,
                    {
                        "max": limit.max,
                        "unit": limit.unit.value,
                        "scope": limit.scope.value,
                        "window": _window_label(limit.window),
                        "left": left,
                    },
                )
            )
    return allowed, reasons


def _window_label(window: Window) -> str:
    if window.days is not None:
        return f"{window.days}_days"
    return window.kind.value


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """A service asked about at a facility (eligibility for a service, DOMAIN §5)."""

    item: str
    quantity: int = 1
    care_type: CareType = CareType.OUT_PATIENT
    referral: bool = False
    authorisation: bool = False
    episode: str | None = None


@dataclass(frozen=True)
class EligibilityFacts:
    """A member's facts plus what the answer needs to look up.

    ``consumption`` holds at least the beneficiary's and household's records.
    """

    member: MemberFacts
    packages: tuple[PackageVersion, ...]
    catalogue: Mapping[str, CatalogueItem] = field(default_factory=dict)
    consumption: tuple = ()


@dataclass(frozen=True)
class EligibilityDecision:
    """Yes or no, every reason when no, the coverage and what is left of each limit.

    ``package_id`` and ``coverage`` say which package would pay for the
    service and how (rate or fixed co-payment after the member's category).
    """

    eligible: bool
    reasons: tuple[Reason, ...] = ()
    package_id: str | None = None
    coverage: Coverage | None = None
    remaining: tuple[Left, ...] = ()


def check_eligibility(
    *,
    facts: EligibilityFacts,
    on: date,
    service: ServiceRequest | None = None,
    provider: Agreement | None = None,
) -> EligibilityDecision:
    """Is the beneficiary covered at ``on`` (for ``service``, at ``provider``)?"""
    member = facts.member
    ben = member.beneficiary
    book = PackageBook(facts.packages)
    index = ConsumptionIndex(facts.consumption)
    reasons = member_reasons(member, on)
    covers = covers_at(member, book, on)
    if provider is not None and not provider.valid_on(on):
        reasons.append(
            Reason(ReasonCode.AGREEMENT_INVALID,
                   {"provider": provider.provider_id, "on": on})
        )
    lefts: list[Left] = []
    if service is None:
        for cover in covers:
            pos = _position(ben, cover, "", "", on, CareType.BOTH, "", "")
            for ceiling in cover.version.ceilings:
                limit, left = ceiling_left(index, ceiling, None, pos, 1)
                lefts.append(_ceiling_left(ceiling, "package", limit, left))
        return EligibilityDecision(not reasons, tuple(reasons), remaining=tuple(lefts))

    item = facts.catalogue.get(service.item)
    if item is None:
        reasons.append(Reason(ReasonCode.UNKNOWN_ITEM, {"item": service.item}))
        return EligibilityDecision(False, tuple(reasons))
    if not item.care_type.admits(service.care_type):
        reasons.append(care_type_reason(item, service.care_type))
    if provider is not None and provider.valid_on(on) and not in_price_list(provider, item):
        reasons.append(
            Reason(ReasonCode.NOT_IN_PRICE_LIST,
                   {"item": item.code, "provider": provider.provider_id})
        )
    if not covers:
        return EligibilityDecision(False, tuple(reasons))
    chosen = choose_rule(covers, item)
    if chosen is None:
        reasons.append(not_in_package(item, covers))
        return EligibilityDecision(False, tuple(reasons))
    cover, rule = chosen
    version = cover.version
    reasons += rule_reasons(
        rule=rule, cover=cover, beneficiary=ben, on=on, care_type=service.care_type,
        referral=service.referral, authorisation=service.authorisation,
    )
    episode = service.episode or "?"
    pos = _position(ben, cover, item.category, item.code, on, service.care_type, episode, "?")
    _, why = count_reasons(index, pos, rule, service.quantity, lefts)
    reasons += why
    for ceiling, owner in applicable_ceilings(version, rule, service.care_type):
        limit, left = ceiling_left(index, ceiling, owner, pos, service.quantity)
        level = "package" if owner is None else "rule"
        lefts.append(_ceiling_left(ceiling, level, limit, left))
        if left <= 0:
            reasons.append(
                Reason(ReasonCode.CEILING_REACHED,
                       {"level": level, "scope": ceiling.scope.value,
                        "amount": ceiling.amount})
            )
    if version.deductible is not None:
        ded = version.deductible
        left = deductible_left(index, ded, pos)
        lefts.append(Left("deductible", "package", ded.scope, ded.window, ded.amount,
                          ded.amount - left, left))
    return EligibilityDecision(
        not reasons,
        tuple(reasons),
        package_id=version.package_id,
        coverage=rule.coverage_for(ben.category),
        remaining=tuple(lefts),
    )


def care_type_reason(item: CatalogueItem, care_type: CareType) -> Reason:
    return Reason(
        ReasonCode.CARE_TYPE,
        {"care_type": care_type.value, "allowed": item.care_type.value, "source": "catalogue"},
    )


def in_price_list(agreement: Agreement, item: CatalogueItem) -> bool:
    return (
        agreement.reference_prices
        or item.code in agreement.tariffs
        or item.code in agreement.flat_rates
    )


def _ceiling_left(ceiling: Ceiling, level: str, limit: Decimal, left: Decimal) -> Left:
    return Left("ceiling", level, ceiling.scope, ceiling.window, limit, limit - left, left,
                ceiling.care_type)


def _position(
    ben: Beneficiary, cover: Cover, category: str, item: str, on: date,
    care_type: CareType, episode: str, claim_id: str, skip: str | None = None,
) -> Position:
    return Position(
        ben.id, ben.household_id, cover.version.package_id, category, item, on, care_type,
        episode, claim_id, (cover.period.start, cover.period.expiry), skip,
    )
