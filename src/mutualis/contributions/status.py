"""The daily status run (DOMAIN §3, §5): cover, grace, suspension, striking-off, renewal.

`daily_run` (the `mutualis daily --date D` command, and the manager's button) and
`status_refresh` (after a payment, for one household) share one set-based path:
load a chunk of households' memberships, coverage periods, dues and payments in a
few queries, ask `engine.standing.run_standing_many` for the transitions, then
write them in bulk: `MembershipStatusChange` and `CoverageChange` rows (the
household's dated, explained history), one status UPDATE per table and chunk
(UPDATE … FROM (VALUES …) on PostgreSQL), renewed coverage periods, and
`CoverReinstatement` rows for claims to adjudicate again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run
from mutualis.engine import standing as es
from mutualis.members.models import (
    ENDED,
    CoveragePeriod,
    Household,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
)

from .credit import credit_apply
from .mapping import coverage_since, engine_dues, statute_options
from .models import CoverageChange, CoverReinstatement, Schedule

CHUNK = 2000


def mutual_today(mutual, now: datetime | None = None) -> date:
    """Today in the mutual's time zone (DOMAIN: "today" of a mutual)."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    return now.astimezone(ZoneInfo(mutual.time_zone)).date()


def main_schedule(mutual) -> Schedule | None:
    """The schedule whose statutes (grace, partial cover, striking-off) drive the run."""
    return (
        Schedule.objects.filter(mutual=mutual, is_active=True)
        # The schedule every household pays (no package) first, on both databases.
        .order_by(F("package_id").asc(nulls_first=True), "pk")
        .first()
    )


@dataclass
class RunCounts:
    households: int = 0
    membership_changes: int = 0
    coverage_changes: int = 0
    renewals: int = 0
    reinstatements: int = 0

    def add(self, other: RunCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _bulk_set_status(table: str, model, statuses: dict[int, str]) -> None:
    """Set many rows' status in one statement per chunk."""
    items = list(statuses.items())
    for start in range(0, len(items), 5000):
        chunk = items[start : start + 5000]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} t SET status = v.status "  # noqa: S608 (a model's table)
                    "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS status) v "
                    "WHERE t.id = v.id",
                    [[pk for pk, _s in chunk], [s for _pk, s in chunk]],
                )
        else:
            by_status: dict[str, list[int]] = defaultdict(list)
            for pk, status in chunk:
                by_status[status].append(pk)
            for status, pks in by_status.items():
                model.objects.filter(pk__in=pks).update(status=status)


def _note(params: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in params.items() if v is not None)


