"""Quorum, majorities, elections and terms at their edges (DOMAIN §10). No database."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutualis.engine.governance import (
    CandidateVotes,
    Majority,
    StationTally,
    TieBreak,
    VoteCount,
    age_on,
    check_station_tally,
    compute_quorum,
    consecutive_mandates,
    convened_in_time,
    decide,
    elect,
    mandate_end,
    number_from_scan,
    parse_fraction,
    quorum_required,
    tally_fits,
    within_term_limit,
)

HALF = Fraction(1, 2)


# --- Quorum -------------------------------------------------------------------------


def test_half_of_an_even_electorate_is_reached_by_exactly_half():
    assert compute_quorum(electorate=100, present=40, represented=10, fraction=HALF).reached
    assert not compute_quorum(electorate=100, present=40, represented=9, fraction=HALF).reached


def test_half_of_an_odd_electorate_rounds_up_to_a_whole_member():
    assert quorum_required(electorate=101, fraction=HALF) == 51
    assert not compute_quorum(electorate=101, present=50, represented=0, fraction=HALF).reached
    assert compute_quorum(electorate=101, present=50, represented=1, fraction=HALF).reached


def test_two_thirds_quorum_needs_the_next_whole_member():
    assert quorum_required(electorate=10, fraction=parse_fraction("2/3")) == 7
    assert quorum_required(electorate=9, fraction=parse_fraction("2/3")) == 6


def test_no_quorum_at_second_call_is_always_reached():
    quorum = compute_quorum(electorate=500, present=0, represented=0, fraction=parse_fraction("0"))

    assert quorum.required == 0
    assert quorum.reached


def test_an_empty_electorate_needs_nobody_and_missing_is_never_negative():
    assert quorum_required(electorate=0, fraction=HALF) == 0
    assert compute_quorum(electorate=4, present=4, represented=0, fraction=HALF).missing == 0
    assert compute_quorum(electorate=4, present=1, represented=0, fraction=HALF).missing == 1


@pytest.mark.parametrize("bad", ["3/2", "-1/2", "2"])
def test_a_quorum_outside_zero_and_one_is_refused(bad):
    with pytest.raises(ValueError):
        parse_fraction(bad)


@given(st.integers(0, 10_000), st.sampled_from(["0", "1/4", "1/3", "1/2", "2/3", "3/4", "1"]))
def test_quorum_is_the_smallest_count_reaching_the_fraction(electorate, text):
    fraction = parse_fraction(text)
    required = quorum_required(electorate=electorate, fraction=fraction)

    assert required >= fraction * electorate
    assert required == 0 or required - 1 < fraction * electorate


# --- Majorities ---------------------------------------------------------------------


def test_simple_majority_needs_more_for_than_against():
    assert decide(VoteCount(11, 10, 50), majority="simple", abstentions_count=True).adopted
    assert not decide(VoteCount(10, 10, 0), majority="simple", abstentions_count=True).adopted


def test_absolute_majority_depends_on_whether_abstentions_are_cast():
    count = VoteCount(votes_for=30, against=20, abstain=15)

    assert not decide(count, majority="absolute", abstentions_count=True).adopted  # 30 ≤ 65/2
    assert decide(count, majority="absolute", abstentions_count=False).adopted  # 30 > 25


def test_absolute_majority_at_exactly_half_is_not_adopted():
    assert not decide(VoteCount(50, 50, 0), majority="absolute", abstentions_count=True).adopted
    assert decide(VoteCount(51, 49, 0), majority="absolute", abstentions_count=True).adopted
    assert not decide(VoteCount(50, 49, 1), majority="absolute", abstentions_count=True).adopted


def test_two_thirds_is_reached_at_exactly_two_thirds():
    assert decide(VoteCount(20, 10, 0), majority="two_thirds", abstentions_count=True).adopted
    assert not decide(VoteCount(19, 10, 0), majority="two_thirds", abstentions_count=True).adopted
    assert not decide(VoteCount(20, 10, 1), majority="two_thirds", abstentions_count=True).adopted
    assert decide(VoteCount(20, 10, 1), majority="two_thirds", abstentions_count=False).adopted


def test_nothing_is_adopted_without_a_single_vote_for():
    for majority in Majority:
        outcome = decide(VoteCount(0, 0, 12), majority=majority, abstentions_count=False)
        assert not outcome.adopted
        assert outcome.needed == 1


def test_the_outcome_says_how_many_votes_for_were_needed():
    outcome = decide(VoteCount(5, 3, 2), majority="two_thirds", abstentions_count=True)

    assert outcome.cast == 10
    assert outcome.needed == 10  # for ≥ 2 × (3 + 2)


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300), st.booleans())
def test_majority_rules_match_their_definitions(f, a, s, abst):
    count = VoteCount(f, a, s)
    cast = f + a + (s if abst else 0)

    assert decide(count, majority="simple", abstentions_count=abst).adopted == (f > a)
    assert decide(count, majority="absolute", abstentions_count=abst).adopted == (
        f > 0 and 2 * f > cast
    )
    assert decide(count, majority="two_thirds", abstentions_count=abst).adopted == (
        f > 0 and 3 * f >= 2 * cast
    )


def test_a_show_of_hands_cannot_exceed_the_voting_power():
    assert tally_fits(VoteCount(5, 3, 2), voting_power=10)
    assert not tally_fits(VoteCount(5, 3, 3), voting_power=10)


# --- Elections ----------------------------------------------------------------------


def c(key, votes, birth=None, since=None):
    return CandidateVotes(key=key, votes=votes, birth=birth, member_since=since)


def test_the_most_voted_fill_the_seats():
    result = elect([c(1, 10), c(2, 30), c(3, 20)], seats=2, tie_break="new_round")

    assert result.elected == (2, 3)
    assert result.complete
    assert result.ranking == (2, 3, 1)


def test_a_tie_for_the_last_seat_goes_to_the_eldest_when_the_statutes_say_so():
    result = elect(
        [c(1, 30), c(2, 20, birth=date(1980, 1, 1)), c(3, 20, birth=date(1970, 5, 5))],
        seats=2,
        tie_break=TieBreak.ELDEST,
    )

    assert result.elected == (1, 3)
    assert result.tie_broken_by == "eldest"


def test_a_tie_for_the_last_seat_goes_to_the_longest_standing_member():
    result = elect(
        [c(1, 20, since=date(2020, 1, 1)), c(2, 20, since=date(2015, 1, 1))],
        seats=1,
        tie_break="seniority",
    )

    assert result.elected == (2,)


def test_a_tie_without_a_rule_leaves_the_seat_to_a_new_round():
    result = elect([c(1, 30), c(2, 20), c(3, 20)], seats=2, tie_break="new_round")

    assert result.elected == (1,)
    assert set(result.tied) == {2, 3}
    assert not result.complete


def test_a_tie_between_twins_stays_open_even_under_eldest():
    twin = date(1975, 3, 3)
    result = elect([c(1, 20, birth=twin), c(2, 20, birth=twin)], seats=1, tie_break="eldest")

    assert result.elected == ()
    assert set(result.tied) == {1, 2}


def test_a_tie_inside_the_seats_needs_no_tie_break():
    result = elect([c(1, 20), c(2, 20), c(3, 5)], seats=2, tie_break="new_round")

    assert result.elected == (1, 2)
    assert result.complete


def test_candidates_without_votes_are_not_elected():
    result = elect([c(1, 3), c(2, 0)], seats=2, tie_break="new_round")

    assert result.elected == (1,)


def test_a_polling_station_count_must_add_up():
    ok = StationTally(ballots=100, blank_or_spoilt=4, votes={1: 60, 2: 36})

    assert check_station_tally(ok, seats=1) == []
    assert "candidate_above_ballots" in check_station_tally(
        StationTally(ballots=10, blank_or_spoilt=2, votes={1: 9}), seats=1
    )
    assert "votes_above_ballots" in check_station_tally(
        StationTally(ballots=10, blank_or_spoilt=0, votes={1: 8, 2: 8}), seats=1
    )
    assert check_station_tally(StationTally(10, 0, {1: 8, 2: 8}), seats=2) == []
    assert check_station_tally(StationTally(3, 4, {}), seats=1) == ["blank_above_ballots"]


# --- Mandates, terms, convocation ----------------------------------------------------


def test_a_three_year_mandate_ends_the_day_before_the_anniversary():
    assert mandate_end(start=date(2026, 6, 13), years=3) == date(2029, 6, 12)
    assert mandate_end(start=date(2024, 2, 29), years=1) == date(2025, 2, 27)


def test_consecutive_mandates_are_counted_back_from_the_election():
    past = [
        (date(2017, 6, 1), date(2020, 5, 31)),
        (date(2020, 6, 1), date(2023, 5, 31)),
        (date(2023, 6, 1), date(2026, 5, 31)),
    ]

    assert consecutive_mandates(past, on=date(2026, 6, 13)) == 3
    assert not within_term_limit(past, on=date(2026, 6, 13), limit=2)
    assert within_term_limit(past, on=date(2026, 6, 13), limit=4)
    assert within_term_limit(past, on=date(2026, 6, 13), limit=None)


def test_a_break_of_more_than_a_year_resets_the_count():
    past = [(date(2014, 6, 1), date(2017, 5, 31)), (date(2019, 6, 1), date(2022, 5, 31))]

    assert consecutive_mandates(past, on=date(2022, 6, 10)) == 1
    assert consecutive_mandates(past, on=date(2024, 6, 10)) == 0


def test_the_convocation_must_leave_the_notice_period():
    ga = date(2026, 6, 13)

    assert convened_in_time(sent_on=date(2026, 5, 29), assembly_on=ga, notice_days=15)
    assert not convened_in_time(sent_on=date(2026, 5, 30), assembly_on=ga, notice_days=15)


def test_age_from_a_date_or_only_a_year_of_birth():
    on = date(2026, 12, 31)

    assert age_on(on=date(2026, 6, 1), birth_date=date(1991, 6, 2)) == 34
    assert age_on(on=date(2026, 6, 2), birth_date=date(1991, 6, 2)) == 35
    assert age_on(on=on, birth_year=1990) == 36
    assert age_on(on=on) is None


@pytest.mark.parametrize(
    "typed, number",
    [
        ("1000017", "1000017"),
        ("  100 001-7 ", "1000017"),
        ("1000017|MAF|2|sig", "1000017"),
        ("1000017.eyJzIjoxfQ.sig", "1000017"),
        ("", ""),
    ],
)
def test_the_number_is_read_from_a_typed_or_scanned_card(typed, number):
    assert number_from_scan(typed) == number
