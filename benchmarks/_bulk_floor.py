"""What PostgreSQL alone needs to store an import's rows: the floor of the bulk-load path.

After an import, the rows it stored (households, persons, memberships, status
changes of the bench mutual) are copied out in PostgreSQL's binary format, then
written again into empty copies of the four tables in a schema of their own,
with nothing of the importer's work (no file reading, no validation, no
numbering, no duplicate search):

- **one transaction**, as the bulk-load path does it: primary and unique keys in
  place during the copy, then the secondary indexes built, the foreign keys
  added and validated, `ANALYZE`, commit;
- **two connections**, each committing its own part (not all-or-nothing): the
  copies split between two connections, then the index builds, then the key
  validations. What a parallel load could reach on this machine.

The difference between the import's time and the first figure is the
importer's own work; the first figure itself cannot be beaten by any importer
that writes the register in a single transaction on this machine.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from benchmarks._members_setup import copy_file

SCHEMA = "bench_floor"
# (table, columns, rows of the mutual): the columns the importer writes.
TABLES = (
    (
        "members_household",
        "id, mutual_id, section_id, number, head_id, locality, address, income_band, "
        "external_id, created_at",
        "mutual_id = {m}",
    ),
    (
        "members_person",
        "id, mutual_id, first_name, last_name, sex, birth_date, birth_year, national_id, "
        "phone, locality, address, normalised_name, external_id, created_at",
        "mutual_id = {m}",
    ),
    (
        "members_membership",
        "id, person_id, household_id, mutual_id, section_id, number, relationship, category, "
        "is_adherent, status, joined_on, created_at",
        "mutual_id = {m}",
    ),
    (
        "members_membershipstatuschange",
        "id, membership_id, status, effective_on, recorded_at, reason, note",
        "membership_id IN (SELECT id FROM public.members_membership WHERE mutual_id = {m})",
    ),
)
SETTINGS = "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '256MB'"


def _dump(cur, folder: Path, mutual_id: int) -> dict[str, Path]:
    files = {}
    for table, cols, where in TABLES:
        path = folder / f"{table}.bin"
        rows = where.format(m=int(mutual_id))
        # Fixed names and an integer: nothing from outside.
        query = f"COPY (SELECT {cols} FROM public.{table} WHERE {rows}) TO STDOUT (FORMAT binary)"  # noqa: S608
        with open(path, "wb") as fh, cur.copy(query) as cp:
            for block in cp:
                fh.write(block)
        files[table] = path
    return files


def _definitions(cur):
    """The key indexes (kept during the copy) and the bulk-load path's own `Schema`
    (secondary indexes, foreign keys) of the four tables, moved to the floor schema."""
    from mutualis.members import bulkload

    tables = tuple(t for t, _c, _w in TABLES)
    cur.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND (i.indisunique OR i.indisprimary)",
        [list(tables)],
    )
    keys = [_here(d) for (d,) in cur.fetchall()]
    schema = bulkload.secondary_schema(cur, tables)
    # The foreign keys name their tables unqualified: the floor schema comes first
    # in the search path of every floor transaction.
    schema.indexes = [(name, _here(d)) for name, d in schema.indexes]
    return keys, schema


def _here(definition: str) -> str:
    return definition.replace(" ON public.", f" ON {SCHEMA}.")


def _fresh_tables(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cur.execute(f"CREATE SCHEMA {SCHEMA}")
        for table, _c, _w in TABLES:
            cur.execute(
                f"CREATE TABLE {SCHEMA}.{table} (LIKE public.{table} "
                "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
            )
    conn.commit()


def _copy_in(cur, table: str, path: Path) -> None:
    cols = next(c for t, c, _w in TABLES if t == table)
    copy_file(cur, f"COPY {SCHEMA}.{table} ({cols}) FROM STDIN (FORMAT binary)", path)


def _in_parallel(dsn: dict, jobs: list[list[str | tuple[str, Path]]]) -> None:
    """Each list of statements (or (table, file) copies) in its own connection and transaction."""
    import psycopg

    failures: list[BaseException] = []

    def work(items) -> None:
        try:
            with psycopg.connect(**dsn) as conn, conn.cursor() as cur:
                cur.execute(SETTINGS)
                cur.execute(f"SET LOCAL search_path = {SCHEMA}, public")
                for item in items:
                    if isinstance(item, tuple):
                        _copy_in(cur, *item)
                    else:
                        cur.execute(item)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(items,)) for items in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def _split(items: list, weight) -> list[list]:
    """Two lists of about equal weight, heaviest first (greedy)."""
    parts: list[list] = [[], []]
    loads = [0.0, 0.0]
    for item in sorted(items, key=weight, reverse=True):
        k = loads.index(min(loads))
        parts[k].append(item)
        loads[k] += weight(item)
    return parts


def measure(mutual_id: int, folder: Path) -> dict[str, float]:
    """Seconds PostgreSQL takes to store the mutual's imported rows again, both ways."""
    import psycopg
    from django.db import connection

    from mutualis.members import bulkload

    connection.ensure_connection()
    params = connection.get_connection_params()
    dsn = {k: params[k] for k in ("dbname", "user", "password", "host", "port") if params.get(k)}
    out: dict[str, float] = {}
    with psycopg.connect(**dsn) as conn:
        with conn.cursor() as cur:
            files = _dump(cur, folder, mutual_id)
            keys, schema = _definitions(cur)
        conn.commit()

        # One transaction, as the bulk-load path.
        _fresh_tables(conn)
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(SETTINGS)
            cur.execute(f"SET LOCAL search_path = {SCHEMA}, public")
            for statement in keys:
                cur.execute(statement)
            for table, path in files.items():
                _copy_in(cur, table, path)
            bulkload.restore(cur, schema)
            cur.execute("ANALYZE " + ", ".join(t for t, _c, _w in TABLES))
        conn.commit()
        out["one transaction"] = time.perf_counter() - started

        # Two connections, each committing its part.
        _fresh_tables(conn)
        with conn.cursor() as cur:
            for statement in keys:
                cur.execute(statement)
        conn.commit()
        sizes = {t: p.stat().st_size for t, p in files.items()}
        started = time.perf_counter()
        _in_parallel(dsn, _split(list(files.items()), lambda item: sizes[item[0]]))
        # The trigram and word indexes on names are the longest builds.
        heavy = {"gin": 4.0, "normalised_name": 2.0}
        _in_parallel(
            dsn,
            _split(
                [d for _n, d in schema.indexes],
                lambda d: max([v for k, v in heavy.items() if k in d] or [1.0]),
            ),
        )
        # Keys added unchecked at once, then validated in two connections, each
        # table's keys in one of them (a validation locks its table against another).
        with conn.cursor() as cur:
            cur.execute(f"SET LOCAL search_path = {SCHEMA}, public")
            for table, name, definition, _valid in schema.foreign_keys:
                cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID")
        conn.commit()
        by_table: dict[str, list[str]] = {}
        for table, name, _d, valid in schema.foreign_keys:
            if valid:  # as bulkload.restore: a key NOT VALID before stays so
                by_table.setdefault(table, []).append(
                    f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}"
                )
        _in_parallel(
            dsn,
            [sum(part, []) for part in _split(list(by_table.values()), len)],
        )
        _in_parallel(dsn, [[f"ANALYZE {t}" for t, _c, _w in TABLES[k::2]] for k in (0, 1)])
        out["two connections"] = time.perf_counter() - started

        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
        conn.commit()
    for path in files.values():
        path.unlink()
    return out
