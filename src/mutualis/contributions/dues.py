"""Dues generation for a whole mutual and period (`mutualis generate-dues --period 2026-11`).

Set-based: memberships are read with `values_list` in household order, turned into
the engine's `Household` dataclasses, computed with `compute_dues_many` (households
that look alike share one computation), and written in chunks — COPY into a
temporary table then one `INSERT … SELECT … ON CONFLICT DO NOTHING` on PostgreSQL,
`bulk_create(ignore_conflicts=True)` elsewhere. The unique constraints on `Due`
make it idempotent: running twice creates nothing more. Households that already
have their dues for the period are skipped before computing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run
from mutualis.engine import contributions as ec
from mutualis.members.models import ENDED, CoveragePeriod, Household, Membership

from .errors import NoSchedule, PeriodInvalid
from .mapping import engine_schedule, engine_subsidies, period_of
from .models import Due, DueKind, Schedule

CHUNK = 20000
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def parse_period(text: str) -> tuple[int, int]:
    """“2026-11” → (2026, 11); “2026” → (2026, 0): the year's first period."""
    match = _PERIOD.match((text or "").strip())
    if not match or not (match.group(2) is None or 1 <= int(match.group(2)) <= 12):
        raise PeriodInvalid(period=text, fields={"period": PeriodInvalid.message})
    return int(match.group(1)), int(match.group(2) or 0)


@dataclass
class DuesResult:
    created: int = 0
    skipped: int = 0
    households: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    periods: list[tuple[str, date, date]] = field(default_factory=list)
    batch_id: int | None = None


def dues_generate(
    *, actor, mutual, period: str, schedule: Schedule | None = None, chunk: int = CHUNK
) -> DuesResult:
    """Generate the dues of every active schedule of `mutual` for the period of `period`."""
    if actor is not None:
        require(actor, Perm.PAYMENT_RECORD, on=mutual)
    year, month = parse_period(period)
    schedules = (
        [schedule]
        if schedule is not None
        else list(Schedule.objects.filter(mutual=mutual, is_active=True).order_by("pk"))
    )
    if not schedules:
        raise NoSchedule()
    result = DuesResult()
    with batch_run(
        actor=actor,
        kind="contributions.generate_dues",
        organisation=mutual,
        parameters={"period": period},
    ) as progress:
        result.batch_id = progress.log.pk
        for sched in schedules:
            _generate_one(sched, year, month or sched.first_month, result, progress, chunk)
    audit_record(
        actor=actor,
        action="contributions.generate_dues",
        organisation=mutual,
        data={"period": period, "created": result.created, "failed": len(result.failed)},
    )
    return result


