"""Good standing and the daily status run of households (DOMAIN §3, §5).

This module owns:

- ``standing_on``: whether a household is in good standing at a date (every due
  paid, or still within the grace period), in arrears since when, and paid up to
  which date. Governance uses it for voting rights (DOMAIN §10), eligibility for
  "dues paid to date" (DOMAIN §5).
- ``run_standing``: the transitions the daily run applies to a household's
  membership and coverage periods, each with its effective date, new status and
  a reason code with parameters:

  * cover starts (idle -> active) once the configured share of the period's dues
    is paid, from the payment's value date (never before the period starts);
  * arrears suspend cover and membership once the grace period is over;
  * N months of arrears strike the member off (statutes);
  * periods expire; the next period is proposed for renewal;
  * a late payment reactivates from its value date, and the run reports the
    window of dates in which the household was wrongly treated as uncovered, so
    claims rejected as ``not_covered`` there are adjudicated again.
- ``run_standing_many``: the same over many households, cheaply.

Partial payment gives partial cover (``CoverStep``): Rwanda 2026, paying 75% of
the yearly dues covers July to December; the rest is owed from January.
Only the household's own dues (payer ``MEMBER``) count: a third party paying
late never suspends a household (DOMAIN §5, subsidies tracked per payer).
A run never dates a transition before the current status's own date: history
before it is kept as it was recorded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from mutualis.engine.contributions import (
    MEMBER,
    ZERO,
    DueKind,
    Id,
    RuleError,
    add_months,
)
from mutualis.engine.payments import Due

DAY = timedelta(days=1)


class StandingError(RuleError):
    code = "standing_invalid"


class CoverStatus(StrEnum):
    """Status of a coverage period (openIMIS policy statuses)."""

    IDLE = "idle"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class MembershipStatus(StrEnum):
    CANDIDATE = "candidate"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RESIGNED = "resigned"
    EXCLUDED = "excluded"
    DECEASED = "deceased"


ENDED = frozenset({MembershipStatus.RESIGNED, MembershipStatus.EXCLUDED, MembershipStatus.DECEASED})


class Target(StrEnum):
    MEMBERSHIP = "membership"
    COVERAGE_PERIOD = "coverage_period"


class Reason(StrEnum):
    COVER_STARTED = "cover_started"
    ARREARS = "arrears"
    REACTIVATED = "reactivated"
    EXPIRED = "expired"
    STRUCK_OFF = "struck_off_arrears"


@dataclass(frozen=True, slots=True)
class CoverStep:
    """Paying ``share`` of a contribution covers its first ``months`` months."""

    share: Decimal
    months: int


@dataclass(frozen=True, slots=True)
class StatuteOptions:
    """What the statutes say about dues and cover (DOMAIN §3, §5).

    Paying a contribution in full always covers its whole period; ``cover_steps``
    add partial cover for partial payment. ``strike_off_months`` None: never.
    """

    grace_days: int = 30
    cover_steps: tuple[CoverStep, ...] = ()
    strike_off_months: int | None = None
    renewal_lead_days: int = 30
    auto_renew: bool = True

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise StandingError(field="grace_days", value=self.grace_days)
        if self.strike_off_months is not None and self.strike_off_months <= 0:
            raise StandingError(field="strike_off_months", value=self.strike_off_months)
        for step in self.cover_steps:
            if not 0 < step.share <= 1 or step.months <= 0:
                raise StandingError(field="cover_steps", value=step)


RWANDA_2026 = StatuteOptions(cover_steps=(CoverStep(Decimal("0.75"), 6),))
"""Rwanda CBHI from July 2026: 75% of the yearly dues covers July to December."""


@dataclass(frozen=True, slots=True)
class CoveragePeriod:
    """A household x package cover (the openIMIS policy), its status since ``since``."""

    id: Id
    package: str
    start: date
    expiry: date
    status: CoverStatus
    since: date


@dataclass(frozen=True, slots=True)
class HouseholdAccount:
    """Everything the run needs about one household."""

    household_id: Id
    dues: tuple[Due, ...]
    periods: tuple[CoveragePeriod, ...]
    membership: MembershipStatus
    membership_since: date


@dataclass(frozen=True, slots=True)
class Standing:
    on: date
    good: bool
    arrears_since: date | None
    paid_up_to: date | None
    overdue: Decimal


@dataclass(frozen=True)
class Transition:
    """A status change to record: effective from ``effective``, with why.

    ``uncovered`` (first, last day) is set when cover (re)starts at a date before
    the run: claims rejected as ``not_covered`` in it must be adjudicated again.
    """

    target: Target
    target_id: Id
    effective: date
    old_status: str
    new_status: str
    reason: Reason
    params: dict[str, object] = field(default_factory=dict)
    uncovered: tuple[date, date] | None = None


@dataclass(frozen=True, slots=True)
class Renewal:
    """A coverage period to create (idle) after ``previous_id``."""

    previous_id: Id
    package: str
    start: date
    expiry: date


@dataclass(frozen=True, slots=True)
class StandingRun:
    household_id: Id
    transitions: tuple[Transition, ...]
    renewals: tuple[Renewal, ...]
    standing: Standing


# --------------------------------------------------------------------------- dues over time


class _DueView:
    """One due's payments as a step function of the date: what was paid by then."""

    __slots__ = ("amount", "contribution", "dates", "due", "end", "full_from", "steps", "sums")

    def __init__(self, due: Due, steps: tuple[CoverStep, ...]) -> None:
        self.due = due
        self.amount = due.amount
        self.contribution = due.kind == DueKind.CONTRIBUTION and due.period_start is not None
        self.end = due.period_end
        payments = sorted(due.paid, key=lambda p: p.value_date)
        self.dates: list[date] = []
        self.sums: list[Decimal] = []
        total = ZERO
        for paid in payments:
            total += paid.amount
            if self.dates and self.dates[-1] == paid.value_date:
                self.sums[-1] = total
            else:
                self.dates.append(paid.value_date)
                self.sums.append(total)
        # From when the due stays paid in full (a later reversal can undo it).
        self.full_from: date | None = None
        for day, paid_then in zip(reversed(self.dates), reversed(self.sums), strict=True):
            if paid_then < self.amount:
                break
            self.full_from = day
        if self.amount <= 0:
            self.full_from = date.min
        self.steps: list[tuple[Decimal, date]] = []
        if self.contribution:
            start, end = due.period_start, due.period_end
            for step in sorted(steps, key=lambda s: s.share):
                until = min(add_months(start, step.months) - DAY, end)
                self.steps.append((self.amount * step.share, until))

    def paid_on(self, day: date) -> Decimal:
        index = bisect_right(self.dates, day)
        return self.sums[index - 1] if index else ZERO

    def owed(self, paid: Decimal) -> tuple[date | None, date | None]:
        """(owed since, covered until) once ``paid`` is paid; owed since None when in full."""
        if paid >= self.amount:
            return None, self.end
        covered = None
        for need, until in self.steps:
            if paid >= need:
                covered = until
        due_date = self.due.due_date
        if covered is None:
            return due_date, None
        return max(due_date, covered + DAY), covered

    def state(self, day: date) -> tuple[date | None, date | None]:
        """(owed since, covered until) at ``day``, from payments value-dated by then."""
        if self.full_from is not None and day >= self.full_from:
            return None, self.end
        return self.owed(self.paid_on(day))

    def alarms(self, low: date, grace: timedelta, strike: int | None) -> Iterable[date]:
        """Days from ``low`` when this due puts the household past grace, or N months late.

        Between two value dates what is paid is constant, so each stretch has at
        most one such day per rule: the later of the rule's date and the stretch's start.
        """
        starts = [date.min, *self.dates]
        paid = [ZERO, *self.sums]
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else date.max
            if end <= low:
                continue
            owed, _ = self.owed(paid[index])
            if owed is None:
                continue
            rules = [owed + grace + DAY]
            if strike:
                rules.append(add_months(owed, strike))
            for day in rules:
                day = max(day, start)
                if day < end:
                    yield day


