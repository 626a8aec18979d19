"""Dues generation for a whole mutual and period (`mutualis generate-dues --period 2026-11`).

Set-based, in chunks of households, each chunk one transaction:

1. One query reads the chunk's households that have no dues yet for the period
   (an anti-join on the dues' unique key), each with its beneficiaries folded by the
   database into one text: category, dates that matter for pro rata, head of
   household, date of birth when a subsidy needs it. Households with the same text
   (and band, income, renewal) owe the same dues, so the engine computes each
   distinct shape once (`compute_dues_many`), however many households share it.
2. The dues are written straight into the dues table: COPY of prepared text lines
   on PostgreSQL, `bulk_create` elsewhere. The anti-join guarantees the rows are
   new; the unique key (`due_unique`) guarantees it against anything else, and a
   transaction-level advisory lock per schedule makes two runs take turns.

A run that stops halfway leaves whole chunks behind; running again finishes the
job, and running twice creates nothing more.

Beneficiaries added to a household after its dues for the period were generated
(a birth, a late registration) are billed by the next run: one due per added
person and payer, the part of the household's dues they add (pro rata of the time
they are covered when the schedule says so, within the household cap), with a
note saying why. See `_bill_added`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mutualis.core.roles import Perm
from mutualis.core.scope import require
from mutualis.core.services import audit_record, batch_run
from mutualis.engine import contributions as ec
from mutualis.engine.money import currency
from mutualis.members.models import ENDED, Membership

from .errors import NoSchedule, PeriodInvalid
from .mapping import engine_schedule, engine_subsidies, period_of
from .models import Due, DueKind, ProRata, Schedule, ScheduleKind

CHUNK = 50_000  # households per transaction
ADDED_CHUNK = 2_000  # households with added beneficiaries per transaction
LOCK_SPACE = 0x4D5544  # pg_advisory_xact_lock(LOCK_SPACE, schedule id): one run at a time
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
    skipped: int = 0  # households that already had their dues for the period
    households: int = 0  # households billed by this run
    added: int = 0  # beneficiaries added after generation, billed by this run
    credit_households: int = 0  # households whose credit settled dues right after
    failed: list[tuple[int, str]] = field(default_factory=list)
    periods: list[tuple[str, date, date]] = field(default_factory=list)
    batch_id: int | None = None


Progress = Callable[[int, int], None]  # (households done, households in all)


def dues_generate(
    *,
    actor,
    mutual,
    period: str,
    schedule: Schedule | None = None,
    chunk: int = CHUNK,
    on_progress: Progress | None = None,
) -> DuesResult:
    """Generate the dues of every active schedule of `mutual` for the period of `period`.

    Also bills the beneficiaries added since a household's dues for that period were
    generated. Idempotent; `on_progress` is called after each chunk (the command
    prints it; the batch log records it either way).
    """
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
            run = _Run(sched, year, month or sched.first_month)
            result.periods.append((sched.name, run.start, run.end))
            had_dues = _generate(run, result, progress, chunk, on_progress)
            if had_dues:
                _bill_added(run, mutual, result)
    audit_record(
        actor=actor,
        action="contributions.generate_dues",
        organisation=mutual,
        data={
            "period": period,
            "created": result.created,
            "added": result.added,
            "failed": len(result.failed),
        },
    )
    # Households holding credit (an earlier overpayment) settle the new dues from it at
    # once, in the allocation order, dated today in the mutual's time zone.
    from mutualis.contributions.credit import credit_apply
    from mutualis.contributions.status import mutual_today

    used = credit_apply(actor=actor, mutual=mutual, on=mutual_today(mutual))
    result.credit_households = used.households
    return result


class _Run:
    """One schedule and period: what every chunk needs, prepared once."""

    def __init__(self, sched: Schedule, year: int, month: int) -> None:
        self.sched = sched
        self.start, self.end = period_of(sched, year, month)
        self.engine = engine_schedule(sched)
        self.subsidies = engine_subsidies(sched)
        # What would the engine refuse? Fail early with the translated error.
        ec.validate_schedule(self.engine)
        self.base_due = self.start + timedelta(days=sched.due_days)
        self.needs_birth = any(s.under_age is not None for s in self.subsidies)
        self.postgres = connection.vendor == "postgresql"

    # -- SQL shared by the reads

    def params(self, **more) -> dict:
        return {
            "mutual": self.sched.mutual_id,
            "schedule": self.sched.pk,
            "package": self.sched.package_id,
            "start": self.start,
            "end": self.end,
            "prev_end": self.start - timedelta(days=1),
            **{f"ended{i}": s for i, s in enumerate(sorted(ENDED))},
            **more,
        }

    def households_where(self) -> str:
        """The schedule's households: the mutual's, covered by its package if it has one."""
        return "h.mutual_id = %(mutual)s" + self.covered("h.id")

    def covered(self, household: str) -> str:
        if not self.sched.package_id:
            return ""
        return (
            f" AND {household} IN (SELECT cp.household_id FROM members_coverageperiod cp"  # noqa: S608 (fixed SQL)
            " WHERE cp.package_id = %(package)s AND cp.start_on <= %(end)s"
            " AND cp.expiry_on >= %(start)s)"
        )

    def members_where(self) -> str:
        """Memberships billed for the period: joined by its end, not gone before it."""
        ended = ", ".join(f"%(ended{i})s" for i in range(len(ENDED)))
        return (
            "m.mutual_id = %(mutual)s AND m.joined_on <= %(end)s"
            " AND (m.left_on IS NULL OR m.left_on >= %(start)s)"
            f" AND NOT (m.left_on IS NULL AND m.status IN ({ended}))"
        )

    def date_text(self, column: str) -> str:
        return f"to_char({column}, 'YYYY-MM-DD')" if self.postgres else column

    # -- engine input

    def household(self, hid, people: dict, band, income, renewing, category=None):
        """The engine's Household from {id: (category, joined, left, birth, is_head)}.

        Dates are those the billing needs: joined on or after the period start (else
        None), left before its end (else None); see `clip`.
        """
        start = self.start
        joined = [p[1] for p in people.values()]
        if category is None:
            category = self.head_category(people)
        return ec.Household(
            id=hid,
            beneficiaries=tuple(
                ec.Beneficiary(
                    id=pid,
                    category=cat,
                    birth_date=birth,
                    covered_from=first if first is not None and first > start else None,
                    covered_until=last,
                )
                for pid, (cat, first, last, birth, _head) in people.items()
            ),
            category=category,
            income_band=band or None,
            declared_income=None if income is None else Decimal(income) * 12,
            enrolled_on=None if not joined or None in joined else min(joined),
            renewing=bool(renewing),
        )

    @staticmethod
    def head_category(people: dict) -> str:
        """The household's category: its head's (or adherent's), else its first member's."""
        values = list(people.values())
        return next((p[0] for p in values if p[4]), values[0][0])

    def clip(self, joined: date, left: date | None) -> tuple[date | None, date | None]:
        return (
            joined if joined >= self.start else None,
            left if left is not None and left < self.end else None,
        )

    def due_date(self, enrolled: date | None) -> date:
        """Due date: the schedule's, or the day a household enrolling later joined."""
        if enrolled is not None and enrolled > self.start:
            return max(self.base_due, enrolled)
        return self.base_due


# --------------------------------------------------------------------------- generation


def _generate(run: _Run, result: DuesResult, progress, chunk: int, on_progress) -> bool:
    """Bill the households without dues for the period; True if some already had them."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), COUNT((SELECT 1 FROM contributions_due d"  # noqa: S608 (fixed SQL, values bound)
            " WHERE d.household_id = h.id AND d.schedule_id = %(schedule)s"
            " AND d.period_start = %(start)s LIMIT 1))"
            f" FROM members_household h WHERE {run.households_where()}",
            run.params(),
        )
        total, done = cur.fetchone()
    result.skipped += done
    progress.set_total(progress.log.rows_total + total)
    progress.advance(done)
    seen = done
    shapes: dict[tuple, tuple[date, tuple[tuple[str, str, str], ...]] | str] = {}
    after = 0
    while True:
        with transaction.atomic():
            if run.postgres:
                with connection.cursor() as cur:
                    # Dues can be generated again, so a chunk need not wait for the WAL.
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
                    # Each chunk's read is cheap; compiling it would cost more. Its
                    # sorts and hashes (a few MB) stay in memory.
                    cur.execute("SET LOCAL jit TO OFF")
                    cur.execute("SET LOCAL work_mem TO '64MB'")
                    cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, run.sched.pk])
            now = timezone.now()  # before the read: members created later are "added"
            rows = _read_chunk(run, after, chunk)
            if not rows:
                break
            after = rows[-1][0]
            billable = [row for row in rows if row[5]]
            failed = _write_chunk(run, billable, shapes, now, result)
        result.households += len(billable) - failed
        seen += len(rows)
        progress.advance(len(rows) - failed, failed)
        if on_progress is not None:
            on_progress(seen, total)
    return done > 0


def _read_chunk(run: _Run, after: int, chunk: int) -> list[tuple]:
    """Up to `chunk` households after `after` without dues for the period, folded.

    (id, section, income band, monthly income as text, renewing, people) where
    people is “H|category|joined|left|birth” per beneficiary, joined by “;”, sorted
    (H is 0 for the head of household), with only the dates that change the dues;
    None for a household with nobody to bill (still returned: the next chunk starts
    after the last household of this one).
    """
    day = run.date_text
    person = (
        "(CASE WHEN m.is_adherent OR m.relationship = 'head' THEN '0' ELSE '1' END)"
        " || '|' || m.category"
        f" || '|' || (CASE WHEN m.joined_on >= %(start)s THEN {day('m.joined_on')} ELSE '' END)"
        f" || '|' || (CASE WHEN m.left_on < %(end)s THEN {day('m.left_on')} ELSE '' END)"
    )
    join_person = ""
    if run.needs_birth:
        person += f" || '|' || COALESCE({day('p.birth_date')}, '')"
        join_person = "LEFT JOIN members_person p ON p.id = m.person_id"
    people = (
        f"string_agg({person}, ';' ORDER BY {person})"
        if run.postgres
        else f"group_concat({person}, ';')"
    )
    # The dues table grows during the run, faster than its statistics: every test on
    # it is a scalar subquery (LIMIT 1), probed per household through the unique
    # index whatever the planner thinks of the table, never a join it could misjudge.
    # Renewing (dues for the period before) only matters with a renewal discount.
    renewing = (
        "(SELECT 1 FROM contributions_due r WHERE r.household_id = h.id"
        " AND r.schedule_id = %(schedule)s AND r.period_end = %(prev_end)s"
        " AND r.kind = 'contribution' AND r.beneficiary_id IS NULL LIMIT 1) IS NOT NULL"
        if run.sched.renewal_discount
        else "1 = 0"
    )
    sql = f"""
        WITH chunk AS MATERIALIZED (
            SELECT h.id, h.section_id, h.income_band, h.declared_income
            FROM members_household h
            WHERE {run.households_where()} AND h.id > %(after)s
                AND (SELECT 1 FROM contributions_due d WHERE d.household_id = h.id
                    AND d.schedule_id = %(schedule)s AND d.period_start = %(start)s
                    LIMIT 1) IS NULL
            ORDER BY h.id
            LIMIT %(limit)s
        )
        SELECT h.id, h.section_id, h.income_band, CAST(h.declared_income AS TEXT),
            {renewing}, {people}
        FROM chunk h
        LEFT JOIN members_membership m ON m.household_id = h.id
            AND m.household_id >= (SELECT MIN(id) FROM chunk)
            AND m.household_id <= (SELECT MAX(id) FROM chunk)
            AND {run.members_where()}
        {join_person}
        GROUP BY h.id, h.section_id, h.income_band, h.declared_income
        ORDER BY h.id
    """  # noqa: S608 (fixed SQL, values bound)
    with connection.cursor() as cur:
        cur.execute(sql, run.params(after=after, limit=chunk))
        rows = cur.fetchall()
    if not run.postgres:  # group_concat has no ORDER BY before SQLite 3.44
        rows = [(*row[:5], row[5] and ";".join(sorted(row[5].split(";")))) for row in rows]
    return rows


def _parse_people(run: _Run, text: str) -> dict[int, tuple]:
    """“0|informal|2026-03-15||;1|…” → {index: (category, joined, left, birth, is_head)}."""
    out = {}
    for index, item in enumerate(text.split(";")):
        parts = item.split("|")
        joined, left = parts[2], parts[3]
        birth = parts[4] if run.needs_birth else ""
        out[index] = (
            parts[1],
            date.fromisoformat(joined) if joined else None,
            date.fromisoformat(left) if left else None,
            date.fromisoformat(birth) if birth else None,
            parts[0] == "0",
        )
    return out


def _write_chunk(run: _Run, rows, shapes: dict, now, result: DuesResult) -> int:
    """Compute the chunk's new shapes, write its dues; returns the households that failed."""
    missing = {}
    for _hid, _section, band, income, renewing, people in rows:
        key = (band, income, renewing, people)
        if key not in shapes and key not in missing:
            missing[key] = run.household(
                len(missing), _parse_people(run, people), band, income, renewing
            )
    if missing:
        keys = list(missing)
        households = list(missing.values())
        computed = ec.compute_dues_many(
            schedule=run.engine,
            households=households,
            period_start=run.start,
            period_end=run.end,
            subsidies=run.subsidies,
        )
        for index, error in computed.errors:
            shapes[keys[index]] = error.code
        for index, dues in computed.results:
            due_date = run.due_date(households[index].enrolled_on)
            shapes[keys[index]] = (
                due_date,
                tuple(
                    (due.payer, str(due.kind), str(due.amount)) for due in dues if due.amount > 0
                ),
            )
    if run.postgres:
        created, failed = _copy(run, rows, shapes, now, result)
    else:
        created, failed = _bulk_create(run, rows, shapes, now, result)
    result.created += created
    return failed


def _copy(run: _Run, rows, shapes: dict, now, result: DuesResult) -> tuple[int, int]:
    """COPY the chunk's dues into the dues table as prepared text lines."""
    sched = run.sched
    tails: dict[tuple, list[str]] = {}  # per shape: the text after household and section
    fixed = f"{sched.pk}\t{run.start}\t{run.end}"
    stamp = now.isoformat()
    lines: list[str] = []
    failed = 0
    for hid, section, band, income, renewing, people in rows:
        key = (band, income, renewing, people)
        tail = tails.get(key)
        if tail is None:
            shape = shapes[key]
            if isinstance(shape, str):
                result.failed.append((hid, shape))
                failed += 1
                continue
            due_date, dues = shape
            tail = tails[key] = [
                f"\t{sched.mutual_id}\t{payer if payer != ec.MEMBER else chr(92) + 'N'}\t"
                f"{fixed}\t{kind}\t{due_date}\t{amount}\t0\t{sched.currency}\t{stamp}\n"
                for payer, kind, amount in dues
            ]
        head = f"{hid}\t{section}"
        lines.extend(head + t for t in tail)
    if lines:
        with connection.cursor() as cur:
            with cur.copy(
                "COPY contributions_due (household_id, section_id, mutual_id, payer_id,"
                " schedule_id, period_start, period_end, kind, due_date, amount, paid,"
                " currency, created_at) FROM STDIN"
            ) as copy:
                for i in range(0, len(lines), 20_000):
                    copy.write("".join(lines[i : i + 20_000]))
    return len(lines), failed


def _bulk_create(run: _Run, rows, shapes: dict, now, result: DuesResult) -> tuple[int, int]:
    sched = run.sched
    dues = []
    failed = 0
    for hid, section, band, income, renewing, people in rows:
        shape = shapes[(band, income, renewing, people)]
        if isinstance(shape, str):
            result.failed.append((hid, shape))
            failed += 1
            continue
        due_date, lines = shape
        dues.extend(
            Due(
                mutual_id=sched.mutual_id,
                section_id=section,
                household_id=hid,
                payer_id=None if payer == ec.MEMBER else int(payer),
                schedule_id=sched.pk,
                kind=kind,
                period_start=run.start,
                period_end=run.end,
                due_date=due_date,
                amount=Decimal(amount),
                currency=sched.currency,
                created_at=now,
            )
            for payer, kind, amount in lines
        )
    written = Due.objects.filter(schedule_id=sched.pk, period_start=run.start)
    return _insert(dues, written), failed


def _insert(dues: list[Due], written) -> int:
    """bulk_create ignoring the dues that exist; returns how many were created.

    `written` is a queryset of at least the dues written, counted before and after.
    """
    if not dues:
        return 0
    before = written.count()
    Due.objects.bulk_create(dues, batch_size=2000, ignore_conflicts=True)
    return written.count() - before


# --------------------------------------------------------------------------- added people


def _bill_added(run: _Run, mutual, result: DuesResult) -> None:
    """Bill the beneficiaries added after their household's dues for the period.

    An added beneficiary is a covered membership created after the household's
    first dues for the period and not billed since (no due names it). Per household,
    the engine computes the dues with and without the added people; what they add
    (never more than the household's fresh dues minus what it was already billed,
    so a cap holds) is split between them and their payers in proportion to their
    lines, and written as dues naming them, with a note.
    """
    sql = f"""
        SELECT DISTINCT m.household_id
        FROM members_membership m
        WHERE {run.members_where()}{run.covered("m.household_id")}
            AND m.created_at > (SELECT f.created_at FROM contributions_due f
                WHERE f.mutual_id = %(mutual)s AND f.period_start = %(start)s
                ORDER BY f.created_at LIMIT 1)
            AND m.created_at > (SELECT MIN(d.created_at) FROM contributions_due d
                WHERE d.household_id = m.household_id AND d.schedule_id = %(schedule)s
                AND d.period_start = %(start)s AND d.beneficiary_id IS NULL)
            AND (SELECT 1 FROM contributions_due s WHERE s.beneficiary_id = m.id
                AND s.schedule_id = %(schedule)s AND s.period_start = %(start)s LIMIT 1) IS NULL
        ORDER BY m.household_id
    """  # noqa: S608 (fixed SQL, values bound)
    with transaction.atomic(), connection.cursor() as cur:
        if run.postgres:
            cur.execute("SET LOCAL jit TO OFF")
        cur.execute(sql, run.params())
        households = [row[0] for row in cur.fetchall()]
    if not households:
        return
    from .status import mutual_today

    today = mutual_today(mutual)
    for i in range(0, len(households), ADDED_CHUNK):
        with transaction.atomic():
            if run.postgres:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, run.sched.pk])
            with translation.override(settings.LANGUAGE_CODE):
                dues = _added_dues(run, households[i : i + ADDED_CHUNK], today, result)
            if run.postgres:
                # Under the lock, after reading who is billed: these rows are new.
                _copy_dues(dues)
                result.created += len(dues)
            else:
                written = Due.objects.filter(
                    beneficiary_id__in={d.beneficiary_id for d in dues},
                    schedule_id=run.sched.pk,
                    period_start=run.start,
                )
                result.created += _insert(dues, written)