def _generate_one(sched: Schedule, year: int, month: int, result, progress, chunk: int) -> None:
    start, end = period_of(sched, year, month)
    result.periods.append((sched.name, start, end))
    engine = engine_schedule(sched)
    subsidies = engine_subsidies(sched)
    # What would the engine refuse? Fail early with the translated error.
    ec.validate_schedule(engine)
    mutual_id = sched.mutual_id

    households = Household.objects.filter(mutual_id=mutual_id)
    if sched.package_id:
        covered = CoveragePeriod.objects.filter(
            package_id=sched.package_id, start_on__lte=end, expiry_on__gte=start
        ).values("household_id")
        households = households.filter(pk__in=covered)
    done = set(
        Due.objects.filter(schedule=sched, period_start=start).values_list(
            "household_id", flat=True
        )
    )
    renewing = set(
        Due.objects.filter(
            schedule=sched, kind=DueKind.CONTRIBUTION, period_end=start - timedelta(days=1)
        ).values_list("household_id", flat=True)
    )
    info = {
        pk: (section, band or None, income)
        for pk, section, band, income in households.values_list(
            "pk", "section_id", "income_band", "declared_income"
        )
        if pk not in done
    }
    result.skipped += len(done)
    progress.set_total(progress.log.rows_total + len(info) + len(done))
    progress.advance(len(done))
    if not info:
        return
    needs_birth = any(s.under_age is not None for s in subsidies)
    fields = ["household_id", "category", "joined_on", "left_on", "is_adherent", "relationship"]
    if needs_birth:
        fields.append("person__birth_date")
    members = (
        Membership.objects.filter(mutual_id=mutual_id, joined_on__lte=end)
        .exclude(status__in=ENDED, left_on__isnull=True)
        .exclude(left_on__lt=start)
        .order_by("household_id", "pk")
        .values_list(*fields)
    )
    due_delay = timedelta(days=sched.due_days)
    batch: list[ec.Household] = []
    enrolled: dict[int, date] = {}

    def flush() -> None:
        if batch:
            _write(sched, engine, subsidies, start, end, due_delay, batch, info, enrolled, result)
            progress.advance(len(batch))
            batch.clear()
            enrolled.clear()

    current = None
    people: list[ec.Beneficiary] = []
    head_category = "informal"
    first_join = None

    def close() -> None:
        if current is None or current not in info or not people:
            return
        _section, band, income = info[current]
        enrolled[current] = first_join
        batch.append(
            ec.Household(
                id=current,
                beneficiaries=tuple(people),
                category=head_category,
                income_band=band,
                declared_income=None if income is None else Decimal(income) * 12,
                enrolled_on=first_join,
                renewing=current in renewing,
            )
        )

    for row in members.iterator(chunk_size=10000):
        hh = row[0]
        if hh != current:
            close()
            if len(batch) >= chunk:
                flush()
            current, people, head_category, first_join = hh, [], row[1], row[2]
        if row[4] or row[5] == "head":
            head_category = row[1]
        first_join = min(first_join, row[2])
        people.append(
            ec.Beneficiary(
                id=len(people),
                category=row[1],
                birth_date=row[6] if needs_birth else None,
                covered_from=row[2] if row[2] > start else None,
                covered_until=row[3],
            )
        )
    close()
    flush()


def _write(sched, engine, subsidies, start, end, due_delay, households, info, enrolled, result):
    computed = ec.compute_dues_many(
        schedule=engine,
        households=households,
        period_start=start,
        period_end=end,
        subsidies=subsidies,
    )
    for index, error in computed.errors:
        result.failed.append((households[index].id, error.code))
    base_due = start + due_delay
    now = timezone.now()
    rows = []
    for hh, dues in computed.results:
        section = info[hh][0]
        joined = enrolled[hh]
        due_date = max(base_due, joined) if joined and joined > start else base_due
        for due in dues:
            if not due.amount:
                continue
            rows.append(
                (
                    sched.mutual_id,
                    section,
                    hh,
                    None if due.payer == ec.MEMBER else int(due.payer),
                    sched.pk,
                    str(due.kind),
                    start,
                    end,
                    due_date,
                    due.amount,
                    Decimal(0),
                    sched.currency,
                    now,
                )
            )
    result.households += len(computed.results)
    with transaction.atomic():
        result.created += _insert(rows)


COLUMNS = (
    "mutual_id",
    "section_id",
    "household_id",
    "payer_id",
    "schedule_id",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "amount",
    "paid",
    "currency",
    "created_at",
)


def _insert(rows: list[tuple]) -> int:
    """Insert dues, ignoring those that exist; returns how many were created."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        cols = ", ".join(COLUMNS)
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS tmp_dues ON COMMIT DELETE ROWS AS "  # noqa: S608 (fixed column names, values bound)
                f"SELECT {cols} FROM contributions_due WITH NO DATA"
            )
            with cur.copy(f"COPY tmp_dues ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                f"INSERT INTO contributions_due ({cols}) SELECT {cols} FROM tmp_dues "  # noqa: S608 (fixed column names, values bound)
                "ON CONFLICT DO NOTHING"
            )
            created = cur.rowcount
            cur.execute("TRUNCATE tmp_dues")
        return created
    before = Due.objects.count()
    Due.objects.bulk_create(
        [Due(**dict(zip(COLUMNS, row, strict=True))) for row in rows],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return Due.objects.count() - before