def _paid_up_to(views: list[_DueView], states: dict[int, tuple]) -> date | None:
    """End of the unbroken run of covered contributions, oldest first."""
    up_to = None
    for view in views:
        if up_to is not None and view.due.period_start > up_to + DAY:
            break
        owed, covered = states[id(view)]
        if covered is None:
            break
        up_to = covered
        if owed is not None:
            break
    return up_to


class _Facts:
    __slots__ = ("arrears_since", "good", "overdue", "states")

    def __init__(self, views: list[_DueView], day: date, grace: int) -> None:
        self.states: dict[int, tuple] = {}
        self.good = True
        self.arrears_since: date | None = None
        self.overdue = ZERO
        for view in views:
            owed, covered = view.state(day)
            self.states[id(view)] = (owed, covered)
            if owed is None or owed > day:
                continue
            if (day - owed).days > grace:
                self.good = False
            if self.arrears_since is None or owed < self.arrears_since:
                self.arrears_since = owed
            self.overdue += view.amount - view.paid_on(day)


def _member_views(dues: Iterable[Due], steps: tuple[CoverStep, ...]) -> list[_DueView]:
    views = [_DueView(due, steps) for due in dues if due.payer == MEMBER]
    views.sort(key=lambda v: (v.due.period_start or v.due.due_date, v.due.due_date))
    return views


