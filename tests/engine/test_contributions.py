"""Contribution schedules, solidarity, subsidies and dues (DOMAIN §1, §5)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.contributions import (
    MEMBER,
    Beneficiary,
    Category,
    DueKind,
    DuplicateRate,
    FloorAboveCeiling,
    Household,
    InvalidAmount,
    InvalidSubsidy,
    MissingField,
    MissingIncome,
    NegativeAmount,
    Period,
    PeriodMismatch,
    ProRata,
    Rate,
    RatesByRisk,
    Schedule,
    ScheduleKind,
    ScheduleUnknownCurrency,
    Subsidy,
    UnknownCriterion,
    UnknownIncomeBand,
    add_months,
    compute_dues,
    compute_dues_many,
    period_end,
    split_proportionally,
    validate_schedule,
)
from mutualis.engine.money import currency

D = Decimal
YEAR = (date(2026, 7, 1), date(2027, 6, 30))
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))

RWANDA_2026 = Schedule(
    kind=ScheduleKind.INCOME_BANDS,
    currency="RWF",
    period=Period.YEARLY,
    varies_by="income_band",
    rates=(
        Rate("1", D(4000)),
        Rate("2", D(4000)),
        Rate("3", D(5000)),
        Rate("4", D(8000)),
        Rate("5", D(20000)),
    ),
)
RWANDA_STATE = (
    Subsidy(payer="state", share=D(1), income_band="1"),
    Subsidy(payer="state", fixed=D(1000), income_band="2"),
)


def household(n=1, **kwargs):
    people = tuple(Beneficiary(id=i) for i in range(1, n + 1))
    return Household(id=kwargs.pop("id", 1), beneficiaries=people, **kwargs)


def dues(schedule, hh, period=YEAR, subsidies=()):
    return compute_dues(
        schedule=schedule,
        household=hh,
        period_start=period[0],
        period_end=period[1],
        subsidies=subsidies,
    )


def owed(result):
    return {(d.payer, d.kind.value): d.amount for d in result.dues}


# --------------------------------------------------------------------------- kinds


def test_flat_per_person_charges_each_beneficiary():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(7000))

    result = dues(schedule, household(3))

    assert [line.gross for line in result.lines] == [D(7000)] * 3
    assert [line.beneficiary_id for line in result.lines] == [1, 2, 3]
    assert owed(result) == {(MEMBER, "contribution"): D(21000)}


def test_senegal_cmu_state_pays_half_of_each_beneficiary():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(7000))
    half = (Subsidy(payer="state", share=D("0.5")),)

    result = dues(schedule, household(2), subsidies=half)

    assert result.lines[0].payers == ((MEMBER, D(3500)), ("state", D(3500)))
    assert owed(result) == {(MEMBER, "contribution"): D(7000), ("state", "contribution"): D(7000)}


def test_flat_per_household_is_one_line_whatever_the_size():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_HOUSEHOLD, currency="XOF", amount=D(15000))

    small, large = dues(schedule, household(1)), dues(schedule, household(9))

    assert small.gross == large.gross == D(15000)
    assert [line.beneficiary_id for line in large.lines] == [None]


def test_flat_per_household_may_vary_by_household_size():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD,
        currency="XOF",
        amount=D(10000),
        varies_by="household_size",
        rates=(Rate("4", D(15000)), Rate("7", D(20000))),
    )

    grosses = [dues(schedule, household(n)).gross for n in (1, 3, 4, 6, 7, 12)]

    assert grosses == [D(10000), D(10000), D(15000), D(15000), D(20000), D(20000)]


def test_per_beneficiary_is_capped_per_household():
    schedule = Schedule(
        kind=ScheduleKind.PER_BENEFICIARY_CAPPED,
        currency="XOF",
        amount=D(3000),
        household_cap=D(10000),
    )

    three, seven = dues(schedule, household(3)), dues(schedule, household(7))

    assert three.gross == D(9000)
    assert seven.gross == D(10000)
    assert sorted(line.gross for line in seven.lines) == [D(1428)] * 3 + [D(1429)] * 4


def test_income_percentage_with_floor_and_ceiling_per_period():
    schedule = Schedule(
        kind=ScheduleKind.INCOME_PERCENTAGE,
        currency="XOF",
        period=Period.MONTHLY,
        income_rate=D("0.035"),
        floor=D(2000),
        ceiling=D(15000),
    )

    def monthly(income):
        return dues(schedule, household(4, declared_income=D(income)), JANUARY).gross

    assert monthly(1_200_000) == D(3500)  # 3.5% of 100,000 a month
    assert monthly(240_000) == D(2000)  # floor
    assert monthly(12_000_000) == D(15000)  # ceiling


def test_income_percentage_rounds_to_cents_in_euros():
    schedule = Schedule(kind=ScheduleKind.INCOME_PERCENTAGE, currency="EUR", income_rate=D("0.025"))

    assert dues(schedule, household(1, declared_income=D("12345.67"))).gross == D("308.64")


def test_income_percentage_needs_a_declared_income():
    schedule = Schedule(kind=ScheduleKind.INCOME_PERCENTAGE, currency="XOF", income_rate=D("0.03"))

    with pytest.raises(MissingIncome) as err:
        dues(schedule, household(2, id=42))

    assert err.value.params == {"household_id": 42}


@pytest.mark.parametrize(
    ("band", "member", "state"),
    [("1", 0, 4000), ("2", 3000, 1000), ("3", 5000, 0), ("4", 8000, 0), ("5", 20000, 0)],
)
def test_rwanda_2026_income_bands_per_person_and_state_share(band, member, state):
    result = dues(RWANDA_2026, household(1, income_band=band), subsidies=RWANDA_STATE)

    assert result.payer_total(MEMBER) == D(member)
    assert result.payer_total("state") == D(state)
    assert result.gross == D(member + state)


def test_income_bands_refuse_a_household_without_a_known_band():
    with pytest.raises(UnknownIncomeBand) as err:
        dues(RWANDA_2026, household(2, id=7, income_band="9"))

    assert err.value.code == "dues_unknown_income_band"
    assert err.value.params == {"household_id": 7, "income_band": "9"}


def test_schedule_may_vary_by_member_category():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON,
        currency="XOF",
        amount=D(6000),
        varies_by="category",
        rates=(Rate(Category.STUDENT, D(3000)),),
    )
    people = (Beneficiary(1), Beneficiary(2, category=Category.STUDENT))

    result = dues(schedule, Household(id=1, beneficiaries=people))

    assert [line.gross for line in result.lines] == [D(6000), D(3000)]


# --------------------------------------------------------------------------- fees, discount


def test_registration_fee_is_due_only_in_the_period_of_enrolment():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD,
        currency="XOF",
        period=Period.MONTHLY,
        amount=D(1000),
        registration_fee=D(500),
    )

    joining = dues(schedule, household(2, enrolled_on=date(2026, 1, 10)), JANUARY)
    later = dues(schedule, household(2, enrolled_on=date(2025, 12, 10)), JANUARY)

    assert owed(joining)[(MEMBER, "registration_fee")] == D(500)
    assert (MEMBER, "registration_fee") not in owed(later)


def test_membership_fee_falls_in_the_fee_month_and_at_enrolment():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD,
        currency="XOF",
        period=Period.MONTHLY,
        amount=D(1000),
        membership_fee=D(200),
        membership_fee_month=1,
    )
    february = (date(2026, 2, 1), date(2026, 2, 28))

    def fee(period, enrolled):
        return owed(dues(schedule, household(1, enrolled_on=enrolled), period)).get(
            (MEMBER, "membership_fee")
        )

    assert fee(JANUARY, date(2020, 1, 1)) == D(200)
    assert fee(february, date(2020, 1, 1)) is None
    assert fee(february, date(2026, 2, 3)) == D(200)


def test_yearly_membership_fee_is_in_every_yearly_period():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD,
        currency="XOF",
        amount=D(10000),
        membership_fee=D(1000),
        membership_fee_month=7,
    )

    result = dues(schedule, household(1))

    assert [line.kind for line in result.lines] == [DueKind.CONTRIBUTION, DueKind.MEMBERSHIP_FEE]


def test_renewal_discount_lowers_contributions_not_fees():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON,
        currency="XOF",
        amount=D(5000),
        membership_fee=D(1000),
        membership_fee_month=7,
        renewal_discount=D("0.1"),
    )

    renewing = dues(schedule, household(2, renewing=True))
    first = dues(schedule, household(2))

    assert owed(renewing) == {
        (MEMBER, "contribution"): D(9000),
        (MEMBER, "membership_fee"): D(1000),
    }
    assert owed(first)[(MEMBER, "contribution")] == D(10000)


def test_fees_are_subsidised_only_when_the_subsidy_says_so():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON,
        currency="XOF",
        amount=D(4000),
        registration_fee=D(1000),
    )
    indigent = household(2, category=Category.INDIGENT, enrolled_on=YEAR[0])
    contributions_only = (Subsidy(payer="state", share=D(1), category=Category.INDIGENT),)
    everything = (replace(contributions_only[0], fees=True),)

    partly = owed(dues(schedule, indigent, subsidies=contributions_only))
    fully = owed(dues(schedule, indigent, subsidies=everything))

    assert partly == {
        (MEMBER, "registration_fee"): D(1000),
        ("state", "contribution"): D(8000),
    }
    assert fully == {("state", "registration_fee"): D(1000), ("state", "contribution"): D(8000)}


# --------------------------------------------------------------------------- subsidies


def test_child_under_five_is_paid_by_the_state_and_costs_the_same_gross():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(3000))
    people = (
        Beneficiary(1, birth_date=date(1990, 5, 1)),
        Beneficiary(2, birth_date=date(2022, 3, 1)),  # 4 on 1 July 2026
        Beneficiary(3, birth_date=date(2021, 6, 30)),  # 5 the day before
    )
    under_five = (Subsidy(payer="state", share=D(1), under_age=5),)

    result = dues(schedule, Household(id=1, beneficiaries=people), subsidies=under_five)

    assert [line.gross for line in result.lines] == [D(3000)] * 3
    assert [line.payers for line in result.lines] == [
        ((MEMBER, D(3000)),),
        (("state", D(3000)),),
        ((MEMBER, D(3000)),),
    ]


def test_pregnant_woman_subsidy_by_a_partner_and_state_in_order():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(5000))
    people = (Beneficiary(1, sex="F", pregnant=True),)
    subsidies = (
        Subsidy(payer="partner:unicef", fixed=D(2000), pregnant=True),
        Subsidy(payer="state", share=D("0.5")),
    )

    result = dues(schedule, Household(id=1, beneficiaries=people), subsidies=subsidies)

    assert result.lines[0].payers == (
        (MEMBER, D(500)),
        ("partner:unicef", D(2000)),
        ("state", D(2500)),
    )


def test_subsidies_never_pay_more_than_the_gross():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(3000))
    subsidies = (
        Subsidy(payer="state", share=D("0.8")),
        Subsidy(payer="partner", fixed=D(2000)),
    )

    result = dues(schedule, household(1), subsidies=subsidies)

    assert result.lines[0].payers == (("state", D(2400)), ("partner", D(600)))


def test_invalid_subsidies_are_refused():
    schedule = Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(3000))

    for subsidy in (
        Subsidy(payer="state"),
        Subsidy(payer="state", share=D("1.5")),
        Subsidy(payer="state", share=D(1), fixed=D(1)),
        Subsidy(payer=MEMBER, share=D(1)),
        Subsidy(payer="state", fixed=D(-1)),
    ):
        with pytest.raises(InvalidSubsidy):
            dues(schedule, household(1), subsidies=(subsidy,))


# --------------------------------------------------------------------------- pro rata


def yearly_per_person(method):
    return Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON,
        currency="XOF",
        period=Period.YEARLY,
        amount=D(12000),
        pro_rata=method,
    )


def newborn(on):
    return Household(id=1, beneficiaries=(Beneficiary(1), Beneficiary(2, covered_from=on)))


def test_without_pro_rata_a_newcomer_pays_the_whole_period():
    result = dues(yearly_per_person(ProRata.NONE), newborn(date(2027, 3, 15)))

    assert [line.gross for line in result.lines] == [D(12000), D(12000)]


def test_pro_rata_by_month_counts_the_month_of_joining():
    result = dues(yearly_per_person(ProRata.BY_MONTH), newborn(date(2027, 3, 15)))

    assert [line.gross for line in result.lines] == [D(12000), D(4000)]  # Mar-Jun


def test_pro_rata_by_day():
    result = dues(yearly_per_person(ProRata.BY_DAY), newborn(date(2027, 6, 1)))

    assert result.lines[1].gross == D(986)  # 12,000 x 30 / 365, rounded


def test_someone_covered_outside_the_period_owes_nothing():
    result = dues(yearly_per_person(ProRata.BY_DAY), newborn(date(2027, 7, 1)))

    assert [line.beneficiary_id for line in result.lines] == [1]


def test_pro_rata_scales_fixed_subsidies_like_the_line():
    schedule = replace(RWANDA_2026, pro_rata=ProRata.BY_MONTH)
    hh = replace(newborn(date(2027, 1, 5)), income_band="2")

    result = dues(schedule, hh, subsidies=RWANDA_STATE)

    assert result.lines[1].payers == ((MEMBER, D(1500)), ("state", D(500)))


def test_household_enrolled_mid_period_pays_pro_rata_per_household():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD,
        currency="XOF",
        amount=D(24000),
        pro_rata=ProRata.BY_MONTH,
    )

    assert dues(schedule, household(3, enrolled_on=date(2027, 1, 20))).gross == D(12000)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("name", "criterion"),
    [
        ("age", "age"),
        ("Age band", "age"),
        ("date_of_birth", "age"),
        ("sex", "sex"),
        ("gender", "sex"),
        ("health_status", "health"),
        ("pre-existing condition", "health"),
        ("pregnant", "health"),
    ],
)
def test_schedule_rating_by_age_sex_or_health_is_refused(name, criterion):
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON,
        currency="XOF",
        amount=D(5000),
        varies_by=name,
        rates=(Rate("x", D(8000)),),
    )

    with pytest.raises(RatesByRisk) as err:
        validate_schedule(schedule)

    assert err.value.code == "schedule_rates_by_risk"
    assert err.value.params == {"criterion": criterion}


def test_computing_dues_with_a_risk_rated_schedule_is_refused():
    schedule = Schedule(
        kind=ScheduleKind.FLAT_PER_HOUSEHOLD, currency="XOF", amount=D(1), varies_by="sex"
    )

    with pytest.raises(RatesByRisk):
        dues(schedule, household(1))


@pytest.mark.parametrize(
    ("changes", "error", "params"),
    [
        ({"amount": D(-1)}, NegativeAmount, {"field": "amount", "value": D(-1)}),
        (
            {"registration_fee": D(-5)},
            NegativeAmount,
            {"field": "registration_fee", "value": D(-5)},
        ),
        ({"amount": 10.5}, InvalidAmount, {"field": "amount", "value": 10.5}),
        ({"amount": D("NaN")}, InvalidAmount, None),
        ({"renewal_discount": D("1.2")}, InvalidAmount, None),
        ({"currency": "ZZZ"}, ScheduleUnknownCurrency, {"currency": "ZZZ"}),
        ({"varies_by": "shoe_size"}, UnknownCriterion, {"criterion": "shoe_size"}),
        (
            {"rates": (Rate("a", D(1)),)},
            MissingField,
            {"field": "varies_by", "kind": "flat_per_person"},
        ),
        (
            {"varies_by": "category", "rates": (Rate("a", D(1)), Rate("a", D(2)))},
            DuplicateRate,
            {"key": "a"},
        ),
        ({"varies_by": "household_size", "rates": (Rate("big", D(1)),)}, InvalidAmount, None),
        ({"membership_fee_month": 13}, InvalidAmount, None),
    ],
)
def test_invalid_schedules_are_refused_with_a_code(changes, error, params):
    schedule = replace(
        Schedule(kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", amount=D(100)), **changes
    )

    with pytest.raises(error) as err:
        validate_schedule(schedule)

    assert err.value.code.startswith("schedule_")
    if params is not None:
        assert err.value.params == params


def test_floor_above_ceiling_is_refused():
    schedule = Schedule(
        kind=ScheduleKind.INCOME_PERCENTAGE,
        currency="XOF",
        income_rate=D("0.03"),
        floor=D(5000),
        ceiling=D(4000),
    )

    with pytest.raises(FloorAboveCeiling) as err:
        validate_schedule(schedule)

    assert err.value.params == {"floor": D(5000), "ceiling": D(4000)}


def test_kinds_that_need_a_field_refuse_to_go_without_it():
    with pytest.raises(MissingField, match="household_cap"):
        validate_schedule(
            Schedule(kind=ScheduleKind.PER_BENEFICIARY_CAPPED, currency="XOF", amount=D(1))
        )
    with pytest.raises(MissingField, match="income_rate"):
        validate_schedule(Schedule(kind=ScheduleKind.INCOME_PERCENTAGE, currency="XOF"))
    with pytest.raises(MissingField, match="rates"):
        validate_schedule(Schedule(kind=ScheduleKind.INCOME_BANDS, currency="RWF"))


def test_dates_must_be_one_period_of_the_schedule():
    monthly = Schedule(
        kind=ScheduleKind.FLAT_PER_PERSON, currency="XOF", period=Period.MONTHLY, amount=D(1)
    )

    with pytest.raises(PeriodMismatch) as err:
        dues(monthly, household(1), (date(2026, 1, 1), date(2026, 3, 31)))

    assert err.value.code == "dues_period_mismatch"


def test_period_helpers():
    assert period_end(Period.QUARTERLY, date(2026, 1, 1)) == date(2026, 3, 31)
    assert period_end(Period.YEARLY, date(2026, 7, 1)) == date(2027, 6, 30)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -15) == date(2024, 12, 15)


# --------------------------------------------------------------------------- many households


def test_many_households_give_the_same_dues_as_one_by_one():
    schedule = replace(
        RWANDA_2026, pro_rata=ProRata.BY_MONTH, registration_fee=D(500), membership_fee=D(300)
    )
    subsidies = (*RWANDA_STATE, Subsidy(payer="unicef", share=D("0.5"), under_age=5))
    households = [
        Household(
            id=i,
            income_band=str(1 + i % 5),
            enrolled_on=date(2026, 7 + i % 6, 1) if i % 3 == 0 else None,
            beneficiaries=tuple(
                Beneficiary(
                    id=i * 10 + j,
                    birth_date=date(2024 - 7 * j, 1 + i % 12, 1),
                    covered_from=date(2026, 12, 1) if j == 3 else None,
                )
                for j in range(1 + i % 5)
            ),
        )
        for i in range(200)
    ]

    batch = compute_dues_many(
        schedule=schedule,
        households=households,
        period_start=YEAR[0],
        period_end=YEAR[1],
        subsidies=subsidies,
    )

    assert batch.errors == []
    assert batch.results == [
        (h.id, dues(schedule, h, subsidies=subsidies).dues) for h in households
    ]


def test_many_households_report_bad_rows_by_index_and_go_on():
    households = [household(1, id="a", income_band="2"), household(1, id="b", income_band="x")]

    batch = compute_dues_many(
        schedule=RWANDA_2026, households=households, period_start=YEAR[0], period_end=YEAR[1]
    )

    assert [hid for hid, _ in batch.results] == ["a"]
    assert [(index, err.code) for index, err in batch.errors] == [(1, "dues_unknown_income_band")]


def test_split_proportionally_sums_exactly():
    parts = split_proportionally(D(100), [D(1), D(1), D(1)], currency("XOF"))

    assert parts == [D(34), D(33), D(33)]


# --------------------------------------------------------------------------- properties

money = st.integers(min_value=0, max_value=50_000).map(D)
share = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100)
categories = st.sampled_from(list(Category))
bands = st.sampled_from(["1", "2", "3"])
periods = st.sampled_from(list(Period))


@st.composite
def schedules(draw):
    kind = draw(st.sampled_from(list(ScheduleKind)))
    criterion = (
        "income_band"
        if kind is ScheduleKind.INCOME_BANDS
        else draw(st.sampled_from([None, "category", "income_band", "household_size"]))
    )
    figure = share if kind is ScheduleKind.INCOME_PERCENTAGE else money
    keys = {
        None: [],
        "category": list(Category),
        "income_band": ["1", "2", "3"],
        "household_size": ["2", "4", "6"],
    }[criterion]
    rates = tuple(Rate(key, draw(figure)) for key in keys)
    floor = draw(st.none() | money)
    ceiling = draw(st.none() | money)
    if floor is not None and ceiling is not None and floor > ceiling:
        floor, ceiling = ceiling, floor
    return Schedule(
        kind=kind,
        currency=draw(st.sampled_from(["XOF", "EUR", "RWF"])),
        period=draw(periods),
        amount=draw(money),
        varies_by=criterion,
        rates=rates,
        household_cap=draw(money),
        income_rate=draw(share),
        floor=floor,
        ceiling=ceiling,
        registration_fee=draw(money),
        membership_fee=draw(money),
        renewal_discount=draw(share),
        pro_rata=draw(st.sampled_from(list(ProRata))),
    )


subsidy_lists = st.lists(
    st.builds(
        Subsidy,
        payer=st.sampled_from(["state", "partner"]),
        share=share,
        category=st.none() | categories,
        income_band=st.none() | bands,
        under_age=st.none() | st.integers(min_value=1, max_value=18),
        pregnant=st.none() | st.booleans(),
        fees=st.booleans(),
    ),
    max_size=3,
).map(tuple)

risk_attributes = st.fixed_dictionaries(
    {
        "birth_date": st.none() | st.dates(date(1930, 1, 1), date(2026, 6, 30)),
        "sex": st.sampled_from([None, "F", "M"]),
        "pregnant": st.booleans(),
    }
)


def period_of(schedule, start_month):
    start = date(2026, start_month, 1)
    return start, period_end(schedule.period, start)


@settings(max_examples=300, deadline=None)
@given(
    schedule=schedules(),
    subsidies=subsidy_lists,
    start_month=st.integers(1, 12),
    size=st.integers(1, 6),
    category=categories,
    band=bands,
    one=risk_attributes,
    other=risk_attributes,
)
def test_age_sex_and_health_never_change_the_gross(
    schedule, subsidies, start_month, size, category, band, one, other
):
    start, end = period_of(schedule, start_month)
    family = tuple(Beneficiary(id=i) for i in range(1, size))
    homes = [
        Household(
            id=1,
            beneficiaries=(*family, Beneficiary(id=size, category=category, **person)),
            income_band=band,
            declared_income=D(1_000_000),
            enrolled_on=start,
        )
        for person in (one, other)
    ]

    results = [
        compute_dues(
            schedule=schedule,
            household=home,
            period_start=start,
            period_end=end,
            subsidies=subsidies,
        )
        for home in homes
    ]

    first, second = ([(line.kind, line.gross) for line in r.lines] for r in results)
    assert first == second


@settings(max_examples=200, deadline=None)
@given(schedule=schedules(), subsidies=subsidy_lists, size=st.integers(0, 8), band=bands)
def test_payers_share_exactly_the_gross(schedule, subsidies, size, band):
    start, end = period_of(schedule, 1)
    home = household(size, income_band=band, declared_income=D("2500000"), enrolled_on=start)
    cur = currency(schedule.currency)

    result = compute_dues(
        schedule=schedule, household=home, period_start=start, period_end=end, subsidies=subsidies
    )

    for line in result.lines:
        assert sum(amount for _, amount in line.payers) == line.gross
        assert all(amount >= 0 and cur.quantize(amount) == amount for _, amount in line.payers)
    assert sum(d.amount for d in result.dues) == result.gross


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from([ProRata.BY_DAY, ProRata.BY_MONTH]),
    amount=money,
    joined=st.dates(date(2026, 7, 1), date(2027, 6, 30)),
    later=st.integers(0, 400),
)
def test_pro_rata_is_bounded_and_later_newcomers_never_pay_more(method, amount, joined, later):
    schedule = replace(yearly_per_person(method), amount=amount)

    def paid(on):
        lines = dues(schedule, newborn(on)).lines
        return lines[1].gross if len(lines) == 2 else D(0)

    early, late = paid(joined), paid(date.fromordinal(joined.toordinal() + later))
    assert D(0) <= late <= early <= amount
    assert paid(YEAR[0]) == amount


@settings(max_examples=100, deadline=None)
@given(amount=money, month=st.integers(1, 12))
def test_pro_rata_by_month_is_the_share_of_months_left(amount, month):
    schedule = replace(yearly_per_person(ProRata.BY_MONTH), amount=amount)
    joined = add_months(YEAR[0], month - 1)

    line = dues(schedule, newborn(joined)).lines[1]

    assert line.gross == currency("XOF").quantize(amount * (13 - month) / 12)