def _added_dues(run: _Run, ids: list[int], today: date, result: DuesResult) -> list[Due]:
    from mutualis.members.models import Household

    sched, start = run.sched, run.start
    cur = currency(sched.currency)
    now = timezone.now()
    billed_at: dict[int, object] = {}
    billed_people: set[int] = set()
    billed: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for hid, kind, amount, created_at, person in Due.objects.filter(
        household_id__in=ids, schedule_id=sched.pk, period_start=start
    ).values_list("household_id", "kind", "amount", "created_at", "beneficiary_id"):
        billed[hid][kind] += amount
        if person is not None:
            billed_people.add(person)
        elif hid not in billed_at or created_at < billed_at[hid]:
            billed_at[hid] = created_at
    renewing = set(
        Due.objects.filter(
            household_id__in=ids,
            schedule_id=sched.pk,
            kind=DueKind.CONTRIBUTION,
            period_end=start - timedelta(days=1),
            beneficiary__isnull=True,
        ).values_list("household_id", flat=True)
    )
    members: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        Membership.objects.filter(
            household_id__in=ids, mutual_id=sched.mutual_id, joined_on__lte=run.end
        )
        .exclude(left_on__lt=start)
        .exclude(status__in=ENDED, left_on__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "household_id",
            "category",
            "joined_on",
            "left_on",
            "is_adherent",
            "relationship",
            "created_at",
            "number",
            "person__first_name",
            "person__last_name",
            "person__birth_date",
        )
    ):
        members[row[1]].append(row)
    dues: list[Due] = []
    for hid, section, band, income in Household.objects.filter(pk__in=ids).values_list(
        "pk", "section_id", "income_band", "declared_income"
    ):
        if hid not in billed_at:
            continue
        people, added = {}, {}
        for (
            pk,
            _h,
            cat,
            joined,
            left,
            adherent,
            rel,
            created_at,
            number,
            first,
            last,
            born,
        ) in members[hid]:
            first_day, last_day = run.clip(joined, left)
            people[pk] = (
                cat,
                first_day,
                last_day,
                born if run.needs_birth else None,
                adherent or rel == "head",
            )
            if created_at > billed_at[hid] and pk not in billed_people:
                added[pk] = (number, f"{first} {last}".strip(), joined)
        if not added:
            continue
        category = run.head_category(people)
        before = {pk: p for pk, p in people.items() if pk not in added}
        income_text = None if income is None else str(income)
        try:
            full = _compute(run, run.household(hid, people, band, income_text, hid in renewing))
            base = _compute(
                run,
                run.household(hid, before, band, income_text, hid in renewing, category),
            )
        except ec.DuesError as exc:
            result.failed.append((hid, exc.code))
            continue
        parts, limited = _added_parts(full, base, billed[hid], added, cur)
        notes = {
            pk: _added_note(run, number, name, joined, limited=pk in limited)
            for pk, (number, name, joined) in added.items()
        }
        for (pk, payer, kind), amount in parts.items():
            joined = added[pk][2]
            dues.append(
                Due(
                    mutual_id=sched.mutual_id,
                    section_id=section,
                    household_id=hid,
                    payer_id=None if payer == ec.MEMBER else int(payer),
                    schedule_id=sched.pk,
                    beneficiary_id=pk,
                    kind=kind,
                    period_start=start,
                    period_end=run.end,
                    due_date=max(run.base_due, joined, today),
                    amount=amount,
                    currency=sched.currency,
                    note=notes[pk],
                    created_at=now,
                )
            )
        result.added += len({pk for pk, _p, _k in parts})
    return dues