def _standing(views: list[_DueView], on: date, grace: int) -> Standing:
    facts = _Facts(views, on, grace)
    contributions = [v for v in views if v.contribution]
    return Standing(
        on=on,
        good=facts.good,
        arrears_since=facts.arrears_since,
        paid_up_to=_paid_up_to(contributions, facts.states),
        overdue=facts.overdue,
    )


def standing_on(*, dues: Iterable[Due], on: date, options: StatuteOptions) -> Standing:
    """Standing of a household at ``on``, from payments value-dated on or before it.

    Good standing: every due of the household is paid, or owed for no more than
    the grace period. ``paid_up_to``: end of the unbroken run of covered
    contributions. Third-party dues are ignored.
    """
    return _standing(_member_views(dues, options.cover_steps), on, options.grace_days)


# --------------------------------------------------------------------------- the run


def _period_length(period: CoveragePeriod) -> tuple[int, int]:
    """(months, days) of a period: whole months when it is a whole number of them."""
    after = period.expiry + DAY
    months = (after.year - period.start.year) * 12 + after.month - period.start.month
    if months > 0 and add_months(period.start, months) == after:
        return months, 0
    return 0, (after - period.start).days


def _renewals(periods, membership, on, options) -> tuple[Renewal, ...]:
    if not options.auto_renew or membership not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.SUSPENDED,
    ):
        return ()
    latest: dict[str, CoveragePeriod] = {}
    for period in periods:
        known = latest.get(period.package)
        if known is None or period.start > known.start:
            latest[period.package] = period
    renewals = []
    for package, period in latest.items():
        if period.status is CoverStatus.EXPIRED and period.since <= period.expiry:
            continue  # ended early (struck off), not by time
        if (period.expiry - on).days > options.renewal_lead_days:
            continue
        months, days = _period_length(period)
        start = period.expiry + DAY
        expiry = add_months(start, months) - DAY if months else start + timedelta(days=days - 1)
        renewals.append(Renewal(period.id, package, start, expiry))
    return tuple(renewals)


def run_standing(*, account: HouseholdAccount, on: date, options: StatuteOptions) -> StandingRun:
    """The transitions to apply to one household at the run of ``on``.

    Statuses move only at dates where the facts change (a value date, the end of
    a grace period, N months of arrears, a start or an expiry), so the run replays
    them in order from the oldest status date: a run skipped for days, or a
    payment recorded late, still gives the right effective dates.
    """
    run = _Run(account, options)
    transitions = _with_windows(run.replay(on), on)
    return StandingRun(
        household_id=account.household_id,
        transitions=tuple(transitions),
        renewals=_renewals(run.final_periods(), run.membership, on, options),
        standing=_standing(run.views, on, options.grace_days),
    )


