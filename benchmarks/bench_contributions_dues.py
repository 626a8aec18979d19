"""Dues generation for a whole mutual (`generate-dues`), rows/s and ratio to COPY.

    DATABASE_URL=postgres://… python -m benchmarks.bench_contributions_dues --n 1000000

Seeds N members (households of 1–7, a tenth indigent, a State subsidy paying half
for everybody and all for indigents: two dues rows per contribution) in a
throw-away test database, then times `dues_generate` for 2026 (best of 3 after a
warm-up, dues deleted between runs), and, in the same run, COPY of exactly the
rows it wrote into an empty copy of the dues table: the floor any path pays.
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


def run(connection, args) -> None:
    from mutualis.contributions.dues import COLUMNS, dues_generate
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
    again = dues_generate(actor=manager, mutual=mutual, period="2026")
    print(
        f"dues_generate {n_rows:,} dues for {result.households:,} households: "
        f"{ours:.2f} s = {n_rows / ours:,.0f} dues/s "
        f"({args.n / ours:,.0f} members/s); "
        f"COPY of the same rows {base:.2f} s = {n_rows / base:,.0f} rows/s; "
        f"ratio {base / ours:.2f} x COPY; second run created {again.created}"
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


if __name__ == "__main__":
    main()
