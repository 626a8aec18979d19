"""Good standing and the daily status run (DOMAIN §3, §5)."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualis.engine.contributions import DueKind
from mutualis.engine.payments import Due, Paid
from mutualis.engine.standing import (
    RWANDA_2026,
    CoveragePeriod,
    CoverStatus,
    CoverStep,
    HouseholdAccount,
    MembershipStatus,
    Reason,
    Renewal,
    StandingError,
    StatuteOptions,
    Target,
    apply_transitions,
    run_standing,
    run_standing_many,
    standing_on,
)

D = Decimal
START, EXPIRY = date(2026, 7, 1), date(2027, 6, 30)
ENROLLED = date(2026, 6, 15)
IDLE = CoveragePeriod("p1", "basic", START, EXPIRY, CoverStatus.IDLE, ENROLLED)


def yearly_due(*paid, amount=12000, payer="member"):
    return Due(
        id=1,
        kind=DueKind.CONTRIBUTION,
        due_date=START,
        amount=D(amount),
        paid=tuple(Paid(day, D(value)) for day, value in paid),
        period_start=START,
        period_end=EXPIRY,
        payer=payer,
    )


def account(*dues, periods=(IDLE,), membership=MembershipStatus.CANDIDATE, since=ENROLLED):
    return HouseholdAccount("h1", tuple(dues), tuple(periods), membership, since)


def covered(since):
    """The Rwanda household once 75% was paid on ``since``: active, owing the rest."""
    return {
        "periods": (replace(IDLE, status=CoverStatus.ACTIVE, since=since),),
        "membership": MembershipStatus.ACTIVE,
        "since": since,
    }


def moves(run):
    return [(t.target.value, t.effective, t.new_status, t.reason.value) for t in run.transitions]


def run(acc, on, options=RWANDA_2026):
    return run_standing(account=acc, on=on, options=options)


# --------------------------------------------------------------------------- cover start


def test_paying_75_percent_starts_cover_from_the_value_date_until_december():
    acc = account(yearly_due((date(2026, 7, 10), 9000)))

    result = run(acc, date(2026, 7, 11))

    assert moves(result) == [
        ("coverage_period", date(2026, 7, 10), "active", "cover_started"),
        ("membership", date(2026, 7, 10), "active", "cover_started"),
    ]
    assert result.transitions[0].params == {"paid_up_to": date(2026, 12, 31)}
    assert result.standing.paid_up_to == date(2026, 12, 31)


def test_less_than_the_share_starts_no_cover():
    result = run(account(yearly_due((date(2026, 7, 10), 8999))), date(2026, 7, 20))

    assert result.transitions == ()
    assert result.standing.paid_up_to is None
    assert result.standing.arrears_since == START


def test_paying_before_the_period_covers_from_its_start():
    result = run(account(yearly_due((date(2026, 6, 20), 12000))), date(2026, 7, 1))

    assert moves(result)[0] == ("coverage_period", START, "active", "cover_started")


def test_a_period_without_dues_yet_stays_idle():
    assert run(account(), date(2026, 8, 1)).transitions == ()


def test_a_household_whose_dues_are_all_paid_by_the_state_is_covered_from_the_start():
    acc = account(yearly_due(payer="state"))

    result = run(acc, date(2026, 7, 3))

    assert moves(result)[0] == ("coverage_period", START, "active", "cover_started")


# --------------------------------------------------------------------------- arrears


def test_the_rest_is_owed_from_january_and_suspends_after_grace():
    acc = account(yearly_due((date(2026, 7, 10), 9000)), **covered(date(2026, 7, 10)))

    in_grace = run(acc, date(2027, 1, 30))
    late = run(acc, date(2027, 2, 5))

    assert in_grace.transitions == ()
    assert in_grace.standing.good is True
    assert in_grace.standing.arrears_since == date(2027, 1, 1)
    assert moves(late) == [
        ("coverage_period", date(2027, 2, 1), "suspended", "arrears"),
        ("membership", date(2027, 2, 1), "suspended", "arrears"),
    ]
    assert late.transitions[0].params == {
        "arrears_since": date(2027, 1, 1),
        "grace_days": 30,
        "overdue": D(3000),
    }
    assert late.standing.good is False


def test_a_late_payment_reactivates_from_its_value_date_and_flags_the_gap():
    suspended_on = date(2027, 2, 1)
    acc = account(
        yearly_due((date(2026, 7, 10), 9000), (date(2027, 2, 10), 3000)),
        periods=(replace(IDLE, status=CoverStatus.SUSPENDED, since=suspended_on),),
        membership=MembershipStatus.SUSPENDED,
        since=suspended_on,
    )

    result = run(acc, date(2027, 2, 20))

    assert moves(result) == [
        ("coverage_period", date(2027, 2, 10), "active", "reactivated"),
        ("membership", date(2027, 2, 10), "active", "reactivated"),
    ]
    assert result.transitions[0].uncovered == (date(2027, 2, 10), date(2027, 2, 20))


def test_a_payment_recorded_after_the_suspension_but_paid_in_grace_undoes_it():
    suspended_on = date(2027, 2, 1)
    acc = account(
        yearly_due((date(2026, 7, 10), 9000), (date(2027, 1, 25), 3000)),
        periods=(replace(IDLE, status=CoverStatus.SUSPENDED, since=suspended_on),),
        membership=MembershipStatus.SUSPENDED,
        since=suspended_on,
    )

    result = run(acc, date(2027, 2, 3))

    assert result.transitions[0].effective == suspended_on
    assert result.transitions[0].uncovered == (suspended_on, date(2027, 2, 3))


def test_a_missed_run_replays_suspension_then_reactivation_in_order():
    acc = account(
        yearly_due((date(2026, 7, 10), 9000), (date(2027, 3, 1), 3000)),
        **covered(date(2026, 7, 10)),
    )

    result = run(acc, date(2027, 3, 5))

    assert moves(result) == [
        ("coverage_period", date(2027, 2, 1), "suspended", "arrears"),
        ("membership", date(2027, 2, 1), "suspended", "arrears"),
        ("coverage_period", date(2027, 3, 1), "active", "reactivated"),
        ("membership", date(2027, 3, 1), "active", "reactivated"),
    ]


def test_a_reversed_payment_puts_the_household_back_in_arrears():
    acc = account(
        yearly_due((date(2026, 7, 10), 12000), (date(2026, 9, 1), -12000)),
        **covered(date(2026, 7, 10)),
    )

    result = run(acc, date(2026, 9, 2))

    assert moves(result)[0] == ("coverage_period", date(2026, 9, 1), "suspended", "arrears")


def test_arrears_of_a_third_party_never_suspend_the_household():
    acc = account(
        yearly_due((date(2026, 7, 10), 3000), amount=3000),
        yearly_due(amount=1000, payer="state"),
        **covered(date(2026, 7, 10)),
    )

    assert run(acc, date(2027, 3, 1)).transitions == ()


def test_n_months_of_arrears_strike_the_member_off_and_end_cover():
    options = replace(RWANDA_2026, strike_off_months=3)
    acc = account(yearly_due((date(2026, 7, 10), 9000)), **covered(date(2026, 7, 10)))

    result = run(acc, date(2027, 4, 15), options)

    assert moves(result) == [
        ("coverage_period", date(2027, 2, 1), "suspended", "arrears"),
        ("membership", date(2027, 2, 1), "suspended", "arrears"),
        ("membership", date(2027, 4, 1), "excluded", "struck_off_arrears"),
        ("coverage_period", date(2027, 4, 1), "expired", "struck_off_arrears"),
    ]
    assert result.transitions[2].params["months"] == 3
    assert result.renewals == ()


def test_payments_after_striking_off_do_not_reactivate():
    options = replace(RWANDA_2026, strike_off_months=3)
    acc = account(
        yearly_due((date(2026, 7, 10), 9000), (date(2027, 5, 1), 3000)),
        periods=(replace(IDLE, status=CoverStatus.EXPIRED, since=date(2027, 4, 1)),),
        membership=MembershipStatus.EXCLUDED,
        since=date(2027, 4, 1),
    )

    assert run(acc, date(2027, 5, 2), options).transitions == ()


def test_a_deceased_member_gets_no_new_cover():
    acc = account(
        yearly_due((date(2026, 7, 10), 12000)),
        membership=MembershipStatus.DECEASED,
        since=date(2026, 7, 1),
    )

    assert run(acc, date(2026, 7, 20)).transitions == ()


# --------------------------------------------------------------------------- expiry, renewal


def test_renewal_is_proposed_before_expiry():
    acc = account(yearly_due((date(2026, 7, 10), 12000)), **covered(date(2026, 7, 10)))

    early, near = run(acc, date(2027, 5, 1)), run(acc, date(2027, 6, 10))

    assert early.renewals == ()
    assert near.renewals == (Renewal("p1", "basic", date(2027, 7, 1), date(2028, 6, 30)),)
    assert near.transitions == ()


def test_a_period_expires_the_day_after_its_expiry():
    acc = account(yearly_due((date(2026, 7, 10), 12000)), **covered(date(2026, 7, 10)))

    result = run(acc, date(2027, 7, 2))

    assert moves(result) == [("coverage_period", date(2027, 7, 1), "expired", "expired")]
    assert result.transitions[0].params == {"expiry": EXPIRY}
    assert [r.start for r in result.renewals] == [date(2027, 7, 1)]


def test_a_renewal_paid_in_advance_takes_over_without_a_gap():
    next_start, next_expiry = date(2027, 7, 1), date(2028, 6, 30)
    renewed = CoveragePeriod("p2", "basic", next_start, next_expiry, CoverStatus.IDLE, EXPIRY)
    next_due = Due(
        2,
        DueKind.CONTRIBUTION,
        next_start,
        D(12000),
        paid=(Paid(date(2027, 6, 1), D(12000)),),
        period_start=next_start,
        period_end=next_expiry,
    )
    acc = account(yearly_due((date(2026, 7, 10), 12000)), next_due, **covered(date(2026, 7, 10)))
    acc = replace(acc, periods=(*acc.periods, renewed))

    result = run(acc, date(2027, 7, 1))

    assert moves(result) == [
        ("coverage_period", next_start, "expired", "expired"),
        ("coverage_period", next_start, "active", "cover_started"),
    ]
    assert result.renewals == ()


def test_monthly_renewal_has_the_same_length():
    period = CoveragePeriod(
        "m", "basic", date(2026, 1, 1), date(2026, 3, 31), CoverStatus.ACTIVE, date(2026, 1, 1)
    )
    acc = account(periods=(period,), membership=MembershipStatus.ACTIVE, since=date(2026, 1, 1))

    result = run(acc, date(2026, 3, 20), StatuteOptions())

    assert result.renewals == (Renewal("m", "basic", date(2026, 4, 1), date(2026, 6, 30)),)


# --------------------------------------------------------------------------- standing_on


def monthly_dues(paid):
    """January to June 2026, 1,000 due on the 5th; ``paid`` maps month -> value date."""
    dues = []
    for month in range(1, 7):
        start = date(2026, month, 1)
        end = date(2026, month + 1, 1) - timedelta(days=1)
        payments = (Paid(paid[month], D(1000)),) if month in paid else ()
        dues.append(
            Due(month, DueKind.CONTRIBUTION, date(2026, month, 5), D(1000), payments, start, end)
        )
    return dues


def test_standing_paid_up_to_date():
    dues = monthly_dues({1: date(2026, 1, 3), 2: date(2026, 2, 2), 3: date(2026, 3, 4)})

    standing = standing_on(dues=dues, on=date(2026, 3, 20), options=StatuteOptions(grace_days=15))

    assert standing.good is True
    assert standing.paid_up_to == date(2026, 3, 31)
    assert standing.arrears_since is None
    assert standing.overdue == D(0)


def test_standing_within_grace_then_not():
    dues = monthly_dues({1: date(2026, 1, 3), 2: date(2026, 2, 2)})
    options = StatuteOptions(grace_days=15)

    within = standing_on(dues=dues, on=date(2026, 3, 20), options=options)
    after = standing_on(dues=dues, on=date(2026, 3, 21), options=options)

    assert within.good is True
    assert after.good is False
    assert after.arrears_since == date(2026, 3, 5)
    assert after.paid_up_to == date(2026, 2, 28)
    assert after.overdue == D(1000)


def test_standing_counts_only_payments_value_dated_by_then():
    dues = monthly_dues({1: date(2026, 4, 1)})
    options = StatuteOptions(grace_days=0)

    before = standing_on(dues=dues, on=date(2026, 3, 31), options=options)
    after = standing_on(dues=dues, on=date(2026, 4, 1), options=options)

    assert before.arrears_since == date(2026, 1, 5)
    assert before.overdue == D(3000)
    assert after.arrears_since == date(2026, 2, 5)


def test_an_unpaid_fee_counts_against_standing():
    fee = Due(9, DueKind.MEMBERSHIP_FEE, date(2026, 1, 1), D(500))
    dues = [*monthly_dues({1: date(2026, 1, 3)}), fee]

    standing = standing_on(dues=dues, on=date(2026, 1, 31), options=StatuteOptions(grace_days=15))

    assert standing.good is False
    assert standing.arrears_since == date(2026, 1, 1)
    assert standing.paid_up_to == date(2026, 1, 31)


def test_statute_options_are_checked():
    with pytest.raises(StandingError):
        StatuteOptions(grace_days=-1)
    with pytest.raises(StandingError):
        StatuteOptions(cover_steps=(CoverStep(D("1.5"), 6),))
    with pytest.raises(StandingError):
        StatuteOptions(strike_off_months=0)


# --------------------------------------------------------------------------- many households


def test_many_households_report_only_those_with_something_to_apply():
    quiet = account(yearly_due((date(2026, 7, 10), 12000)), **covered(date(2026, 7, 10)))
    starting = replace(account(yearly_due((date(2026, 7, 10), 9000))), household_id="h2")

    runs = run_standing_many(accounts=[quiet, starting], on=date(2026, 8, 1), options=RWANDA_2026)

    assert [r.household_id for r in runs] == ["h2"]


def test_a_second_run_on_the_same_day_changes_nothing():
    acc = account(yearly_due((date(2026, 7, 10), 9000)))
    first = run(acc, date(2027, 3, 1))

    second = run(apply_transitions(acc, first.transitions), date(2027, 3, 1))

    assert first.transitions
    assert second.transitions == ()


# --------------------------------------------------------------------------- properties

YEAR_2026 = CoveragePeriod(
    "y", "basic", date(2026, 1, 1), date(2026, 12, 31), CoverStatus.IDLE, date(2025, 12, 20)
)


def monthly_year(payments):
    """12 dues of 1,000 due on the 5th; payments (value date, amount) allocated oldest first."""
    owed = [D(1000)] * 12
    paid: list[list[Paid]] = [[] for _ in range(12)]
    for day, amount in sorted(payments):
        left = D(amount)
        for month in range(12):
            part = min(owed[month], left)
            if part > 0:
                paid[month].append(Paid(day, part))
                owed[month] -= part
                left -= part
    return tuple(
        Due(
            month + 1,
            DueKind.CONTRIBUTION,
            date(2026, month + 1, 5),
            D(1000),
            tuple(paid[month]),
            date(2026, month + 1, 1),
            date(2026, month + 2, 1) - timedelta(days=1) if month < 11 else date(2026, 12, 31),
        )
        for month in range(12)
    )


payment_lists = st.lists(
    st.tuples(st.dates(date(2025, 12, 1), date(2026, 12, 31)), st.integers(100, 4000)),
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(
    payments=payment_lists,
    grace=st.integers(0, 45),
    strike=st.none() | st.integers(2, 4),
    steps=st.sampled_from([(), (CoverStep(D("0.5"), 1),)]),
)
def test_one_late_run_finds_what_daily_runs_found(payments, grace, strike, steps):
    options = StatuteOptions(grace_days=grace, strike_off_months=strike, cover_steps=steps)
    dues = monthly_year(payments)
    start = HouseholdAccount(
        "h", dues, (YEAR_2026,), MembershipStatus.CANDIDATE, date(2025, 12, 20)
    )
    end = date(2027, 1, 10)

    daily, acc, day = [], start, date(2025, 12, 20)
    while day <= end:
        # Each day's run knows the payments value-dated up to that day.
        known = tuple(
            replace(d, paid=tuple(p for p in d.paid if p.value_date <= day)) for d in dues
        )
        result = run_standing(account=replace(acc, dues=known), on=day, options=options)
        daily.extend(result.transitions)
        acc = apply_transitions(acc, result.transitions)
        day += timedelta(days=1)
    late = run_standing(account=start, on=end, options=options)

    def key(transitions):
        return [(t.target, t.effective, t.new_status, t.reason) for t in transitions]

    assert key(late.transitions) == key(daily)


@settings(max_examples=60, deadline=None)
@given(
    payments=payment_lists,
    grace=st.integers(0, 45),
    on=st.dates(date(2026, 1, 1), date(2027, 1, 31)),
)
def test_cover_windows_lie_between_the_change_and_the_run(payments, grace, on):
    acc = HouseholdAccount(
        "h", monthly_year(payments), (YEAR_2026,), MembershipStatus.CANDIDATE, date(2025, 12, 20)
    )

    result = run_standing(account=acc, on=on, options=StatuteOptions(grace_days=grace))

    for change in result.transitions:
        assert change.effective <= on
        if change.target is Target.COVERAGE_PERIOD and change.new_status == CoverStatus.ACTIVE:
            first, last = change.uncovered
            assert first == change.effective <= last <= on
            assert change.reason in (Reason.COVER_STARTED, Reason.REACTIVATED)
