"""Register search latency (p50/p95) on a large mutual.

    DATABASE_URL=postgres://… python -m benchmarks.bench_members_search --n 1000000
    … --n 100000 --others 1000000   # a mutual of 100,000 beside one of 1,000,000

Loads N synthetic persons once into the mutual BENCHSEARCH-<n> (reused by later
runs; `--others M` first loads M into BENCHSEARCH-<m>, so the searched mutual is
a small part of a big multi-mutual table, as in production), then times the
first page (25 rows and one more for "next page", no COUNT) of searches as a
manager sees them: two-word names in any order without accents, family names
alone, beneficiary numbers, household numbers and phones. Target (issue 4): p95 < 50 ms
on 1,000,000 persons on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from benchmarks._members_setup import bench_actor, django_setup, write_result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--mutual", help="Search an existing mutual (e.g. one the import bench filled)."
    )
    parser.add_argument(
        "--others", type=int, default=0, help="Persons of another mutual in the same tables."
    )
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from mutualis.members.importer import import_frame
    from mutualis.members.models import Membership, Person
    from mutualis.members.names import fold
    from mutualis.members.selectors import member_search_page
    from mutualis.members.synthetic import generate_frame

    def load(code: str, n: int):
        mutual, user = bench_actor(code)
        have = Person.objects.filter(mutual=mutual).count()
        if have < n:
            frame = generate_frame(
                persons=n - have,
                seed=args.seed + have,
                sections=[f"{code}-{i}" for i in (1, 2, 3)],
                on=date(2026, 1, 1),
                prefix=f"Q{have}",
            )
            t0 = time.perf_counter()
            import_frame(actor=user, mutual=mutual, frame=frame, on=date(2026, 1, 1))
            print(f"loaded {frame.height:,} persons in {time.perf_counter() - t0:.1f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("ANALYZE members_person")
                    cur.execute("ANALYZE members_membership")
        return mutual, user

    if args.others:
        load(f"BENCHSEARCH-{args.others}", args.others)
    code = args.mutual or f"BENCHSEARCH-{args.n}"
    mutual, user = bench_actor(code) if args.mutual else load(code, args.n)
    if args.mutual:
        # The result is named from the size of the mutual searched, not from --n.
        args.n = Person.objects.filter(mutual=mutual).count()
    rng = random.Random(args.seed)
    sample = list(
        Membership.objects.filter(mutual=mutual)
        .order_by("?")
        .values_list(
            "number",
            "household__number",
            "person__first_name",
            "person__last_name",
            "person__phone",
        )[: args.queries]
    )
    kinds: dict[str, list[str]] = {
        "name, two words": [],
        "family name": [],
        "number": [],
        "household": [],
        "phone": [],
    }
    for number, hnumber, first, last, phone in sample:
        words = [fold(last), fold(first).split()[0]]
        rng.shuffle(words)
        kinds["name, two words"].append(" ".join(words))
        kinds["family name"].append(fold(last))
        kinds["number"].append(number)
        kinds["household"].append(hnumber)
        if phone:
            kinds["phone"].append(phone)

    def run(q: str) -> float:
        started = time.perf_counter()
        rows, _more = member_search_page(user=user, query=q, limit=25)
        shown = [(m.person.first_name, m.household.number, m.section.name) for m in rows]
        assert len(shown) == len(rows)
        return (time.perf_counter() - started) * 1000

    for q in kinds["name, two words"][:20]:
        run(q)  # warm-up
    results = {}
    for kind, queries in kinds.items():
        times = sorted(run(q) for q in queries)
        if not times:
            continue
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        results[kind] = {"n": len(times), "p50_ms": statistics.median(times), "p95_ms": p95}
    total = Person.objects.filter(mutual=mutual).count()
    table = Person.objects.count()
    print(f"members search on {connection.vendor}, {total:,} persons of {table:,} in the table")
    # The machine is shared: each kind is also given against the number lookup
    # (one unique-index probe) timed in the same run.
    base = results.get("number", {}).get("p50_ms") or 1.0
    for r in results.values():
        r["p95_over_number_p50"] = r["p95_ms"] / base
    print(f"  {'query':<18} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95 / number p50':>17}")
    for kind, r in results.items():
        print(
            f"  {kind:<18} {r['n']:>5} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['p95_over_number_p50']:>16.1f}x"
        )
    name = f"members_search_{args.n}" + (f"_beside_{args.others}" if args.others else "")
    out = write_result(
        name,
        {
            "n": args.n,
            "table_persons": table,
            "queries": results,
            "target_p95_ms": 50,
            "mutual": code,
        },
    )
    print(f"  written to {out}")


if __name__ == "__main__":
    main()
