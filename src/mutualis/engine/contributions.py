"""Contribution schedules and the dues they generate (DOMAIN §1 Solidarity, §3, §5).

This module owns:

- ``Schedule``: what a household owes per period, for every kind of schedule in
  DOMAIN §5 (flat per person, flat per household, per beneficiary with a household
  cap, percentage of declared income with floor and ceiling, income bands), plus
  the one-off registration fee (FR: droit d'adhésion), the yearly membership / GA
  fee, the renewal discount and pro rata for people added during a period.
- ``validate_schedule``: the solidarity rule (DOMAIN §1). A schedule may vary by
  member category, income band or household size, never by age, sex or health
  status; it refuses those with ``RatesByRisk``.
- ``Subsidy``: a third party (State, partner, employer) paying all, a share or a
  fixed amount of the gross for a category of people. The gross stays the same
  for everybody; a subsidy only changes who pays it (DOMAIN §5).
- ``compute_dues`` (one household, with a line per beneficiary and per payer) and
  ``compute_dues_many`` (many households at once, totals per payer and kind, the
  path that generates dues for a whole mutual).

Every amount of a schedule is for one period of the schedule (a month, a quarter or
a year) and is a ``Decimal``; results are rounded to the currency's minor unit.
Errors carry a ``code`` and ``params``; the Django layer translates them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import ClassVar

from mutualis.engine.money import Currency, UnknownCurrency, currency

type Id = int | str

MEMBER = "member"
"""The payer id of the household itself; subsidies name their own payer ids."""

ZERO = Decimal(0)
ONE = Decimal(1)


# --------------------------------------------------------------------------- errors


class RuleError(ValueError):
    """A rule of the engine refused its input. ``code`` and ``params`` are for the edge."""

    code: ClassVar[str] = "invalid"

    def __init__(self, **params: object) -> None:
        super().__init__(self.code, params)
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({details})"


class ScheduleError(RuleError):
    code = "schedule_invalid"


class RatesByRisk(ScheduleError):
    """The schedule's gross varies by age, sex or health status (DOMAIN §1)."""

    code = "schedule_rates_by_risk"


class UnknownCriterion(ScheduleError):
    code = "schedule_unknown_criterion"


class NegativeAmount(ScheduleError):
    code = "schedule_negative_amount"


class InvalidAmount(ScheduleError):
    """Not a Decimal (floats are not money), or a share outside 0..1."""

    code = "schedule_invalid_amount"


class FloorAboveCeiling(ScheduleError):
    code = "schedule_floor_above_ceiling"


class ScheduleUnknownCurrency(ScheduleError):
    code = "schedule_unknown_currency"


class MissingField(ScheduleError):
    code = "schedule_missing_field"


class DuplicateRate(ScheduleError):
    code = "schedule_duplicate_rate"


class InvalidSubsidy(ScheduleError):
    code = "subsidy_invalid"


class DuesError(RuleError):
    code = "dues_invalid"


class PeriodMismatch(DuesError):
    """The dates given are not one period of the schedule."""

    code = "dues_period_mismatch"


class UnknownIncomeBand(DuesError):
    code = "dues_unknown_income_band"


class MissingIncome(DuesError):
    code = "dues_missing_income"


# --------------------------------------------------------------------------- vocabulary


class ScheduleKind(StrEnum):
    FLAT_PER_PERSON = "flat_per_person"
    FLAT_PER_HOUSEHOLD = "flat_per_household"
    PER_BENEFICIARY_CAPPED = "per_beneficiary_capped"
    INCOME_PERCENTAGE = "income_percentage"
    INCOME_BANDS = "income_bands"


PER_PERSON_KINDS = frozenset(
    {ScheduleKind.FLAT_PER_PERSON, ScheduleKind.PER_BENEFICIARY_CAPPED, ScheduleKind.INCOME_BANDS}
)


class Period(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "yearly": 12}[self.value]


class ProRata(StrEnum):
    """How someone added (or leaving) during a period pays for it."""

    NONE = "none"  # the whole period
    BY_DAY = "by_day"  # days covered / days in the period
    BY_MONTH = "by_month"  # calendar months touched / months in the period


class Category(StrEnum):
    """Member category (DOMAIN §3); it may drive a schedule and subsidies."""

    FORMAL = "formal"
    INFORMAL = "informal"
    INDIGENT = "indigent"
    STUDENT = "student"
    OTHER = "other"