class _Run:
    """One household's statuses, replayed date by date."""

    def __init__(self, account: HouseholdAccount, options: StatuteOptions) -> None:
        self.household_id = account.household_id
        self.options = options
        self.views = _member_views(account.dues, options.cover_steps)
        self.periods = list(account.periods)
        self.status = {p.id: CoverStatus(p.status) for p in self.periods}
        self.since = {p.id: p.since for p in self.periods}
        self.membership = MembershipStatus(account.membership)
        self.membership_since = account.membership_since
        # The household's contributions paying for each period; a period whose
        # contributions are all owed by third parties is covered from its start.
        contributions = [v for v in self.views if v.contribution]
        self.own: dict[Id, list[_DueView]] = {}
        self.subsidised: set[Id] = set()
        for period in self.periods:
            self.own[period.id] = [v for v in contributions if _pays_for(v.due, period)]
            if not self.own[period.id] and any(_pays_for(d, period) for d in account.dues):
                self.subsidised.add(period.id)
        self.changes: list[Transition] = []

    def final_periods(self) -> list[CoveragePeriod]:
        return [replace(p, status=self.status[p.id], since=self.since[p.id]) for p in self.periods]

    def replay(self, on: date) -> list[Transition]:
        live = [p for p in self.periods if self.status[p.id] is not CoverStatus.EXPIRED]
        starts = [self.since[p.id] for p in live]
        if self.membership not in ENDED:
            starts.append(self.membership_since)
        if not starts:
            return []
        grace = self.options.grace_days
        for day in self.candidate_days(live, min(starts), on):
            self.step(day, _Facts(self.views, day, grace), live)
        return self.changes

    def candidate_days(self, periods: list[CoveragePeriod], low: date, on: date) -> list[date]:
        """Every date in [low, on] where a status could change.

        Active statuses change only when arrears pass the grace period (or N
        months), or a period starts or expires; payments matter only from the
        first date a status could be other than active. So a household that pays
        on time costs a few evaluations, however long its history.
        """
        grace = timedelta(days=self.options.grace_days)
        days = {low, on}
        for period in periods:
            days.update((period.start, period.expiry + DAY, period.since))
        alarms: set[date] = set()
        for view in self.views:
            if view.full_from is None or view.full_from > low:
                alarms.update(view.alarms(low, grace, self.options.strike_off_months))
        days |= alarms
        waiting = [p.since for p in periods if self.status[p.id] is not CoverStatus.ACTIVE]
        if self.membership in (MembershipStatus.CANDIDATE, MembershipStatus.SUSPENDED):
            waiting.append(self.membership_since)
        waiting.extend(alarms)
        if waiting:
            first = max(low, min(waiting))
            for view in self.views:
                if view.full_from is None or view.full_from > first:
                    days.update(day for day in view.dates if day >= first)
        return sorted(d for d in days if low <= d <= on)

    def move_membership(self, day, new, reason, **params) -> None:
        self.changes.append(
            Transition(
                Target.MEMBERSHIP, self.household_id, day, self.membership, new, reason, params
            )
        )
        self.membership, self.membership_since = new, day

    def move_period(self, day, period, new, reason, **params) -> None:
        old = self.status[period.id]
        self.changes.append(
            Transition(Target.COVERAGE_PERIOD, period.id, day, old, new, reason, params)
        )
        self.status[period.id], self.since[period.id] = new, day

    def step(self, day: date, facts: _Facts, periods: list[CoveragePeriod]) -> None:
        """Apply the transitions that take effect on ``day``, given the facts then."""
        options = self.options
        arrears = {
            "arrears_since": facts.arrears_since,
            "grace_days": options.grace_days,
            "overdue": facts.overdue,
        }
        member_on = self.membership not in ENDED and day >= self.membership_since
        strike = options.strike_off_months
        struck = (
            member_on
            and strike is not None
            and self.membership in (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)
            and facts.arrears_since is not None
            and day >= add_months(facts.arrears_since, strike)
        )
        if struck:
            self.move_membership(
                day, MembershipStatus.EXCLUDED, Reason.STRUCK_OFF, months=strike, **arrears
            )

        started = False
        for period in periods:
            old = self.status[period.id]
            if old is CoverStatus.EXPIRED or day < self.since[period.id]:
                continue
            if day > period.expiry:
                self.move_period(
                    day, period, CoverStatus.EXPIRED, Reason.EXPIRED, expiry=period.expiry
                )
            elif struck:
                self.move_period(
                    day, period, CoverStatus.EXPIRED, Reason.STRUCK_OFF, months=strike, **arrears
                )
            elif self.membership in ENDED or day < period.start:
                continue
            elif old is CoverStatus.ACTIVE:
                if not facts.good:
                    self.move_period(day, period, CoverStatus.SUSPENDED, Reason.ARREARS, **arrears)
            elif facts.good:
                paid_up_to = _paid_up_to(self.own[period.id], facts.states)
                if old is CoverStatus.SUSPENDED:
                    reason = Reason.REACTIVATED
                elif period.id in self.subsidised or (paid_up_to is not None and paid_up_to >= day):
                    reason = Reason.COVER_STARTED
                else:
                    continue
                self.move_period(day, period, CoverStatus.ACTIVE, reason, paid_up_to=paid_up_to)
                started = True

        if not member_on or struck:
            return
        if self.membership is MembershipStatus.CANDIDATE and started:
            self.move_membership(day, MembershipStatus.ACTIVE, Reason.COVER_STARTED)
        elif self.membership is MembershipStatus.ACTIVE and not facts.good:
            self.move_membership(day, MembershipStatus.SUSPENDED, Reason.ARREARS, **arrears)
        elif self.membership is MembershipStatus.SUSPENDED and facts.good:
            self.move_membership(day, MembershipStatus.ACTIVE, Reason.REACTIVATED)


