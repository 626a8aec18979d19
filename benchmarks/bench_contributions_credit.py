"""Automatic use of credit (`credit_apply`) for a whole mutual, rows/s and ratio to COPY.

    DATABASE_URL=postgres://… python -m benchmarks.bench_contributions_credit --n 100000

Seeds N members, generates the 2026 dues, then gives every household a credit
(one earlier payment whose credit is 4,000: it settles the fees and part of the
contribution). Times `credit_apply` for the mutual (best of 3; allocations, paid
amounts and credits reset between runs), and, in the same run, COPY of exactly
the allocation rows it wrote into an empty copy of the allocation table: the floor
of any path writing them.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from decimal import Decimal

from benchmarks.bench_contributions_common import (
    best_of,
    copy_rows,
    django_setup,
    make_schedule,
    seed,
    test_database,
)

CREDIT = Decimal(4000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="members")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django_setup()
    with test_database() as connection:
        run(connection, args)


def run(connection, args) -> None:
    from django.utils import timezone

    from mutualis.contributions.credit import credit_apply
    from mutualis.contributions.dues import dues_generate
    from mutualis.contributions.models import Allocation, Due, Payment
    from mutualis.members.models import Household

    start = time.perf_counter()
    mutual, section, manager, households = seed(args.n)
    make_schedule(mutual, manager)
    dues_generate(actor=manager, mutual=mutual, period="2026")
    now = timezone.now()
    ids = list(Household.objects.filter(mutual=mutual).values_list("pk", flat=True))
    copy_rows(
        connection,
        Payment._meta.db_table,
        (
            "mutual_id",
            "section_id",
            "household_id",
            "method",
            "amount",
            "currency",
            "credit",
            "value_date",
            "received_at",
            "receipt_number",
            "reference",
            "idempotency_key",
            "fingerprint",
            "reason",
        ),
        (
            (mutual.pk, section.pk, hh, "cash", CREDIT, "XOF", CREDIT, date(2025, 12, 1), now)
            + ("",) * 5
            for hh in ids
        ),
    )
    print(
        f"seeded {args.n:,} members in {households:,} households with credit "
        f"({connection.vendor}) in {time.perf_counter() - start:.1f} s"
    )

    def reset():
        Allocation.objects.filter(from_credit=True).delete()
        Due.objects.update(paid=0)
        Payment.objects.update(credit=CREDIT)

    def apply():
        return credit_apply(actor=manager, mutual=mutual, on=date(2026, 1, 2))

    reset()
    apply()  # warm-up
    columns = ("payment_id", "due_id", "amount", "value_date", "from_credit")
    rows = list(Allocation.objects.filter(from_credit=True).values_list(*columns))
    ours, result = best_of(args.runs, apply, before=reset)

    def copy_same_rows():
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_allocation_copy")
            if connection.vendor == "postgresql":
                cur.execute(
                    "CREATE TABLE bench_allocation_copy "
                    "(LIKE contributions_allocation INCLUDING ALL)"
                )
            else:
                cur.execute(
                    "CREATE TABLE bench_allocation_copy AS "
                    "SELECT * FROM contributions_allocation WHERE 0"
                )
        copy_rows(connection, "bench_allocation_copy", columns, rows)

    base, _ = best_of(args.runs, copy_same_rows)
    again = apply()
    print(
        f"credit_apply {result.allocations:,} allocations for {result.households:,} "
        f"households ({result.amount:,} XOF): {ours:.2f} s = "
        f"{result.allocations / ours:,.0f} allocations/s "
        f"({result.households / ours:,.0f} households/s); "
        f"COPY of the same rows {base:.2f} s = {len(rows) / base:,.0f} rows/s; "
        f"ratio {base / ours:.2f} x COPY; second run wrote {again.allocations}"
    )


if __name__ == "__main__":
    main()