class Criterion(StrEnum):
    """What a schedule may vary by (DOMAIN §1, §5)."""

    CATEGORY = "category"
    INCOME_BAND = "income_band"
    HOUSEHOLD_SIZE = "household_size"


class DueKind(StrEnum):
    """Kinds of dues, in the order a payment settles them (DOMAIN §5)."""

    REGISTRATION_FEE = "registration_fee"
    MEMBERSHIP_FEE = "membership_fee"
    CONTRIBUTION = "contribution"


DUE_KIND_ORDER = {kind: rank for rank, kind in enumerate(DueKind)}

# Names a manager (or an import) could use for a risk criterion, mapped to the
# criterion reported in ``RatesByRisk``. Pregnancy is a health status.
_RISK_CRITERIA = {
    "age": "age",
    "age_band": "age",
    "age_group": "age",
    "birth_date": "age",
    "date_of_birth": "age",
    "birth_year": "age",
    "adult_child": "age",
    "sex": "sex",
    "gender": "sex",
    "health": "health",
    "health_status": "health",
    "pre_existing_condition": "health",
    "chronic_condition": "health",
    "chronic_disease": "health",
    "disability": "health",
    "pregnant": "health",
    "pregnancy": "health",
    "medical_history": "health",
    "smoker": "health",
    "bmi": "health",
}


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Rate:
    """One row of a schedule's rate table: the schedule's main figure for ``key``.

    The main figure is ``Schedule.amount``, or ``Schedule.income_rate`` for an
    income percentage. For ``household_size`` the key is the smallest size the
    row applies to ("1", "4", "7": 4 to 6 people pay the "4" row).
    """

    key: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    """A contribution schedule. Every amount is for one period of the schedule.

    ``varies_by`` names the one criterion the rate table is keyed by
    (``Criterion``); age, sex and health are refused by ``validate_schedule``.
    """

    kind: ScheduleKind
    currency: str
    period: Period = Period.YEARLY
    amount: Decimal = ZERO
    varies_by: str | None = None
    rates: tuple[Rate, ...] = ()
    household_cap: Decimal | None = None
    income_rate: Decimal | None = None
    floor: Decimal | None = None
    ceiling: Decimal | None = None
    registration_fee: Decimal = ZERO
    membership_fee: Decimal = ZERO
    membership_fee_month: int = 1
    renewal_discount: Decimal = ZERO
    pro_rata: ProRata = ProRata.NONE


@dataclass(frozen=True, slots=True)
class Subsidy:
    """A third party paying for a category of people (DOMAIN §5), not a rating.

    Exactly one of ``share`` (0..1 of the gross) or ``fixed`` (an amount per full
    period, scaled like the line it pays for) is set. The conditions are all
    required; none means everybody. ``under_age`` and ``pregnant`` only apply to
    per-person lines; ``fees`` extends the subsidy to the registration and
    membership fees. Subsidies apply in the order given, each on what is left.
    """

    payer: str
    share: Decimal | None = None
    fixed: Decimal | None = None
    category: str | None = None
    income_band: str | None = None
    under_age: int | None = None
    pregnant: bool | None = None
    fees: bool = False


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """An insured person. ``category`` None means the household's category.

    ``birth_date``, ``sex`` and ``pregnant`` never change the gross; they only
    select subsidies ("children under five paid by the State").
    ``covered_from``/``covered_until`` drive pro rata; None means the whole period.
    """

    id: Id
    category: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    pregnant: bool = False
    covered_from: date | None = None
    covered_until: date | None = None


@dataclass(frozen=True, slots=True)
class Household:
    """A household as billed: its beneficiaries and what the schedule may look at.

    ``declared_income`` is yearly. ``enrolled_on`` in the period makes the
    registration fee due. ``renewing`` grants the schedule's renewal discount.
    """

    id: Id
    beneficiaries: tuple[Beneficiary, ...]
    category: str = Category.INFORMAL
    income_band: str | None = None
    declared_income: Decimal | None = None
    enrolled_on: date | None = None
    renewing: bool = False


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class DueLine:
    """One line of a household's dues: gross, and who pays it (``MEMBER`` or a payer id)."""

    kind: DueKind
    beneficiary_id: Id | None
    gross: Decimal
    payers: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True, slots=True)
