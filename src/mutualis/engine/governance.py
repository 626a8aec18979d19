"""Governance arithmetic (DOMAIN §1 and §10): quorum, majorities, elections, terms.

Pure functions, no Django, no clock: the General Assembly's figures in,
decisions out. The services of `mutualis.governance` load the records, call
these and save what they answer.

- Quorum: members present or represented ≥ the statute's fraction of the
  electorate ("la moitié au moins des membres"), rounded up to a whole member.
- Majorities (DOMAIN §10): simple = for > against; absolute = for > half of the
  votes cast; two-thirds = for ≥ ⅔ of the votes cast. Whether abstentions count
  as cast is a statute option. Nothing is adopted with no vote for it.
- Elections: plurality for the number of seats; a tie for the last seat is
  broken as the statutes say (eldest, longest-standing member) or left open
  for a new round.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction


class Majority(StrEnum):
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"


class TieBreak(StrEnum):
    ELDEST = "eldest"
    SENIORITY = "seniority"
    NEW_ROUND = "new_round"


QUORUM_FRACTIONS = ("0", "1/4", "1/3", "1/2", "2/3", "3/4")


def parse_fraction(text: str) -> Fraction:
    """ "1/2" → Fraction(1, 2); refuses anything outside [0, 1]."""
    value = Fraction(str(text).strip())
    if not 0 <= value <= 1:
        raise ValueError(f"a quorum is a fraction between 0 and 1, not {text!r}")
    return value


# --- Quorum ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    electorate: int
    present: int
    represented: int
    required: int

    @property
    def counted(self) -> int:
        return self.present + self.represented

    @property
    def reached(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> int:
        return max(0, self.required - self.counted)


def quorum_required(*, electorate: int, fraction: Fraction) -> int:
    """Members needed, present or represented: ⌈fraction × electorate⌉."""
    if electorate < 0:
        raise ValueError("electorate must not be negative")
    return math.ceil(fraction * electorate)


def compute_quorum(
    *, electorate: int, present: int, represented: int, fraction: Fraction
) -> Quorum:
    if present < 0 or represented < 0:
        raise ValueError("counts must not be negative")
    return Quorum(
        electorate=electorate,
        present=present,
        represented=represented,
        required=quorum_required(electorate=electorate, fraction=fraction),
    )


# --- Resolutions ----------------------------------------------------------------


@dataclass(frozen=True)
class VoteCount:
    votes_for: int
    against: int
    abstain: int

    def __post_init__(self):
        if min(self.votes_for, self.against, self.abstain) < 0:
            raise ValueError("vote counts must not be negative")

    @property
    def total(self) -> int:
        return self.votes_for + self.against + self.abstain


@dataclass(frozen=True)
class Outcome:
    adopted: bool
    cast: int
    needed: int  # smallest number of votes for that would have adopted it


def votes_cast(count: VoteCount, *, abstentions_count: bool) -> int:
    return count.total if abstentions_count else count.votes_for + count.against


def decide(count: VoteCount, *, majority: Majority | str, abstentions_count: bool) -> Outcome:
    """Is the resolution adopted under this majority rule? (DOMAIN §10)"""
    majority = Majority(majority)
    cast = votes_cast(count, abstentions_count=abstentions_count)
    if majority == Majority.SIMPLE:
        needed = count.against + 1
    elif majority == Majority.ABSOLUTE:
        # for > cast / 2, where `cast` includes the votes for themselves.
        others = cast - count.votes_for
        needed = others + 1
    else:
        # for ≥ ⅔ × cast ⇔ 3·for ≥ 2·(for + others) ⇔ for ≥ 2·others.
        others = cast - count.votes_for
        needed = max(1, 2 * others)
    needed = max(1, needed)
    return Outcome(adopted=count.votes_for >= needed, cast=cast, needed=needed)


def tally_fits(count: VoteCount, *, voting_power: int) -> bool:
    """A show of hands cannot count more votes than members present or represented."""
    return count.total <= voting_power


# --- Elections ------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateVotes:
    key: int  # the candidate's id
    votes: int
    birth: date | None = None  # for "the eldest wins"
    member_since: date | None = None  # for "the longest-standing member wins"


@dataclass(frozen=True)
class ElectionResult:
    elected: tuple[int, ...]
    tied: tuple[int, ...]  # candidates still tied for the remaining seats (new round)
    ranking: tuple[int, ...]
    tie_broken_by: str = ""

    @property
    def complete(self) -> bool:
        return not self.tied


def _tie_key(candidate: CandidateVotes, rule: TieBreak):
    if rule == TieBreak.ELDEST:
        return candidate.birth
    if rule == TieBreak.SENIORITY:
        return candidate.member_since
    return None


def elect(
    candidates: Sequence[CandidateVotes], *, seats: int, tie_break: TieBreak | str
) -> ElectionResult:
    """Plurality for `seats` seats; a tie across the last seat follows `tie_break`."""
    rule = TieBreak(tie_break)
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    ranked = sorted(candidates, key=lambda c: (-c.votes, c.key))
    ranking = tuple(c.key for c in ranked)
    with_votes = [c for c in ranked if c.votes > 0]
    if len(with_votes) <= seats:
        return ElectionResult(elected=tuple(c.key for c in with_votes), tied=(), ranking=ranking)
    boundary = with_votes[seats - 1].votes
    sure = [c for c in with_votes if c.votes > boundary]
    at_boundary = [c for c in with_votes if c.votes == boundary]
    open_seats = seats - len(sure)
    if len(at_boundary) == open_seats:
        return ElectionResult(
            elected=tuple(c.key for c in sure + at_boundary), tied=(), ranking=ranking
        )
    keys = [_tie_key(c, rule) for c in at_boundary]
    if rule == TieBreak.NEW_ROUND or any(k is None for k in keys):
        return ElectionResult(
            elected=tuple(c.key for c in sure),
            tied=tuple(c.key for c in at_boundary),
            ranking=ranking,
        )
    # Earliest date first (eldest, or member for longest); equal dates stay tied.
    ordered = sorted(at_boundary, key=lambda c: (_tie_key(c, rule), c.key))
    cut = _tie_key(ordered[open_seats - 1], rule)
    winners = [c for c in ordered if _tie_key(c, rule) < cut]
    still = [c for c in ordered if _tie_key(c, rule) == cut]
    if len(winners) + len(still) == open_seats:
        winners += still
        still = []
    return ElectionResult(
        elected=tuple(c.key for c in sure + winners),
        tied=tuple(c.key for c in still),
        ranking=ranking,
        tie_broken_by=rule.value,
    )


@dataclass(frozen=True)
class StationTally:
    ballots: int
    blank_or_spoilt: int
    votes: dict[int, int]  # candidate id → votes


def check_station_tally(tally: StationTally, *, seats: int) -> list[str]:
    """Problems in a polling station's count (codes), empty when it adds up."""
    problems = []
    if tally.ballots < 0 or tally.blank_or_spoilt < 0 or any(v < 0 for v in tally.votes.values()):
        problems.append("negative")
        return problems
    valid = tally.ballots - tally.blank_or_spoilt
    if valid < 0:
        problems.append("blank_above_ballots")
        return problems
    if any(v > valid for v in tally.votes.values()):
        problems.append("candidate_above_ballots")
    if sum(tally.votes.values()) > valid * seats:
        problems.append("votes_above_ballots")
    return problems