ADDED_COLUMNS = (
    "mutual_id",
    "section_id",
    "household_id",
    "payer_id",
    "schedule_id",
    "beneficiary_id",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "amount",
    "paid",
    "currency",
    "note",
    "created_at",
)


def _copy_dues(dues: list[Due]) -> None:
    """COPY unsaved dues (PostgreSQL): a few thousand rows, far cheaper than INSERT."""
    if not dues:
        return
    with connection.cursor() as cur:
        with cur.copy(
            f"COPY contributions_due ({', '.join(ADDED_COLUMNS)}) FROM STDIN"  # noqa: S608 (fixed names)
        ) as copy:
            for due in dues:
                copy.write_row(tuple(getattr(due, name) for name in ADDED_COLUMNS))


def _compute(run: _Run, household: ec.Household) -> ec.HouseholdDues:
    return ec.compute_dues(
        schedule=run.engine,
        household=household,
        period_start=run.start,
        period_end=run.end,
        subsidies=run.subsidies,
    )


def _added_parts(full, base, billed: dict, added: dict, cur) -> tuple[dict, set]:
    """What the added people owe per (person, payer, kind), and who the cap limited.

    Per kind: what they add (`full` − `base`, both computed today), never more than
    the household's dues computed today minus what it was billed. It is split in
    proportion to their own lines (per payer); for a per-household amount (a size
    band), in proportion to what each payer's share grew, all on the first added.
    """
    parts: dict[tuple, Decimal] = defaultdict(Decimal)
    limited: set[int] = set()
    for kind in ec.DueKind:
        grown = {d.payer: d.amount for d in full.dues if d.kind == kind}
        for d in base.dues:
            if d.kind == kind:
                grown[d.payer] = grown.get(d.payer, Decimal(0)) - d.amount
        total = sum((d.amount for d in full.dues if d.kind == kind), Decimal(0))
        owed = min(sum(grown.values(), Decimal(0)), total - billed.get(str(kind), Decimal(0)))
        cells = [
            (line.beneficiary_id, payer, amount)
            for line in full.lines
            if line.kind == kind and line.beneficiary_id in added
            for payer, amount in line.payers
            if amount > 0
        ] or [(min(added), payer, amount) for payer, amount in grown.items() if amount > 0]
        if not cells:
            continue
        if owed < sum(amount for *_, amount in cells):
            limited.update(pk for pk, *_ in cells)
        if owed <= 0:
            continue
        weights = [amount for *_, amount in cells]
        for (pk, payer, _w), part in zip(
            cells, ec.split_proportionally(owed, weights, cur), strict=True
        ):
            if part > 0:
                parts[(pk, payer, str(kind))] += part
    return parts, limited


def _added_note(run: _Run, number: str, name: str, joined: date, *, limited: bool) -> str:
    """Why this due exists, in the installation's language (stored with the due)."""
    note = _(
        "Beneficiary %(number)s (%(name)s) added after the dues of the period were "
        "generated; covered from %(date)s."
    ) % {
        "number": number,
        "name": name,
        "date": formats.date_format(max(joined, run.start), "SHORT_DATE_FORMAT"),
    }
    if run.sched.pro_rata != ProRata.NONE and joined > run.start:
        note += " " + str(ProRata(run.sched.pro_rata).label) + "."
    if limited:
        if run.sched.kind == ScheduleKind.PER_BENEFICIARY_CAPPED:
            note += " " + _("Limited by the household cap.")
        else:
            note += " " + _("Limited to what the household still owes for the period.")
    return note[:255]
