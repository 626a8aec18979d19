"""Mobile-money statement import and allocation, lines/s.

    DATABASE_URL=postgres://… python -m benchmarks.bench_contributions_momo --lines 200000

Seeds members (four per household on average) with their 2026 dues, then an
operator statement of `--lines` lines: 90% name a beneficiary number in their
text (allocated to that household's dues: registration fee, GA fee, then the
contribution), 10% only a phone (left to match, phone suggestions looked up).
Times `momo_import` (parse + validate every line + match + allocate + write
payments, allocations, lines, paid amounts), best of N with everything the import
wrote removed in between; the baseline is COPY of the same number of payment
rows in the same run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import time
from datetime import date, timedelta

from benchmarks.bench_contributions_common import (
    best_of,
    django_setup,
    make_schedule,
    seed,
    test_database,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--members", type=int, default=0, help="default: 2 x lines")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    django_setup()
    with test_database() as connection:
        run(connection, args)


def statement(lines: int, numbers: list[str], seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = ["reference,date,amount,phone,text"]
    for i in range(lines):
        day = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 90))
        amount = rng.choice((1500, 3500, 5000, 7000))
        if rng.random() < 0.9:
            text = f"Cotisation {rng.choice(numbers)}"
        else:
            text = "cotisation famille"
        out.append(f"OM{i:08d},{day.isoformat()},{amount},+22170{i % 900000:07d},{text}")
    return ("\n".join(out) + "\n").encode()


def run(connection, args) -> None:
    from mutualis.contributions.dues import dues_generate
    from mutualis.contributions.models import (
        Allocation,
        Due,
        MobileMoneyImport,
        MobileMoneyLine,
        Payment,
    )
    from mutualis.contributions.services import momo_import
    from mutualis.members.models import Membership

    members = args.members or 2 * args.lines
    start = time.perf_counter()
    mutual, section, manager, households = seed(members)
    make_schedule(mutual, manager)
    dues_generate(actor=manager, mutual=mutual, period="2026")
    numbers = list(Membership.objects.values_list("number", flat=True)[: args.lines])
    content = statement(args.lines, numbers)
    print(
        f"seeded {members:,} members, {households:,} households, "
        f"{Due.objects.count():,} dues ({connection.vendor}) in {time.perf_counter() - start:.1f} s"
    )

    def clear():
        # Raw deletes: the ORM's delete() writes one history row per payment.
        with connection.cursor() as cur:
            for model in (MobileMoneyLine, MobileMoneyImport, Allocation, Payment):
                cur.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        Due.objects.update(paid=0)

    def do_import():
        return momo_import(
            actor=manager,
            mutual=mutual,
            operator="Orange Money",
            file_name="om.csv",
            content=content,
        )

    ours, result = best_of(args.runs, do_import, before=clear)
    again = do_import()

    from django.utils import timezone

    from benchmarks.bench_contributions_common import copy_rows

    now = timezone.now()
    payment_rows = [
        (
            mutual.pk,
            section.pk,
            "mobile_money",
            3500,
            0,
            "XOF",
            date(2026, 2, 1),
            now,
            f"C{i}",
            "",
            "",
            "",
            "",
        )
        for i in range(args.lines)
    ]

    def copy_payments():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM contributions_payment WHERE receipt_number LIKE 'C%%'")
        copy_rows(
            connection,
            "contributions_payment",
            (
                "mutual_id",
                "section_id",
                "method",
                "amount",
                "credit",
                "currency",
                "value_date",
                "received_at",
                "receipt_number",
                "reference",
                "idempotency_key",
                "fingerprint",
                "reason",
            ),
            payment_rows,
        )

    clear()
    base, _ = best_of(args.runs, copy_payments)
    print(
        f"momo_import {args.lines:,} lines: {ours:.2f} s = {args.lines / ours:,.0f} lines/s "
        f"({result.allocated:,} allocated, {result.unmatched:,} to match); "
        f"COPY of {args.lines:,} payment rows {base:.2f} s; ratio {base / ours:.2f} x COPY; "
        f"second import: {again.duplicates:,} already imported, {again.allocated} allocated"
    )
    if args.profile:
        clear()
        profile = cProfile.Profile()
        profile.enable()
        do_import()
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(20)
        print(out.getvalue())


if __name__ == "__main__":
    main()
