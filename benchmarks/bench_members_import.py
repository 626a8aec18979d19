"""Import of N persons (CSV) into the register: rows/s, peak memory, ratio to a plain COPY.

    DATABASE_URL=postgres://… python -m benchmarks.bench_members_import --n 1000000

The CSV is generated first (not timed). The baseline is PostgreSQL's COPY of the
same file into an unvalidated table of text columns, in the same run. After the
import, PostgreSQL alone stores the same rows again (benchmarks/_bulk_floor.py:
binary COPY, the indexes and keys rebuilt; in one transaction, and in two
connections), the floor of any importer on this machine (`--no-floor` skips it). The import
(validation, numbering, households, persons, memberships, status history,
duplicate detection, head links) runs in a fresh process so its peak RSS is its own.
Target (issue 4): ≥ 50,000 rows/s, peak RSS < 600 MB, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks._members_setup import (
    bench_actor,
    copy_file,
    django_setup,
    peak_rss_mb,
    write_result,
)

COLUMNS = (
    "household_id person_id relationship last_name first_names sex birth_date national_id "
    "phone locality section category joined_on"
).split()


def _child(path: str, code: str, queue, bulk: bool | None) -> None:
    django_setup()
    from mutualis.members.importer import import_members

    mutual, user = bench_actor(code)
    started = time.perf_counter()
    result = import_members(actor=user, mutual=mutual, path=path, on=date(2026, 1, 1), bulk=bulk)
    seconds = time.perf_counter() - started
    queue.put(
        {
            "seconds": seconds,
            "imported": result.imported,
            "failed": result.failed,
            "duplicates": result.duplicates,
            "peak_rss_mb": peak_rss_mb(),
            "bulk": result.bulk,
            "timings": {k: round(v, 2) for k, v in result.timings.items()},
        }
    )


def plain_copy(path: str) -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cols = ", ".join(f"{c} text" for c in COLUMNS)
        cur.execute("DROP TABLE IF EXISTS bench_plain_members")
        cur.execute(f"CREATE UNLOGGED TABLE bench_plain_members ({cols})")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            copy_file(
                cur.cursor,
                "COPY bench_plain_members FROM STDIN WITH (FORMAT csv, HEADER true)",
                path,
            )
        else:
            import csv

            with open(path, encoding="utf-8") as fh:
                rows = csv.reader(fh)
                next(rows)
                marks = ", ".join(["%s"] * len(COLUMNS))
                cur.executemany(f"INSERT INTO bench_plain_members VALUES ({marks})", rows)  # noqa: S608
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE bench_plain_members")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--bulk",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="force or refuse the bulk-load path (default: the importer decides)",
    )
    parser.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time PostgreSQL alone storing the same rows (benchmarks/_bulk_floor.py)",
    )
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from mutualis.members.synthetic import generate_frame

    code = f"BENCH-{args.n}-{int(time.time())}"
    mutual, _user = bench_actor(code)
    sections = [f"{code}-{i}" for i in (1, 2, 3)]
    folder = Path(tempfile.mkdtemp(prefix="bench-members-"))
    path = folder / "members.csv"
    t0 = time.perf_counter()
    generate_frame(
        persons=args.n, seed=args.seed, sections=sections, on=date(2026, 1, 1)
    ).write_csv(path)
    generated = time.perf_counter() - t0
    copy_s = plain_copy(str(path))
    connection.close()

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(str(path), code, queue, args.bulk))
    child.start()
    ours = queue.get()
    child.join()
    rate = ours["imported"] / ours["seconds"]
    copy_rate = args.n / copy_s
    floor: dict[str, float] = {}
    if args.floor and connection.vendor == "postgresql" and ours["imported"]:
        from benchmarks import _bulk_floor

        floor = _bulk_floor.measure(mutual.pk, folder)
    rows = [
        ("rows in the file", f"{args.n:,}"),
        ("generated (not timed) in", f"{generated:.1f} s"),
        ("plain COPY, unvalidated", f"{copy_s:.2f} s = {copy_rate:,.0f} rows/s"),
        ("import, validated and stored", f"{ours['seconds']:.2f} s = {rate:,.0f} rows/s"),
        ("ratio import / plain COPY", f"{ours['seconds'] / copy_s:.1f} x the time"),
        *(
            (
                f"PostgreSQL alone, {way}",
                f"{sec:.2f} s = {ours['imported'] / sec:,.0f} rows/s "
                f"(import {ours['seconds'] / sec:.2f} x the time)",
            )
            for way, sec in floor.items()
        ),
        ("peak RSS of the import process", f"{ours['peak_rss_mb']:.0f} MB"),
        ("rows imported / failed", f"{ours['imported']:,} / {ours['failed']:,}"),
        ("possible duplicates found", f"{ours['duplicates']:,}"),
        ("bulk-load path", "yes" if ours["bulk"] else "no (slices)"),
        ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}"),
    ]
    width = max(len(k) for k, _v in rows)
    print(f"members import on {connection.vendor}")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    out = write_result(
        f"members_import_{args.n}" + ("_slices" if args.bulk is False else ""),
        {
            "n": args.n,
            "copy_seconds": copy_s,
            "copy_rows_per_s": copy_rate,
            "import_seconds": ours["seconds"],
            "import_rows_per_s": rate,
            "ratio_to_copy": ours["seconds"] / copy_s,
            "database_alone_seconds": {k: round(v, 2) for k, v in floor.items()},
            "peak_rss_mb": ours["peak_rss_mb"],
            "imported": ours["imported"],
            "failed": ours["failed"],
            "duplicates": ours["duplicates"],
            "bulk": ours["bulk"],
            "timings": ours["timings"],
            "targets": {"rows_per_s": 50_000, "peak_rss_mb": 600},
            "mutual": code,
        },
    )
    print("  seconds per phase: " + ", ".join(f"{k} {v}" for k, v in ours["timings"].items()))
    print(f"  written to {out}")
    path.unlink()


if __name__ == "__main__":
    main()
