"""Dues generation for a whole mutual (`generate-dues`), rows/s and ratio to COPY.

    DATABASE_URL=postgres://… python -m benchmarks.bench_contributions_dues --n 1000000

Seeds N members (households of 1–7, a tenth indigent, a State subsidy paying half
for everybody and all for indigents: two dues rows per contribution) in a
throw-away test database, then times `dues_generate` for 2026 (best of N after a
warm-up, dues deleted between runs), and, in the same run, COPY of exactly the
rows it wrote into an empty copy of the dues table (same indexes and
constraints): the floor any path pays. Then the rerun that creates nothing, and
the rerun that bills 1% of members added after generation.
Target (issue 5): ≥ 100,000 dues/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from benchmarks.bench_contributions_common import (
    best_of,
    django_setup,
    make_schedule,
    seed,
    test_database,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="members")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    django_setup()
    with test_database() as connection:
        run(connection, args)


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


def run(connection, args) -> None:
    from mutualis.contributions.dues import dues_generate
    from mutualis.contributions.models import Due

    start = time.perf_counter()
    mutual, _section, manager, households = seed(args.n)
    make_schedule(mutual, manager)
    print(
        f"seeded {args.n:,} members in {households:,} households "
        f"({connection.vendor}) in {time.perf_counter() - start:.1f} s"
    )

    def clear():
        Due.objects.all().delete()

    def generate():
        return dues_generate(actor=manager, mutual=mutual, period="2026")

    clear()
    generate()  # warm-up
    rows = list(Due.objects.values_list(*COLUMNS).iterator(chunk_size=50_000))
    ours, result = best_of(args.runs, generate, before=clear)
    n_rows = result.created

    def copy_same_rows():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("DROP TABLE IF EXISTS bench_due_copy")
                # Same columns, defaults, indexes and constraints as the dues table.
                cur.execute("CREATE TABLE bench_due_copy (LIKE contributions_due INCLUDING ALL)")
                cols = ", ".join(COLUMNS)
                with cur.copy(f"COPY bench_due_copy ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                Due.objects.all().delete()
                Due.objects.bulk_create(
                    [Due(**dict(zip(COLUMNS, r, strict=True))) for r in rows], batch_size=5000
                )

    base, _ = best_of(args.runs, copy_same_rows)
    started = time.perf_counter()
    again = dues_generate(actor=manager, mutual=mutual, period="2026")
    rerun = time.perf_counter() - started
    print(
        f"dues_generate {n_rows:,} dues for {result.households:,} households: "
        f"{ours:.2f} s = {n_rows / ours:,.0f} dues/s "
        f"({args.n / ours:,.0f} members/s); "
        f"COPY of the same rows {base:.2f} s = {n_rows / base:,.0f} rows/s; "
        f"ratio {base / ours:.2f} x COPY; second run created {again.created} in {rerun:.2f} s"
    )
    added = add_members(connection, mutual, args.n // 100)
    started = time.perf_counter()
    later = dues_generate(actor=manager, mutual=mutual, period="2026")
    took = time.perf_counter() - started
    print(
        f"rerun after {added:,} members joined: {later.added:,} billed, "
        f"{later.created:,} dues in {took:.2f} s"
    )
    if args.profile:
        clear()
        profile = cProfile.Profile()
        profile.enable()
        generate()
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
        print(out.getvalue())


def add_members(connection, mutual, n: int) -> int:
    """`n` babies born in 2026 into the first households, registered after generation."""
    from datetime import date

    from django.utils import timezone

    from benchmarks.bench_contributions_common import copy_rows
    from mutualis.members.models import Household, Person

    now = timezone.now()
    homes = list(
        Household.objects.filter(mutual=mutual)
        .order_by("pk")
        .values_list("pk", "section_id")[: max(n, 1)]
    )
    copy_rows(
        connection,
        "members_person",
        ("mutual_id", "first_name", "last_name", "sex", "birth_year", "national_id", "phone")
        + ("locality", "address", "normalised_name", "external_id", "created_at"),
        (
            (mutual.pk, "B", f"N{i}", "F", 2026, "", "", "", "", f"b n{i}", "", now)
            for i in range(len(homes))
        ),
    )
    people = Person.objects.filter(mutual=mutual, first_name="B").order_by("pk")
    copy_rows(
        connection,
        "members_membership",
        ("person_id", "household_id", "mutual_id", "section_id", "number", "relationship")
        + ("category", "is_adherent", "status", "joined_on", "created_at"),
        (
            (person, hh, mutual.pk, section, f"N{i:09d}", "child", "informal", False)
            + ("active", date(2026, 4, 1), now)
            for i, (person, (hh, section)) in enumerate(
                zip(people.values_list("pk", flat=True), homes, strict=True)
            )
        ),
    )
    return len(homes)


if __name__ == "__main__":
    main()