# --- Mandates, convocation, ages --------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def mandate_end(*, start: date, years: int) -> date:
    """A mandate of `years` years starting on `start` ends the day before the anniversary."""
    return add_years(start, years) - timedelta(days=1)


def consecutive_mandates(
    past: Sequence[tuple[date, date]], *, on: date, gap_days: int = 366
) -> int:
    """How many mandates in a row end at or shortly before `on` (a gap > `gap_days` breaks)."""
    count = 0
    cursor = on
    for start, end in sorted(past, key=lambda p: p[1], reverse=True):
        if (cursor - end).days > gap_days:
            break
        count += 1
        cursor = min(cursor, start)
    return count


def within_term_limit(past: Sequence[tuple[date, date]], *, on: date, limit: int | None) -> bool:
    """May this person stand again? `limit` consecutive mandates at most (None: no limit)."""
    if not limit:
        return True
    return consecutive_mandates(past, on=on) < limit


def latest_convocation_date(*, assembly_on: date, notice_days: int) -> date:
    return assembly_on - timedelta(days=notice_days)


def convened_in_time(*, sent_on: date, assembly_on: date, notice_days: int) -> bool:
    """The convocation must go out at least `notice_days` days before the GA."""
    return sent_on <= latest_convocation_date(assembly_on=assembly_on, notice_days=notice_days)


def age_on(
    *, on: date, birth_date: date | None = None, birth_year: int | None = None
) -> int | None:
    """Age in whole years on `on`; with only a year of birth, the age reached that year."""
    if birth_date is not None:
        return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return on.year - birth_year
    return None


def ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


# --- Card input at the check-in desk ----------------------------------------------


def number_from_scan(text: str) -> str:
    """The beneficiary number in what was typed or scanned.

    A plain number, or a card QR payload whose first field (before "|" or ".")
    is the number; spaces and dashes typed by hand are ignored.
    """
    text = (text or "").strip()
    for sep in ("|", "."):
        if sep in text:
            text = text.split(sep, 1)[0]
    return "".join(ch for ch in text if ch not in " -\u00a0").strip()
