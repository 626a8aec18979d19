"""Bulk-load path of the member import on PostgreSQL (docs/members.md, "Importing a file").

For an import as large as the register (a migration), maintaining eight indexes
(two of them GIN) row by row and checking six foreign keys per person with a
trigger costs many times the insert itself. Inside ONE transaction the importer
then:

1. locks the four tables it writes (`ACCESS EXCLUSIVE`: nobody reads or writes
   them until the commit) and their key sequences;
2. drops their non-unique secondary indexes and their foreign keys, after
   reading the exact definitions from the catalogue (`pg_get_indexdef`,
   `pg_get_constraintdef`: the migrations stay the source of truth). Dropping a
   foreign key locks the table it points to as well (`core_organisation`,
   `core_user`, `providers_provider`, `members_group`): the application waits
   for the commit. Keeping those keys would spare the lock but cost a trigger
   per row and key (about +16 s per million persons, measured);
3. takes each table's primary keys as one block of its sequence;
4. copies every slice;
5. builds the indexes again (one sort each instead of a million insertions)
   and adds the foreign keys back `NOT VALID` and then `VALIDATE`s them (one
   set-based check per key instead of one trigger per row).

PostgreSQL DDL is transactional: a failure anywhere rolls back the rows, and the
indexes and constraints are there as before. Unique indexes (primary keys,
external ids, numbers) stay in place and check every row as it is copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from django.db import connection

# The tables the importer writes in bulk (the duplicate candidates are few: untouched).
BULK_TABLES = (
    "members_household",
    "members_person",
    "members_membership",
    "members_membershipstatuschange",
)
# Below this many rows, or when the register already holds more persons than the
# file, the slice path (indexes and keys kept, other users not blocked) is used.
BULK_MIN_ROWS = 50_000
MAINTENANCE_WORK_MEM = "256MB"
WORK_MEM = "256MB"
LOCK_TIMEOUT = "10s"


def bulk_wanted(requested: bool | None, rows: int) -> bool:
    """Whether an import of `rows` new persons takes the bulk-load path.

    `requested` True/False forces it (PostgreSQL only); None decides: at least
    BULK_MIN_ROWS rows and at least as many as the persons already registered
    (all mutuals: the indexes rebuilt cover the whole table)."""
    if connection.vendor != "postgresql" or rows == 0 or requested is False:
        return False
    if requested:
        return True
    if rows < BULK_MIN_ROWS:
        return False
    return rows >= registered_persons()


def registered_persons() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'members_person'::regclass")
        estimate = cur.fetchone()[0]
        if estimate is None or estimate < 0:  # never analysed
            cur.execute("SELECT count(*) FROM members_person")
            estimate = cur.fetchone()[0]
    return int(estimate)


@dataclass
class Schema:
    """The secondary indexes and foreign keys of the bulk tables, as the catalogue has them."""

    indexes: list[tuple[str, str]]  # (index name, CREATE INDEX statement)
    foreign_keys: list[tuple[str, str, str, bool]]  # (table, name, definition, validated)


def secondary_schema(cur, tables: tuple[str, ...] = BULK_TABLES) -> Schema:
    cur.execute(
        """
        SELECT quote_ident(c.relname), pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint k
            WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
          )
        ORDER BY 1
        """,
        [list(tables)],
    )
    indexes = cur.fetchall()
    cur.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid),
               convalidated
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2
        """,
        [list(tables)],
    )
    return Schema(indexes=indexes, foreign_keys=cur.fetchall())


def drop(cur, schema: Schema) -> None:
    # A table with pending deferred checks (rows written earlier in an enclosing
    # transaction) cannot be altered: run those checks now.
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    by_table: dict[str, list[str]] = {}
    for table, name, _definition, _valid in schema.foreign_keys:
        by_table.setdefault(table, []).append(f"DROP CONSTRAINT {name}")
    for table, clauses in by_table.items():
        cur.execute(f"ALTER TABLE {table} {', '.join(clauses)}")
    if schema.indexes:
        cur.execute("DROP INDEX " + ", ".join(name for name, _d in schema.indexes))


def restore(cur, schema: Schema, *, step: Callable[[str], None] | None = None) -> None:
    """Build the indexes again, then add the foreign keys back and validate them."""
    for name, definition in schema.indexes:
        cur.execute(definition)
        if step:
            step(name)
    by_table: dict[str, list[str]] = {}
    for table, name, definition, valid in schema.foreign_keys:
        # A key that was NOT VALID before stays so (its definition says it).
        suffix = " NOT VALID" if valid else ""
        by_table.setdefault(table, []).append(f"ADD CONSTRAINT {name} {definition}{suffix}")
    for table, clauses in by_table.items():
        cur.execute(f"ALTER TABLE {table} {', '.join(clauses)}")
    for table, name, _definition, valid in schema.foreign_keys:
        if valid:
            cur.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
            if step:
                step(name)
    # Back to the keys' own timing (Django's are all INITIALLY DEFERRED).
    cur.execute("SET CONSTRAINTS ALL DEFERRED")


def lock(cur, tables: tuple[str, ...] = BULK_TABLES) -> None:
    """Lock the tables and their key sequences until the end of the transaction.

    `ALTER SEQUENCE` takes a lock that `nextval` waits for: a clerk enrolling, or
    another import reserving keys, waits for the commit instead of taking a key of
    the block."""
    cur.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
    for table in tables:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        cur.execute(f"ALTER SEQUENCE {cur.fetchone()[0]} INCREMENT BY 1")


class KeyBlocks:
    """Primary keys handed out from one block per table, reserved at once.

    Call `lock` first in the same transaction: with the sequence locked, the block
    (`setval` past `nextval`) cannot overlap a key anyone else takes."""

    def __init__(self, cur, counts: dict[str, int]):
        self.next: dict[str, int] = {}
        self.end: dict[str, int] = {}
        for table, count in counts.items():
            if count <= 0:
                continue
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            seq = cur.fetchone()[0]
            cur.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, count])
            last = cur.fetchone()[0]
            self.next[table] = last - count + 1
            self.end[table] = last + 1

    def __call__(self, table: str, count: int) -> pl.Series:
        first = self.next[table]
        if first + count > self.end[table]:
            raise RuntimeError(f"key block of {table} exhausted")
        self.next[table] = first + count
        return pl.int_range(first, first + count, dtype=pl.Int64, eager=True)