def _pays_for(due: Due, period: CoveragePeriod) -> bool:
    """Whether ``due`` is a contribution paying for ``period``."""
    if due.kind != DueKind.CONTRIBUTION:
        return False
    if due.coverage_period_id is not None:
        return due.coverage_period_id == period.id
    return (
        due.period_start is not None
        and due.period_start <= period.expiry
        and due.period_end >= period.start
    )


def _with_windows(transitions: list[Transition], on: date) -> list[Transition]:
    """Give each start of cover the days until the run (or the period's next change)."""
    out = []
    for index, change in enumerate(transitions):
        if change.target is Target.COVERAGE_PERIOD and change.new_status == CoverStatus.ACTIVE:
            last = on
            for later in transitions[index + 1 :]:
                if later.target is change.target and later.target_id == change.target_id:
                    last = min(on, later.effective - DAY)
                    break
            change = replace(change, uncovered=(change.effective, last))
        out.append(change)
    return out


def apply_transitions(
    account: HouseholdAccount, transitions: Iterable[Transition]
) -> HouseholdAccount:
    """``account`` with ``transitions`` recorded: what the next run starts from."""
    periods = {p.id: p for p in account.periods}
    membership, membership_since = account.membership, account.membership_since
    for change in transitions:
        if change.target is Target.MEMBERSHIP:
            membership, membership_since = MembershipStatus(change.new_status), change.effective
        else:
            periods[change.target_id] = replace(
                periods[change.target_id],
                status=CoverStatus(change.new_status),
                since=change.effective,
            )
    return replace(
        account,
        periods=tuple(periods.values()),
        membership=membership,
        membership_since=membership_since,
    )


def run_standing_many(
    *, accounts: Iterable[HouseholdAccount], on: date, options: StatuteOptions
) -> list[StandingRun]:
    """``run_standing`` for many households; only those with something to apply."""
    runs = []
    for account in accounts:
        run = run_standing(account=account, on=on, options=options)
        if run.transitions or run.renewals:
            runs.append(run)
    return runs
