"""Solidarity (DOMAIN §1): the gross never depends on age, sex or health.

Schedules are built as the app stores them (unsaved `Schedule` rows mapped to the
engine) with every kind, period and subsidy the app allows; two households that
differ only in their members' birth dates, sexes or pregnancies owe the same gross.
A subsidy for children under five only changes who pays, not what the cover costs.
"""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.contributions.mapping import engine_schedule
from mutualis.contributions.models import Schedule
from mutualis.engine import contributions as ec

D = Decimal
START, END = date(2026, 1, 1), date(2026, 12, 31)
CATEGORIES = ["formal", "informal", "indigent", "student", "other"]

amounts = st.integers(min_value=0, max_value=50_000).map(D)
schedules = st.builds(
    lambda kind, amount, cap, rate, varies: Schedule(
        name="s",
        kind=kind,
        currency="XOF",
        period="yearly",
        amount=amount,
        household_cap=cap if kind == "per_beneficiary_capped" else None,
        income_rate=D("0.05") if kind == "income_percentage" else None,
        floor=D(1000) if kind == "income_percentage" else None,
        ceiling=D(90000) if kind == "income_percentage" else None,
        varies_by="income_band" if kind == "income_bands" else varies,
        registration_fee=D(1000),
        membership_fee=D(500),
        renewal_discount=D(0),
        pro_rata="by_month",
    ),
    st.sampled_from(
        [
            "flat_per_person",
            "flat_per_household",
            "per_beneficiary_capped",
            "income_percentage",
            "income_bands",
        ]
    ),
    amounts,
    amounts,
    st.just(None),
    st.sampled_from(["", "category", "household_size"]),
)
people = st.lists(
    st.tuples(
        st.sampled_from(CATEGORIES),
        st.dates(date(1930, 1, 1), date(2026, 6, 1)),
        st.sampled_from(["F", "M"]),
        st.booleans(),
        st.one_of(st.none(), st.dates(START, END)),
    ),
    min_size=1,
    max_size=8,
)
other_traits = st.lists(
    st.tuples(
        st.dates(date(1930, 1, 1), date(2026, 6, 1)), st.sampled_from(["F", "M"]), st.booleans()
    ),
    min_size=8,
    max_size=8,
)


def rates_for(schedule: Schedule):
    if schedule.kind == "income_percentage":  # rates are shares of the income
        return {"category": [("formal", D("0.04"))], "household_size": [("4", D("0.03"))]}.get(
            schedule.varies_by, []
        )
    if schedule.varies_by == "income_band":
        return [("1", D(4000)), ("2", D(4000)), ("3", D(5000))]
    if schedule.varies_by == "category":
        return [("formal", D(7000)), ("indigent", D(3500))]
    if schedule.varies_by == "household_size":
        return [("1", D(3000)), ("4", D(2500))]
    return []


def household(members, traits):
    return ec.Household(
        id=1,
        beneficiaries=tuple(
            ec.Beneficiary(i, category=c, birth_date=b, sex=s, pregnant=p, covered_from=joined)
            for i, ((c, _b, _s, _p, joined), (b, s, p)) in enumerate(
                zip(members, traits, strict=False)
            )
        ),
        category=members[0][0],
        income_band="2",
        declared_income=D(600_000),
        enrolled_on=START,
    )


@settings(max_examples=150, deadline=None)
@given(schedule=schedules, members=people, traits=other_traits)
def test_members_differing_only_in_age_sex_or_health_owe_the_same_gross(schedule, members, traits):
    engine = engine_schedule(schedule, rates_for(schedule))
    subsidies = (
        ec.Subsidy(payer="7", share=D(1), under_age=5),
        ec.Subsidy(payer="8", share=D("0.5"), category="indigent"),
    )
    as_given = [(b, s, p) for _c, b, s, p, _j in members]

    one = ec.compute_dues(
        schedule=engine,
        household=household(members, as_given),
        period_start=START,
        period_end=END,
        subsidies=subsidies,
    )
    two = ec.compute_dues(
        schedule=engine,
        household=household(members, traits),
        period_start=START,
        period_end=END,
        subsidies=subsidies,
    )

    assert one.gross == two.gross
    assert [line.gross for line in one.lines] == [line.gross for line in two.lines]