class PayerDue:
    """What one payer owes for one kind of due: one stored due."""

    payer: str
    kind: DueKind
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HouseholdDues:
    household_id: Id
    currency: str
    period_start: date
    period_end: date
    lines: tuple[DueLine, ...]
    dues: tuple[PayerDue, ...]

    @property
    def gross(self) -> Decimal:
        return sum((line.gross for line in self.lines), ZERO)

    def payer_total(self, payer: str) -> Decimal:
        return sum((d.amount for d in self.dues if d.payer == payer), ZERO)


@dataclass(frozen=True, slots=True)
class DuesBatch:
    """Dues of many households: ``results`` by household, ``errors`` by input index."""

    results: list[tuple[Id, tuple[PayerDue, ...]]]
    errors: list[tuple[int, DuesError]]


# --------------------------------------------------------------------------- dates


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_end(period: Period, start: date) -> date:
    """Last day of the period of the schedule that starts on ``start``."""
    return add_months(start, period.months) - timedelta(days=1)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------- validation


def _check_amount(name: str, value: object, *, share: bool = False) -> None:
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise InvalidAmount(field=name, value=value)
    if not Decimal(value).is_finite():
        raise InvalidAmount(field=name, value=value)
    if value < 0:
        raise NegativeAmount(field=name, value=value)
    if share and value > 1:
        raise InvalidAmount(field=name, value=value)


def _criterion(name: str) -> Criterion:
    normal = name.strip().lower().replace("-", "_").replace(" ", "_")
    if normal in _RISK_CRITERIA:
        raise RatesByRisk(criterion=_RISK_CRITERIA[normal])
    try:
        return Criterion(normal)
    except ValueError:
        raise UnknownCriterion(criterion=name) from None


def validate_schedule(schedule: Schedule) -> None:
    """Refuse a schedule that breaks solidarity or cannot compute (DOMAIN §1, §5).

    Raises ``RatesByRisk`` (criterion "age", "sex" or "health"), and otherwise a
    ``ScheduleError`` with a code: negative or non-Decimal amounts, floor above
    ceiling, unknown currency, missing fields, duplicate rate keys.
    """
    if schedule.varies_by is not None:
        criterion = _criterion(schedule.varies_by)
    else:
        criterion = None
    try:
        currency(schedule.currency)
    except UnknownCurrency:
        raise ScheduleUnknownCurrency(currency=schedule.currency) from None
    try:
        ScheduleKind(schedule.kind)
        Period(schedule.period)
        ProRata(schedule.pro_rata)
    except ValueError as exc:
        raise ScheduleError(reason=str(exc)) from None

    kind = schedule.kind
    percentage = kind is ScheduleKind.INCOME_PERCENTAGE
    for name in ("amount", "registration_fee", "membership_fee"):
        _check_amount(name, getattr(schedule, name))
    _check_amount("renewal_discount", schedule.renewal_discount, share=True)
    for name in ("household_cap", "floor", "ceiling"):
        if (value := getattr(schedule, name)) is not None:
            _check_amount(name, value)
    if schedule.income_rate is not None:
        _check_amount("income_rate", schedule.income_rate, share=True)
    if not 1 <= schedule.membership_fee_month <= 12:
        raise InvalidAmount(field="membership_fee_month", value=schedule.membership_fee_month)

    keys: set[str] = set()
    for rate in schedule.rates:
        if criterion is None:
            raise MissingField(field="varies_by", kind=kind)
        _check_amount(f"rates[{rate.key}]", rate.value, share=percentage)
        if rate.key in keys:
            raise DuplicateRate(key=rate.key)
        keys.add(rate.key)
        if criterion is Criterion.HOUSEHOLD_SIZE and not (rate.key.isdigit() and int(rate.key) > 0):
            raise InvalidAmount(field="rates.key", value=rate.key)

    if kind is ScheduleKind.PER_BENEFICIARY_CAPPED and schedule.household_cap is None:
        raise MissingField(field="household_cap", kind=kind)
    if percentage and schedule.income_rate is None:
        raise MissingField(field="income_rate", kind=kind)
    if kind is ScheduleKind.INCOME_BANDS and (
        criterion is not Criterion.INCOME_BAND or not schedule.rates
    ):
        raise MissingField(field="rates", kind=kind)
    if (
        schedule.floor is not None
        and schedule.ceiling is not None
        and schedule.floor > schedule.ceiling
    ):
        raise FloorAboveCeiling(floor=schedule.floor, ceiling=schedule.ceiling)