def _refresh_chunk(*, ids: list[int], on: date, options, actor=None) -> RunCounts:
    counts = RunCounts(households=len(ids))
    members = list(
        Membership.objects.filter(household_id__in=ids, joined_on__lte=on)
        .exclude(status__in=ENDED)
        .values_list("id", "household_id", "status", "joined_on", "is_adherent")
    )
    if not members:
        return counts
    by_household: dict[int, list[tuple]] = defaultdict(list)
    for row in members:
        by_household[row[1]].append(row)
    since_rows = (
        MembershipStatusChange.objects.filter(membership_id__in=[m[0] for m in members])
        .values("membership__household_id")
        .annotate(last=Max("effective_on"))
        .values_list("membership__household_id", "last")
    )
    member_since = dict(since_rows)
    periods = list(
        CoveragePeriod.objects.filter(household_id__in=ids).values_list(
            "id",
            "household_id",
            "package_id",
            "start_on",
            "expiry_on",
            "status",
            "enrolled_on",
            "membership_id",
        )
    )
    period_since = coverage_since([p[0] for p in periods])
    period_rows = {p[0]: p for p in periods}
    periods_by_household: dict[int, list[es.CoveragePeriod]] = defaultdict(list)
    for pk, hh, package, start, expiry, status, enrolled, _m in periods:
        since = period_since.get(pk) or (enrolled if status == "idle" else start)
        periods_by_household[hh].append(
            es.CoveragePeriod(pk, str(package), start, expiry, es.CoverStatus(status), since)
        )
    dues = engine_dues(list(by_household), on=on)

    accounts = []
    for hh, rows in by_household.items():
        head = next((r for r in rows if r[4]), rows[0])
        status = head[2]
        since = member_since.get(hh) or min(r[3] for r in rows)
        accounts.append(
            es.HouseholdAccount(
                household_id=hh,
                dues=tuple(dues.get(hh, ())),
                periods=tuple(periods_by_household.get(hh, ())),
                membership=es.MembershipStatus(status),
                membership_since=since,
            )
        )
    runs = es.run_standing_many(accounts=accounts, on=on, options=options)

    actor_id = actor.pk if getattr(actor, "pk", None) else None
    status_changes: list[MembershipStatusChange] = []
    member_status: dict[int, str] = {}
    cover_changes: list[CoverageChange] = []
    cover_status: dict[int, str] = {}
    renewals: list[CoveragePeriod] = []
    reinstated: list[CoverReinstatement] = []
    for run in runs:
        rows = by_household[run.household_id]
        for change in run.transitions:
            if change.target is es.Target.MEMBERSHIP:
                for m in rows:
                    status_changes.append(
                        MembershipStatusChange(
                            membership_id=m[0],
                            status=change.new_status,
                            effective_on=change.effective,
                            reason=str(change.reason),
                            note=_note(change.params),
                            actor_id=actor_id,
                        )
                    )
                    member_status[m[0]] = change.new_status
            else:
                cover_changes.append(
                    CoverageChange(
                        coverage_id=change.target_id,
                        household_id=run.household_id,
                        status=change.new_status,
                        effective_on=change.effective,
                        reason=str(change.reason),
                    )
                )
                cover_status[change.target_id] = change.new_status
                if change.uncovered and change.effective < on:
                    reinstated.append(
                        CoverReinstatement(
                            household_id=run.household_id,
                            covered_from=change.uncovered[0],
                            recorded_on=on,
                        )
                    )
        for renewal in run.renewals:
            previous = period_rows[renewal.previous_id]
            renewals.append(
                CoveragePeriod(
                    household_id=run.household_id,
                    membership_id=previous[7],
                    package_id=int(renewal.package),
                    enrolled_on=on,
                    start_on=renewal.start,
                    expiry_on=renewal.expiry,
                    status="idle",
                    renewal_of_id=renewal.previous_id,
                )
            )
    # Also activate candidates of households already active (joined after cover began).
    for hh, rows in by_household.items():
        head = next((r for r in rows if r[4]), rows[0])
        if head[2] == MembershipStatus.ACTIVE and head[0] not in member_status:
            for m in rows:
                if m[2] == MembershipStatus.CANDIDATE and m[0] not in member_status:
                    member_status[m[0]] = MembershipStatus.ACTIVE
                    status_changes.append(
                        MembershipStatusChange(
                            membership_id=m[0],
                            status=MembershipStatus.ACTIVE,
                            effective_on=max(m[3], member_since.get(hh) or m[3]),
                            reason="joined_covered_household",
                            actor_id=actor_id,
                        )
                    )

    MembershipStatusChange.objects.bulk_create(status_changes, batch_size=2000)
    _bulk_set_status(Membership._meta.db_table, Membership, member_status)
    CoverageChange.objects.bulk_create(cover_changes, batch_size=2000)
    _bulk_set_status(CoveragePeriod._meta.db_table, CoveragePeriod, cover_status)
    CoveragePeriod.objects.bulk_create(renewals, batch_size=2000, ignore_conflicts=False)
    CoverReinstatement.objects.bulk_create(reinstated, batch_size=2000)
    counts.membership_changes = len(status_changes)
    counts.coverage_changes = len(cover_changes)
    counts.renewals = len(renewals)
    counts.reinstatements = len(reinstated)
    return counts


def status_refresh(*, mutual, on: date, household_ids=None, actor=None) -> RunCounts:
    """Bring the statuses of some households (or all of the mutual) up to `on`."""
    options = statute_options(main_schedule(mutual))
    if household_ids is None:
        household_ids = list(
            Household.objects.filter(mutual=mutual).order_by("pk").values_list("pk", flat=True)
        )
    total = RunCounts()
    for start in range(0, len(household_ids), CHUNK):
        with transaction.atomic():
            total.add(
                _refresh_chunk(
                    ids=household_ids[start : start + CHUNK], on=on, options=options, actor=actor
                )
            )
    return total


def daily_run(*, actor, mutual, on: date) -> tuple[RunCounts, int]:
    """The daily run for a whole mutual; returns the counts and the batch log id."""
    if actor is not None:
        require(actor, Perm.ORG_MANAGE, on=mutual)
    options = statute_options(main_schedule(mutual))
    ids = list(Household.objects.filter(mutual=mutual).order_by("pk").values_list("pk", flat=True))
    total = RunCounts()
    with batch_run(
        actor=actor,
        kind="contributions.daily",
        organisation=mutual,
        parameters={"date": on.isoformat()},
        total=len(ids),
    ) as progress:
        # New dues of households holding credit are settled from it first, so the
        # statuses below see them paid.
        credit_apply(actor=actor, mutual=mutual, on=on)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            with transaction.atomic():
                total.add(_refresh_chunk(ids=chunk, on=on, options=options, actor=actor))
            progress.advance(len(chunk))
        batch_id = progress.log.pk
    audit_record(
        actor=actor,
        action="contributions.daily",
        organisation=mutual,
        data={"date": on.isoformat(), **total.__dict__},
    )
    return total, batch_id