def validate_subsidy(subsidy: Subsidy) -> None:
    """A subsidy names a payer and exactly one of a share (0..1) or a fixed amount."""
    if not subsidy.payer or subsidy.payer == MEMBER:
        raise InvalidSubsidy(payer=subsidy.payer, field="payer")
    if (subsidy.share is None) == (subsidy.fixed is None):
        raise InvalidSubsidy(payer=subsidy.payer, field="share")
    try:
        if subsidy.share is not None:
            _check_amount("share", subsidy.share, share=True)
        else:
            _check_amount("fixed", subsidy.fixed)
    except ScheduleError:
        raise InvalidSubsidy(payer=subsidy.payer, field="share") from None
    if subsidy.under_age is not None and subsidy.under_age <= 0:
        raise InvalidSubsidy(payer=subsidy.payer, field="under_age")


# --------------------------------------------------------------------------- the plan


def _round_floor(value: Decimal, cur: Currency) -> Decimal:
    return value.quantize(cur.step, rounding=ROUND_FLOOR)


def split_proportionally(
    total: Decimal, weights: Sequence[Decimal], cur: Currency
) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``, in minor units, summing exactly.

    The largest remainders get the leftover units; ties go to the earlier weight.
    """
    whole = sum(weights, ZERO)
    if whole == 0:
        return [cur.zero() for _ in weights]
    exact = [total * w / whole for w in weights]
    parts = [_round_floor(x, cur) for x in exact]
    left = int((total - sum(parts, ZERO)) / cur.step)
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[:left]:
        parts[i] += cur.step
    return parts


class _Plan:
    """A schedule and its subsidies prepared for one period: cheap to apply per household."""

    def __init__(
        self, schedule: Schedule, subsidies: tuple[Subsidy, ...], start: date, end: date
    ) -> None:
        validate_schedule(schedule)
        for subsidy in subsidies:
            validate_subsidy(subsidy)
        if end != period_end(schedule.period, start):
            raise PeriodMismatch(period_start=start, period_end=end, period=schedule.period)
        self.schedule = schedule
        self.cur = cur = currency(schedule.currency)
        self.start, self.end = start, end
        self.kind = ScheduleKind(schedule.kind)
        self.per_person = self.kind in PER_PERSON_KINDS
        self.criterion = _criterion(schedule.varies_by) if schedule.varies_by else None
        self.table = {r.key: Decimal(r.value) for r in schedule.rates}
        self.sizes = (
            sorted(((int(r.key), Decimal(r.value)) for r in schedule.rates), reverse=True)
            if self.criterion is Criterion.HOUSEHOLD_SIZE
            else []
        )
        self.main = Decimal(
            schedule.income_rate if self.kind is ScheduleKind.INCOME_PERCENTAGE else schedule.amount
        )
        self.months = schedule.period.months
        self.days = (end - start).days + 1
        self.method = ProRata(schedule.pro_rata)
        self.discount = Decimal(schedule.renewal_discount)
        self.subsidies = subsidies
        self.person_subsidies = any(
            s.under_age is not None or s.pregnant is not None for s in subsidies
        )
        self.ages = sorted({s.under_age for s in subsidies if s.under_age is not None})
        self.registration_fee = cur.quantize(schedule.registration_fee)
        self.fee_month_in_period = any(
            start <= date(year, schedule.membership_fee_month, 1) <= end
            for year in range(start.year, end.year + 1)
        )
        self.membership_fee = cur.quantize(schedule.membership_fee)
        self.signatures: dict[tuple, tuple[PayerDue, ...]] = {}

    # -- pieces

    def share(self, first: date | None, last: date | None) -> tuple[int, int]:
        """Pro rata numerator and denominator for cover from ``first`` to ``last``."""
        start, end = self.start, self.end
        if self.method is ProRata.BY_DAY:
            den = self.days
        elif self.method is ProRata.BY_MONTH:
            den = self.months
        else:
            den = 1
        if (first is None or first <= start) and (last is None or last >= end):
            return den, den
        a = start if first is None or first < start else first
        b = end if last is None or last > end else last
        if a > b:
            return 0, den
        if self.method is ProRata.BY_DAY:
            return (b - a).days + 1, den
        if self.method is ProRata.BY_MONTH:
            return (b.year - a.year) * 12 + b.month - a.month + 1, den
        return den, den

    def figure(self, household: Household, category: str, size: int) -> Decimal:
        """The schedule's main figure (amount or income rate) for this person/household."""
        criterion = self.criterion
        if criterion is None:
            return self.main
        if criterion is Criterion.CATEGORY:
            return self.table.get(category, self.main)
        if criterion is Criterion.INCOME_BAND:
            band = household.income_band
            if band in self.table:
                return self.table[band]
            if self.kind is ScheduleKind.INCOME_BANDS:
                raise UnknownIncomeBand(household_id=household.id, income_band=band)
            return self.main
        for threshold, value in self.sizes:
            if size >= threshold:
                return value
        return self.main

    def standard(self, household: Household, category: str, size: int) -> Decimal:
        """Gross of a line for a whole period, before pro rata, cap and discount."""
        figure = self.figure(household, category, size)
        if self.kind is not ScheduleKind.INCOME_PERCENTAGE:
            return figure
        if household.declared_income is None:
            raise MissingIncome(household_id=household.id)
        amount = Decimal(household.declared_income) * figure * self.months / 12
        schedule = self.schedule
        if schedule.floor is not None and amount < schedule.floor:
            amount = Decimal(schedule.floor)
        if schedule.ceiling is not None and amount > schedule.ceiling:
            amount = Decimal(schedule.ceiling)
        return self.cur.quantize(amount)

    def matches(
        self, subsidy: Subsidy, household: Household, category: str, person: Beneficiary | None
    ) -> bool:
        if subsidy.category is not None and subsidy.category != category:
            return False
        if subsidy.income_band is not None and subsidy.income_band != household.income_band:
            return False
        if subsidy.under_age is not None:
            if person is None or person.birth_date is None:
                return False
            on = self.start if person.covered_from is None else max(self.start, person.covered_from)
            if _age_on(person.birth_date, on) >= subsidy.under_age:
                return False
        return subsidy.pregnant is None or (
            person is not None and person.pregnant == subsidy.pregnant
        )

    def split(
        self, gross: Decimal, standard: Decimal, subsidies: Iterable[Subsidy]
    ) -> tuple[tuple[str, Decimal], ...]:
        """Who pays ``gross``: each subsidy in turn on what is left, the member the rest."""
        quantize = self.cur.quantize
        left = gross
        payers: dict[str, Decimal] = {}
        for subsidy in subsidies:
            if left <= 0:
                break
            if subsidy.share is not None:
                part = quantize(gross * subsidy.share)
            elif standard:
                part = quantize(Decimal(subsidy.fixed) * gross / standard)
            else:
                part = ZERO
            part = min(part, left)
            if part:
                payers[subsidy.payer] = payers.get(subsidy.payer, ZERO) + part
                left -= part
        if left or not payers:
            return ((MEMBER, left), *payers.items())
        return tuple(payers.items())

    # -- a household

    def lines(self, household: Household) -> list[DueLine]:
        cur = self.cur
        quantize = cur.quantize
        lines: list[DueLine] = []
        people = []
        for person in household.beneficiaries:
            num, den = self.share(person.covered_from, person.covered_until)
            if num:
                people.append((person, num, den))
        size = len(people)
        h_num, h_den = self.share(household.enrolled_on, None)
        discount = self.discount if household.renewing else ZERO

        if self.per_person:
            raw = []
            for person, num, den in people:
                category = person.category or household.category
                standard = self.standard(household, category, size)
                gross = standard if num == den else quantize(standard * num / den)
                raw.append((person, category, standard, gross))
            total = sum((g for *_, g in raw), ZERO)
            if self.kind is ScheduleKind.PER_BENEFICIARY_CAPPED:
                cap = Decimal(self.schedule.household_cap)
                if h_num != h_den:
                    cap = quantize(cap * h_num / h_den)
                if total > cap:
                    capped = split_proportionally(cap, [g for *_, g in raw], cur)
                    raw = [(p, c, s, g) for (p, c, s, _), g in zip(raw, capped, strict=True)]
            for person, category, standard, gross in raw:
                if discount:
                    gross -= quantize(gross * discount)
                subsidies = [
                    s for s in self.subsidies if self.matches(s, household, category, person)
                ]
                lines.append(
                    DueLine(
                        DueKind.CONTRIBUTION,
                        person.id,
                        gross,
                        self.split(gross, standard, subsidies),
                    )
                )
        else:
            category = household.category
            standard = self.standard(household, category, size)
            gross = standard if h_num == h_den else quantize(standard * h_num / h_den)
            if discount:
                gross -= quantize(gross * discount)
            subsidies = [s for s in self.subsidies if self.matches(s, household, category, None)]
            lines.append(
                DueLine(DueKind.CONTRIBUTION, None, gross, self.split(gross, standard, subsidies))
            )

        enrolled = (
            household.enrolled_on is not None and self.start <= household.enrolled_on <= self.end
        )
        fees = []
        if self.registration_fee and enrolled:
            fees.append((DueKind.REGISTRATION_FEE, self.registration_fee))
        if self.membership_fee and (enrolled or self.fee_month_in_period):
            fees.append((DueKind.MEMBERSHIP_FEE, self.membership_fee))
        if fees:
            fee_subsidies = [
                s
                for s in self.subsidies
                if s.fees and self.matches(s, household, household.category, None)
            ]
            for kind, amount in fees:
                lines.append(DueLine(kind, None, amount, self.split(amount, amount, fee_subsidies)))
        return lines

    def signature(self, household: Household) -> tuple:
        """Everything about ``household`` that its dues depend on, nothing else."""
        share = self.share
        h_cat = household.category
        if self.person_subsidies:
            start = self.start
            cutoffs = [add_months(start, -12 * age) for age in self.ages]
            people = tuple(
                (
                    p.category or h_cat,
                    share(p.covered_from, p.covered_until),
                    p.pregnant,
                    None
                    if p.birth_date is None
                    else tuple(p.birth_date > c for c in cutoffs)
                    if p.covered_from is None or p.covered_from <= start
                    else tuple(_age_on(p.birth_date, p.covered_from) < a for a in self.ages),
                )
                for p in household.beneficiaries
            )
        else:
            people = tuple(
                (p.category or h_cat, share(p.covered_from, p.covered_until))
                for p in household.beneficiaries
            )
        enrolled = household.enrolled_on
        return (
            h_cat,
            household.income_band,
            household.declared_income,
            household.renewing,
            None if enrolled is None or enrolled < self.start else enrolled,
            people,
        )

    def summary(self, lines: Iterable[DueLine]) -> tuple[PayerDue, ...]:
        totals: dict[tuple[str, DueKind], Decimal] = {}
        for line in lines:
            for payer, amount in line.payers:
                key = (payer, line.kind)
                totals[key] = totals.get(key, ZERO) + amount
        ordered = sorted(
            totals.items(), key=lambda item: (item[0][0] != MEMBER, DUE_KIND_ORDER[item[0][1]])
        )
        return tuple(PayerDue(payer, kind, amount) for (payer, kind), amount in ordered)


@lru_cache(maxsize=64)
def _plan(schedule: Schedule, subsidies: tuple[Subsidy, ...], start: date, end: date) -> _Plan:
    return _Plan(schedule, subsidies, start, end)


# --------------------------------------------------------------------------- public API


def compute_dues(
    *,
    schedule: Schedule,
    household: Household,
    period_start: date,
    period_end: date,
    subsidies: Sequence[Subsidy] = (),
) -> HouseholdDues:
    """A household's dues for one period of ``schedule``, per line and per payer.

    Raises ``ScheduleError`` for an invalid schedule or subsidy, ``DuesError`` when
    the household lacks what the schedule needs or the dates are not one period.
    """
    plan = _plan(schedule, tuple(subsidies), period_start, period_end)
    lines = plan.lines(household)
    return HouseholdDues(
        household_id=household.id,
        currency=plan.cur.code,
        period_start=period_start,
        period_end=period_end,
        lines=tuple(lines),
        dues=plan.summary(lines),
    )


def compute_dues_many(
    *,
    schedule: Schedule,
    households: Iterable[Household],
    period_start: date,
    period_end: date,
    subsidies: Sequence[Subsidy] = (),
) -> DuesBatch:
    """Dues per payer and kind for many households: the bulk generation path.

    Households that look the same to the schedule (same categories, band, income,
    pro rata and subsidy conditions) share one computation, so a mutual of a
    million members costs a few distinct computations and one lookup per household.
    A household that cannot be computed is reported by its index; the others go on.
    """
    plan = _plan(schedule, tuple(subsidies), period_start, period_end)
    known = plan.signatures
    signature = plan.signature
    results: list[tuple[Id, tuple[PayerDue, ...]]] = []
    errors: list[tuple[int, DuesError]] = []
    append = results.append
    for index, household in enumerate(households):
        key = signature(household)
        dues = known.get(key)
        if dues is None:
            try:
                dues = plan.summary(plan.lines(household))
            except DuesError as exc:
                errors.append((index, exc))
                continue
            known[key] = dues
        append((household.id, dues))
    return DuesBatch(results, errors)
