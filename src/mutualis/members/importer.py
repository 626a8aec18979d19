"""Bulk import of households and persons from CSV or XLSX (issue 4, DOMAIN §3).

One row per person. Reading is polars (CSV) / fastexcel (XLSX); validation is
vectorised over whole columns; good rows are written set-based (COPY on
PostgreSQL, executemany on SQLite) in chunks, each its own transaction, with
progress in the batch log. Bad rows come back in an error report (row, column,
message) with the original columns, so the clerk corrects and re-imports it.
Re-importing is idempotent: a person whose external id (the file's person id)
is already registered in the mutual is skipped; a household id already known
gets the new persons. Likely duplicates (same national ID; same normalised name
+ birth year + locality) are imported and listed for review.

Imported memberships are active from their joining date (the file is a
register being migrated), and each gets its dated status change. Historical
rows (django-simple-history) are not written for imported rows: the import
itself is recorded in the batch log and audit events.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

import phonenumbers
import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mutualis.core.errors import ValidationFailed
from mutualis.core.models import BatchLog, Organisation, OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.core.services import audit_record, batch_run, sequence_reserve
from mutualis.engine.checkdigit import _TABLE

from . import bulkload, numbers
from .models import Household, MemberCategory, MembershipStatus, Person, Relationship
from .names import fold

# (canonical name, French header, other accepted spellings)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("household_id", "id_menage", ("menage", "household", "household_ref")),
    ("person_id", "id_personne", ("personne", "person", "person_ref")),
    ("relationship", "lien", ("lien_parente", "relation")),
    ("last_name", "nom", ("nom_de_famille", "family_name")),
    ("first_names", "prenoms", ("prenom", "first_name")),
    ("sex", "sexe", ()),
    ("birth_date", "date_naissance", ("naissance", "date_of_birth")),
    ("national_id", "numero_national", ("nin", "cni")),
    ("phone", "telephone", ("tel",)),
    ("locality", "localite", ("village", "quartier")),
    ("section", "section", ()),
    ("category", "categorie", ()),
    ("joined_on", "date_adhesion", ("adhesion",)),
]
REQUIRED = ("household_id", "person_id", "relationship", "last_name", "first_names", "sex")
REPORT_COLUMNS = {"en": ("row", "column", "message"), "fr": ("ligne", "colonne", "message")}

RELATIONSHIPS = {
    "head": Relationship.HEAD,
    "chef": Relationship.HEAD,
    "chef de menage": Relationship.HEAD,
    "household head": Relationship.HEAD,
    "spouse": Relationship.SPOUSE,
    "conjoint": Relationship.SPOUSE,
    "conjointe": Relationship.SPOUSE,
    "epoux": Relationship.SPOUSE,
    "epouse": Relationship.SPOUSE,
    "child": Relationship.CHILD,
    "enfant": Relationship.CHILD,
    "parent": Relationship.PARENT,
    "pere": Relationship.PARENT,
    "mere": Relationship.PARENT,
    "dependant": Relationship.DEPENDANT,
    "autre": Relationship.DEPENDANT,
    "other": Relationship.DEPENDANT,
}
SEXES = {"f": "F", "female": "F", "femme": "F", "m": "M", "h": "M", "male": "M", "homme": "M"}
CATEGORIES = {
    "formal": MemberCategory.FORMAL,
    "formel": MemberCategory.FORMAL,
    "salarie": MemberCategory.FORMAL,
    "informal": MemberCategory.INFORMAL,
    "informel": MemberCategory.INFORMAL,
    "student": MemberCategory.STUDENT,
    "etudiant": MemberCategory.STUDENT,
    "eleve": MemberCategory.STUDENT,
    "indigent": MemberCategory.INDIGENT,
    "other": MemberCategory.OTHER,
    "autre": MemberCategory.OTHER,
}

# Row messages (translated once per import, not per row).
MESSAGES = {
    "required": _("This value is required."),
    "sex": _("Write F or M."),
    "relationship": _("Unknown relationship (head, spouse, child, parent, other)."),
    "category": _("Unknown category (formal, informal, student, indigent, other)."),
    "section": _("Unknown section code, or a section you may not enrol in."),
    "date": _("Not a date (write YYYY-MM-DD, DD/MM/YYYY or the year)."),
    "future": _("This date is in the future."),
    "year": _("The year of birth is not plausible."),
    "phone": _("Not a phone number."),
    "too_long": _("This value is too long."),
    "twice": _("This person id appears more than once in the file."),
    "no_head": _("This household has no valid head row (relationship = head)."),
    "two_heads": _("This household has more than one head."),
    "has_head": _("This household is already registered with a head."),
    "section_head": _("The head's row needs a section."),
}

CHUNK = 100_000
STORED = [
    "household_id",
    "person_id",
    "rel",
    "sx",
    "cat",
    "section_id",
    "bdate",
    "byear",
    "joined",
    "phone_e164",
    "national_id",
    "last_name",
    "first_names",
    "locality",
]


class ImportFileInvalid(ValidationFailed):
    code = "import_file_invalid"
    message = _("The file cannot be read: {reason}")


class MissingColumns(ValidationFailed):
    code = "import_missing_columns"
    message = _("Columns missing from the file: {columns}.")


@dataclass
class ImportResult:
    rows_total: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    households: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    report: str = ""
    batch_id: int | None = None
    bulk: bool = False
    # Seconds per phase (read and validate, write, indexes, keys, ...), for benchmarks.
    timings: dict[str, float] = field(default_factory=dict)

    def timed(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now


# --- Template ----------------------------------------------------------------------

EXAMPLE = [
    ["M-001", "P-001", "head", "NDIAYE", "Hélène", "F", "1984-03-12", "1751198400123",
     "+221771234567", "Thiès", "", "informal", ""],
    ["M-001", "P-002", "spouse", "NDIAYE", "Mamadou", "M", "1980", "", "", "Thiès", "", "", ""],
    ["M-001", "P-003", "child", "NDIAYE", "Awa", "F", "12/05/2015", "", "", "Thiès", "", "", ""],
]  # fmt: skip


def template_frame(language: str, section_code: str = "") -> pl.DataFrame:
    headers = [fr if language == "fr" else en for en, fr, _alts in COLUMNS]
    rows = [list(r) for r in EXAMPLE]
    for r in rows:
        r[10] = section_code
    if language == "fr":
        fr_values = {
            "head": "chef",
            "spouse": "conjoint",
            "child": "enfant",
            "informal": "informel",
        }
        for r in rows:
            r[2] = fr_values.get(r[2], r[2])
            r[11] = fr_values.get(r[11], r[11])
    return pl.DataFrame(rows, schema=headers, orient="row")


def template_bytes(language: str, fmt: str, section_code: str = "") -> bytes:
    frame = template_frame(language, section_code)
    buf = io.BytesIO()
    if fmt == "xlsx":
        frame.write_excel(buf, worksheet="members" if language == "en" else "membres")
    else:
        frame.write_csv(buf)
    return buf.getvalue()


# --- Reading -----------------------------------------------------------------------


def _header_key(name: str) -> str:
    return fold(name).replace(" ", "_")


ALIASES = {}
for _en, _fr, _alts in COLUMNS:
    for _name in (_en, _fr, *_alts):
        ALIASES[_header_key(_name)] = _en


class Source:
    """The rows of a file (or frame), read a slice at a time.

    `chunk(offset, length)` gives strings under the canonical column names;
    `rows(numbers)` gives the original columns of some rows (for the error
    report). An XLSX sheet (at most 1,048,576 rows) is read whole; a CSV is
    read by `CsvSource`, a slice of lines at a time.
    """

    def __init__(self, raw: pl.LazyFrame):
        try:
            names = raw.collect_schema().names()
        except Exception as exc:  # polars/fastexcel raise many kinds; the clerk sees one message
            raise ImportFileInvalid(reason=str(exc).splitlines()[0][:200]) from None
        self._headers(names)
        self.raw = raw
        self.height = self._collect(raw.select(pl.len())).item()

    def _headers(self, names: list[str]) -> None:
        self.original: dict[str, str] = {}
        for col in names:
            key = ALIASES.get(_header_key(col))
            if key and key not in self.original:
                self.original[key] = col
        missing = [c for c in REQUIRED if c not in self.original]
        if missing:
            raise MissingColumns(columns=", ".join(missing))
        self.canonical = [
            pl.col(self.original[en]).cast(pl.String).alias(en)
            if en in self.original
            else pl.lit(None, dtype=pl.String).alias(en)
            for en, _fr, _alts in COLUMNS
        ]

    @staticmethod
    def _collect(lazy: pl.LazyFrame) -> pl.DataFrame:
        try:
            return lazy.collect()
        except Exception as exc:  # a malformed line further down the file
            raise ImportFileInvalid(reason=str(exc).splitlines()[0][:200]) from None

    def chunk(self, offset: int, length: int) -> pl.DataFrame:
        return self._collect(self.raw.slice(offset, length).select(self.canonical))

    def rows(self, numbers: pl.Series) -> pl.DataFrame:
        """Original columns of the rows numbered `numbers` (file lines, header = 1)."""
        return self._collect(
            self.raw.with_row_index("row", offset=2)
            .with_columns(pl.col("row").cast(pl.Int64))
            .filter(pl.col("row").is_in(numbers.implode()))
        )

    def close(self) -> None:
        pass


class CsvSource(Source):
    """A CSV read a slice of lines at a time through a plain file handle: memory
    stays bounded by the slice (a memory-mapped scan would keep the whole file
    resident). A line is a row, as in the row numbers of the error report."""

    def __init__(self, path: Path, separator: str):
        self.path = path
        self.options = {
            "infer_schema": False,
            "encoding": "utf8-lossy",
            "separator": separator,
            "truncate_ragged_lines": True,
        }
        with open(path, "rb") as fh:
            self.header = fh.readline()
            count, last = 0, b"\n"
            while block := fh.read(1 << 20):
                count += block.count(b"\n")
                last = block[-1:]
        self.height = count + (last != b"\n")
        self._headers(self._parse(b"").columns)
        self._fh = None
        self._at = 0

    def _parse(self, body: bytes) -> pl.DataFrame:
        try:
            return pl.read_csv(io.BytesIO(self.header + body), **self.options)
        except Exception as exc:  # polars raises many kinds; the clerk sees one message
            raise ImportFileInvalid(reason=str(exc).splitlines()[0][:200]) from None

    def _lines(self, offset: int, length: int) -> bytes:
        if self._fh is None or offset != self._at:
            self.close()
            self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open between slices
            self._fh.readline()
            deque(islice(self._fh, offset), maxlen=0)
        lines = list(islice(self._fh, length))
        self._at = offset + len(lines)
        return b"".join(lines)

    def chunk(self, offset: int, length: int) -> pl.DataFrame:
        return self._parse(self._lines(offset, length)).select(self.canonical)

    def rows(self, numbers: pl.Series) -> pl.DataFrame:
        wanted = numbers.implode()
        found = [
            self._parse(self._lines(offset, CHUNK))
            .with_row_index("row", offset=offset + 2)
            .with_columns(pl.col("row").cast(pl.Int64))
            .filter(pl.col("row").is_in(wanted))
            for offset in range(0, self.height, CHUNK)
        ]
        return pl.concat(found, how="diagonal_relaxed")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def open_source(path: str | Path, *, file_name: str = "") -> Source:
    path = Path(path)
    name = (file_name or path.name).lower()
    try:
        if name.endswith((".xlsx", ".xls", ".ods")):
            return Source(pl.read_excel(path, infer_schema_length=0).lazy())
        with open(path, "rb") as fh:
            first = fh.readline()
    except Exception as exc:  # polars/fastexcel raise many kinds; the clerk sees one message
        raise ImportFileInvalid(reason=str(exc).splitlines()[0][:200]) from None
    return CsvSource(path, ";" if first.count(b";") > first.count(b",") else ",")


def read_file(path: str | Path, *, file_name: str = "") -> tuple[pl.DataFrame, dict[str, str]]:
    """The whole file as strings with canonical column names, and canonical → original header."""
    source = open_source(path, file_name=file_name)
    return source.chunk(0, source.height), source.original


# --- Vectorised helpers ------------------------------------------------------------


def normalised_name_expr(first: str, last: str) -> pl.Expr:
    """The same value as names.normalise_name(first, last), computed by polars."""
    joined = pl.concat_str([pl.col(first).fill_null(""), pl.col(last).fill_null("")], separator=" ")
    return (
        joined.str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.sort()
        .list.join(" ")
    )


def _parse_date(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.coalesce(
        c.str.to_date("%Y-%m-%d", strict=False),
        c.str.to_date("%d/%m/%Y", strict=False),
        c.str.to_date("%d-%m-%Y", strict=False),
    )


def _phone_expr(country: str) -> pl.Expr:
    code = str(phonenumbers.country_code_for_region(country or "SN") or 221)
    digits = pl.col("phone").str.replace_all(r"[\s\-\.\(\)/]", "")
    return (
        pl.when(pl.col("phone").is_null() | (pl.col("phone") == ""))
        .then(pl.lit(""))
        .when(digits.str.starts_with("+"))
        .then(digits)
        .when(digits.str.starts_with("00"))
        .then(pl.lit("+") + digits.str.slice(2))
        .otherwise(pl.lit("+" + code) + digits.str.strip_chars_start("0"))
    )


def damm_expr(serial: pl.Expr, width: int) -> pl.Expr:
    """Append the Damm check digit to an integer column of `width` digits."""
    flat = pl.Series([v for row in _TABLE for v in row], dtype=pl.Int64)
    text = serial.cast(pl.String).str.zfill(width)
    interim = pl.lit(0, dtype=pl.Int64)
    for i in range(width):
        digit = text.str.slice(i, 1).cast(pl.Int64)
        interim = pl.lit(flat).gather(interim * 10 + digit)
    return text + interim.cast(pl.String)


# --- Validation --------------------------------------------------------------------


# --- Validation --------------------------------------------------------------------


def validate(
    frame: pl.DataFrame,
    *,
    mutual: Organisation,
    sections: dict[str, int],
    on: date,
    first_row: int = 2,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned frame (with `row`, `ok`) and the errors (row, column, code) of one slice.

    Checks that need the whole file (a person id twice, one head per household,
    rows already imported) are made afterwards on a few small columns.
    """
    trimmed = [pl.col(c).str.strip_chars().alias(c) for c in frame.columns]
    df = frame.with_columns(trimmed).with_columns(
        row=pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64)
    )
    rel_key = pl.col("relationship").str.to_lowercase().str.replace_all("_", " ")
    df = df.with_columns(
        rel=rel_key.replace_strict(RELATIONSHIPS, default=None, return_dtype=pl.String),
        sx=pl.col("sex")
        .str.to_lowercase()
        .replace_strict(SEXES, default=None, return_dtype=pl.String),
        cat=pl.when(pl.col("category").is_null() | (pl.col("category") == ""))
        .then(pl.lit(MemberCategory.INFORMAL.value))
        .otherwise(
            pl.col("category")
            .str.to_lowercase()
            .str.normalize("NFKD")
            .str.replace_all(r"\p{Mn}", "")
            .replace_strict(CATEGORIES, default=None, return_dtype=pl.String)
        ),
        section_id=pl.col("section").replace_strict(sections, default=None, return_dtype=pl.Int64),
        bdate=_parse_date("birth_date"),
        byear_only=pl.col("birth_date").str.extract(r"^(\d{4})$", 1).cast(pl.Int32, strict=False),
        joined=pl.when(pl.col("joined_on").is_null() | (pl.col("joined_on") == ""))
        .then(pl.lit(on))
        .otherwise(_parse_date("joined_on")),
        phone_e164=_phone_expr(mutual.country),
    )
    df = df.with_columns(
        byear=pl.coalesce(pl.col("bdate").dt.year().cast(pl.Int32), pl.col("byear_only")),
    )

    def blank(c: str) -> pl.Expr:
        return pl.col(c).is_null() | (pl.col(c) == "")

    checks: list[tuple[str, str, pl.Expr]] = [
        (c, "required", blank(c)) for c in ("household_id", "person_id", "last_name", "first_names")
    ]
    checks += [
        ("relationship", "relationship", pl.col("rel").is_null()),
        ("sex", "sex", pl.col("sx").is_null()),
        ("category", "category", pl.col("cat").is_null()),
        ("section", "section", ~blank("section") & pl.col("section_id").is_null()),
        ("section", "section_head", blank("section") & (pl.col("rel") == Relationship.HEAD.value)),
        (
            "birth_date",
            "date",
            ~blank("birth_date") & pl.col("bdate").is_null() & pl.col("byear_only").is_null(),
        ),
        ("birth_date", "future", pl.col("bdate") > pl.lit(on)),
        ("birth_date", "year", (pl.col("byear") < 1900) | (pl.col("byear") > on.year)),
        ("joined_on", "date", pl.col("joined").is_null()),
        ("joined_on", "future", pl.col("joined") > pl.lit(on)),
        (
            "phone",
            "phone",
            (pl.col("phone_e164") != "") & ~pl.col("phone_e164").str.contains(r"^\+\d{8,15}$"),
        ),
        ("national_id", "too_long", pl.col("national_id").str.len_chars() > 40),
        ("last_name", "too_long", pl.col("last_name").str.len_chars() > 120),
        ("first_names", "too_long", pl.col("first_names").str.len_chars() > 120),
        ("household_id", "too_long", pl.col("household_id").str.len_chars() > 64),
        ("person_id", "too_long", pl.col("person_id").str.len_chars() > 64),
        ("locality", "too_long", pl.col("locality").str.len_chars() > 120),
    ]
    errors = pl.concat(
        [
            df.filter(expr.fill_null(False)).select(
                "row", pl.lit(column).alias("column"), pl.lit(code).alias("code")
            )
            for column, code, expr in checks
        ]
    )
    df = df.with_columns(ok=~pl.col("row").is_in(errors.get_column("row").implode()))
    return df, errors


def _existing(model, mutual: Organisation, ids: list[str]) -> dict[str, int]:
    """External id → pk of the rows already registered in the mutual."""
    found: dict[str, int] = {}
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cur:
            for i in range(0, len(ids), 200_000):
                cur.execute(
                    f'SELECT external_id, id FROM "{table}" '  # noqa: S608 - model table
                    "WHERE mutual_id = %s AND external_id = ANY(%s) AND external_id <> ''",
                    [mutual.pk, ids[i : i + 200_000]],
                )
                found.update(cur.fetchall())
        return found
    for i in range(0, len(ids), 5000):
        part = ids[i : i + 5000]
        found.update(
            model.objects.filter(mutual=mutual, external_id__in=part).values_list(
                "external_id", "pk"
            )
        )
    return found


def _file_checks(
    keys: pl.DataFrame, known_households: dict[str, int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Checks over the whole file, on its key columns (row, chunk, person and household
    ids, relationship, ok, skipped): a person id twice, and one valid head per new
    household. Returns the keys with `good` and `bucket`, and the errors found."""
    pid = pl.col("person_id")
    keys = keys.with_columns(twice=pid.is_not_null() & ~pid.is_first_distinct()).drop("person_id")
    twice = keys.filter("twice").select(
        "row", pl.lit("person_id").alias("column"), pl.lit("twice").alias("code")
    )
    keys = keys.with_columns(ok=pl.col("ok") & ~pl.col("twice")).with_columns(
        skipped=pl.col("ok") & pl.col("skipped")
    )
    live = keys.filter(pl.col("ok") & ~pl.col("skipped"))
    is_head = pl.col("rel") == Relationship.HEAD.value
    live = live.with_columns(
        heads=is_head.sum().over("household_id"),
        known=pl.col("household_id").is_in(list(known_households), nulls_equal=False),
    )
    problems = pl.concat(
        [
            twice,
            live.filter(pl.col("known") & is_head).select(
                "row", pl.lit("relationship").alias("column"), pl.lit("has_head").alias("code")
            ),
            live.filter(~pl.col("known") & (pl.col("heads") == 0)).select(
                "row", pl.lit("household_id").alias("column"), pl.lit("no_head").alias("code")
            ),
            live.filter(~pl.col("known") & (pl.col("heads") > 1)).select(
                "row", pl.lit("household_id").alias("column"), pl.lit("two_heads").alias("code")
            ),
        ]
    )
    del live
    bad = problems.get_column("row").implode()
    keys = keys.with_columns(
        good=pl.col("ok") & ~pl.col("skipped") & ~pl.col("row").is_in(bad),
        known_hh=pl.col("household_id").replace_strict(
            known_households, default=None, return_dtype=pl.Int64
        ),
    )
    # Each household is written with the slice where it first appears, so a
    # household is never split between two transactions.
    keys = keys.with_columns(
        bucket=pl.when("good").then(pl.col("chunk").min().over("household_id", "good"))
    )
    return keys, problems


# --- Writing -----------------------------------------------------------------------


def _reserve_ids(table: str, count: int) -> pl.Series:
    """`count` fresh primary keys of `table` (PostgreSQL sequence or SQLite max)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # nextval per row (safe beside clerks enrolling at the same time);
            # only a non-contiguous block (a concurrent insert) comes back whole.
            cur.execute(
                "WITH s AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) v "
                "FROM generate_series(1, %s)) SELECT min(v), CASE WHEN max(v) - min(v) + 1 "
                "= count(*) THEN NULL ELSE array_agg(v ORDER BY v) END FROM s",
                [table, count],
            )
            first, ids = cur.fetchone()
            if ids is not None:
                return pl.Series(ids, dtype=pl.Int64)
        else:
            cur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608
            first = cur.fetchone()[0]
        return pl.int_range(first, first + count, dtype=pl.Int64, eager=True)


def _csv(frame: pl.DataFrame, not_null: tuple[str, ...] = ()) -> bytes:
    """The frame as COPY input (CSV without header)."""
    cols = frame.columns
    frame = frame.with_columns([pl.col(c).fill_null("") for c in not_null if c in cols])
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
    return buf.getvalue()


def _copy(table: str, cols: list[str], data: bytes) -> None:
    names = ", ".join(f'"{c}"' for c in cols)
    with (
        connection.cursor() as cur,
        cur.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)') as cp,
    ):
        cp.write(data)


def _write(table: str, frame: pl.DataFrame, not_null: tuple[str, ...] = ()) -> None:
    cols = frame.columns
    if frame.height == 0:
        return
    if connection.vendor == "postgresql":
        _copy(table, cols, _csv(frame, not_null))
        return
    frame = frame.with_columns([pl.col(c).fill_null("") for c in not_null if c in cols])
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    with connection.cursor() as cur:
        cur.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - fixed names
            frame.iter_rows(),
        )


def _find_duplicates(
    mutual: Organisation,
    first_id: int,
    last_id: int,
    candidates: dict[str, list[int]] | None = None,
) -> int:
    """Pair each new person with older persons of the mutual that look the same.

    `candidates` (bulk-load path): per reason, the only persons that can pair (their
    keys hash alike, `_duplicate_candidates`); the query still compares the values."""
    now = timezone.now()
    # On SQLite (no statistics), `+col` and COALESCE keep the planner on the
    # national-ID and name indexes instead of the mutual's.
    pg = connection.vendor == "postgresql"
    plus = "" if pg else "+"
    not_merged = "o.merged_into_id IS NULL" if pg else "COALESCE(o.merged_into_id, 0) = 0"
    sql = f"""
        INSERT INTO members_duplicatecandidate
            (mutual_id, person_id, other_id, reason, status, created_at)
        SELECT DISTINCT n.mutual_id, n.id, o.id, %s, 'open', %s
        FROM members_person n JOIN members_person o
          ON {plus}o.mutual_id = n.mutual_id AND {plus}o.id < n.id AND {not_merged} AND {{cond}}
        WHERE n.mutual_id = %s AND n.id BETWEEN %s AND %s {{only}}
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - fixed fragments only
    conds = {
        "national_id": "NOT (n.national_id = '') AND NOT (o.national_id = '') "
        "AND o.national_id = n.national_id",
        "name_birth_year_locality": "o.normalised_name = n.normalised_name "
        f"AND {plus}o.birth_year = n.birth_year AND lower(o.locality) = lower(n.locality)",
    }
    total = 0
    with connection.cursor() as cur:
        for reason, cond in conds.items():
            params = [reason, now, mutual.pk, first_id, last_id]
            only = ""
            if candidates is not None:
                ids = candidates.get(reason, [])
                if not ids:
                    continue
                only = "AND n.id = ANY(%s) AND o.id = ANY(%s)"
                params += [ids, ids]
            cur.execute(sql.format(cond=cond, only=only), params)
            total += max(cur.rowcount, 0)
    return total


def _duplicate_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """id and 64-bit hashes of the two duplicate keys of persons (id, normalised_name,
    birth_year, locality, national_id): equal keys hash alike."""
    name_key = pl.struct(
        pl.col("normalised_name").fill_null(""),
        pl.col("birth_year").cast(pl.Int64),
        pl.col("locality").fill_null("").str.to_lowercase(),
    ).hash(seed=1)
    nid = pl.col("national_id").fill_null("")
    return frame.select(
        pl.col("id").cast(pl.Int64),
        name_key=pl.when(pl.col("birth_year").is_not_null()).then(name_key),
        national_id=pl.when(nid != "").then(nid.hash(seed=2)),
    )


def _duplicate_candidates(
    mutual: Organisation, first_id: int, new_keys: list[pl.DataFrame]
) -> dict[str, list[int]]:
    """Persons whose duplicate keys hash like another's, one of them new (bulk path).

    The register's older persons of the mutual (not merged) are read once; the
    pairs themselves are confirmed by `_find_duplicates` on the values. One pass
    of hashing instead of a self-join of the whole register sorted on text."""
    with connection.cursor() as cur:
        buf = io.BytesIO()
        with cur.cursor.copy(
            "COPY (SELECT id, normalised_name, birth_year, locality, national_id "
            "FROM members_person WHERE mutual_id = %s AND id < %s AND merged_into_id IS NULL) "
            "TO STDOUT WITH (FORMAT csv, HEADER true)",
            [mutual.pk, first_id],
        ) as cp:
            for block in cp:
                buf.write(block)
    old = pl.read_csv(
        buf.getvalue(),
        schema_overrides={"normalised_name": pl.String, "locality": pl.String,
                          "national_id": pl.String, "birth_year": pl.Int64},
    )  # fmt: skip
    del buf
    keys = pl.concat([_duplicate_keys(old), *new_keys])
    del old
    found = {}
    for column, reason in (
        ("national_id", "national_id"),
        ("name_key", "name_birth_year_locality"),
    ):
        shared = (
            keys.filter(pl.col(column).is_not_null())
            .group_by(column)
            .agg(pl.len().alias("n"), pl.col("id").max().alias("newest"))
            .filter((pl.col("n") > 1) & (pl.col("newest") >= first_id))
        )
        found[reason] = (
            keys.join(shared.select(column), on=column, how="semi").get_column("id").to_list()
        )
    return found


def _analyze(*tables: str) -> None:
    """Fresh planner statistics after a bulk load (else searches walk a whole section)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in tables:
                cur.execute(f"ANALYZE {table}")  # noqa: S608 - fixed names


# The GIN name indexes of persons (migrations 0003 and 0005) take new rows into a
# pending list that every search then reads in full; after a large import, merge it
# into the index at once rather than leave searches to pay for it until autovacuum.
_GIN_NAME_INDEXES = ("person_name_trgm", "person_name_words")


def _gin_flush() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for index in _GIN_NAME_INDEXES:
            cur.execute("SELECT to_regclass(%s)", [index])
            if cur.fetchone()[0] is not None:
                cur.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def _store_bucket(
    part: pl.DataFrame,
    *,
    mutual: Organisation,
    known: pl.DataFrame,
    now,
    analyze: bool,
    keys: Callable[[str, int], pl.Series] | None = None,
    duplicates: bool | list[pl.DataFrame] = True,
    serials: Callable[[str, int], int] | None = None,
    write: Callable[..., None] | None = None,
) -> tuple[int, int]:
    """Write one slice of whole households (call inside a transaction).

    `keys(table, count)` gives the primary keys (default: `_reserve_ids`); the
    bulk-load path hands out a block reserved once and searches duplicates once
    at the end (`duplicates` a list: the slice's duplicate keys are appended to it).
    `serials(key, count)` gives the first household/beneficiary serial (default
    `sequence_reserve`) and `write(table, frame, not_null)` stores a frame (default
    `_write`): the bulk path prepares a slice in a thread without the database.
    Returns (new households, possible duplicates)."""
    _reserve = keys or _reserve_ids
    _serial = serials or (lambda key, count: sequence_reserve(key=key, count=count))
    store = write or _write
    m = part.height
    p_ids = _reserve("members_person", m)
    part = part.with_columns(pid=p_ids, mid=_reserve("members_membership", m))
    heads = part.filter(pl.col("known_hh").is_null() & (pl.col("rel") == Relationship.HEAD.value))
    h = heads.height
    if h:
        h_serial = _serial(numbers.HOUSEHOLD_KEY, h)
        heads = heads.with_columns(
            hh_id=_reserve("members_household", h),
            hh_section=pl.col("section_id"),
            hh_number=damm_expr(
                pl.int_range(0, h, dtype=pl.Int64) + (numbers.HOUSEHOLD_BASE + h_serial), 7
            ),
        )
        store(
            "members_household",
            heads.select(
                pl.col("hh_id").alias("id"),
                pl.lit(mutual.pk).alias("mutual_id"),
                "section_id",
                pl.col("hh_number").alias("number"),
                pl.col("pid").alias("head_id"),
                pl.col("locality").fill_null(""),
                pl.lit("").alias("address"),
                pl.lit("").alias("income_band"),
                pl.col("household_id").alias("external_id"),
                pl.lit(now).alias("created_at"),
            ),
        )
    households = pl.concat(
        [heads.select("household_id", "hh_id", "hh_section"), known] if h else [known]
    )
    part = part.join(households, on="household_id", how="left")
    serial = _serial(numbers.BENEFICIARY_KEY, m)
    part = part.with_columns(
        number=damm_expr(
            pl.int_range(0, m, dtype=pl.Int64) + (numbers.BENEFICIARY_BASE + serial), 8
        ),
        nname=normalised_name_expr("first_names", "last_name"),
        adherent=(pl.col("rel") == Relationship.HEAD.value)
        | (
            (pl.col("rel") == Relationship.SPOUSE.value)
            & (pl.col("byear").is_null() | (pl.col("joined").dt.year() - pl.col("byear") >= 18))
        ),
    )
    persons = part.select(
        pl.col("pid").alias("id"),
        pl.lit(mutual.pk).alias("mutual_id"),
        pl.col("first_names").str.replace_all(r"\s+", " ").alias("first_name"),
        pl.col("last_name").str.replace_all(r"\s+", " "),
        pl.col("sx").alias("sex"),
        pl.col("bdate").alias("birth_date"),
        pl.col("byear").alias("birth_year"),
        pl.col("national_id").str.to_uppercase(),
        pl.col("phone_e164").alias("phone"),
        "locality",
        pl.lit("").alias("address"),
        pl.col("nname").alias("normalised_name"),
        pl.col("person_id").alias("external_id"),
        pl.lit(now).alias("created_at"),
    )
    store("members_person", persons, ("national_id", "locality", "phone"))
    if isinstance(duplicates, list):
        duplicates.append(_duplicate_keys(persons))
    del persons
    store(
        "members_membership",
        part.select(
            pl.col("mid").alias("id"),
            pl.col("pid").alias("person_id"),
            pl.col("hh_id").alias("household_id"),
            pl.lit(mutual.pk).alias("mutual_id"),
            pl.col("hh_section").alias("section_id"),
            "number",
            pl.col("rel").alias("relationship"),
            pl.col("cat").alias("category"),
            pl.col("adherent").alias("is_adherent"),
            pl.lit(MembershipStatus.ACTIVE.value).alias("status"),
            pl.col("joined").alias("joined_on"),
            pl.lit(now).alias("created_at"),
        ),
    )
    store(
        "members_membershipstatuschange",
        part.select(
            pl.col("mid").alias("membership_id"),
            pl.lit(MembershipStatus.ACTIVE.value).alias("status"),
            pl.col("joined").alias("effective_on"),
            pl.lit(now).alias("recorded_at"),
            pl.lit("import").alias("reason"),
            pl.lit("").alias("note"),
        ),
    )
    if duplicates is not True:
        return h, 0
    if analyze:
        # The duplicate search plans on real sizes (an index probe per new row).
        _analyze("members_person")
    dups = _find_duplicates(mutual, p_ids.min(), p_ids.max())
    return h, dups


def _known_households(keys: pl.DataFrame) -> pl.DataFrame:
    """household_id → id and section of the households already registered that get persons."""
    known = (
        keys.filter(pl.col("good") & pl.col("known_hh").is_not_null())
        .select("household_id", pl.col("known_hh").alias("hh_id"))
        .unique()
    )
    ids = known.get_column("hh_id").to_list()
    sections = []
    for i in range(0, len(ids), 5000):
        sections += list(
            Household.objects.filter(pk__in=ids[i : i + 5000]).values_list("pk", "section_id")
        )
    return known.join(
        pl.DataFrame(sections, schema={"hh_id": pl.Int64, "hh_section": pl.Int64}, orient="row"),
        on="hh_id",
        how="left",
    )


def _report(source: Source, errors: pl.DataFrame, language: str) -> str:
    """CSV of the bad rows as they were, with the row number, columns and messages."""
    if errors.height == 0:
        return ""
    original = source.original
    labels = {code: str(msg) for code, msg in MESSAGES.items()}
    names = {en: original.get(en, fr if language == "fr" else en) for en, fr, _a in COLUMNS}
    row_col, col_col, msg_col = REPORT_COLUMNS.get(language, REPORT_COLUMNS["en"])
    grouped = (
        errors.with_columns(
            pl.col("code").replace_strict(labels, return_dtype=pl.String).alias("msg"),
            pl.col("column").replace_strict(names, default=pl.col("column")).alias("col"),
        )
        .group_by("row", maintain_order=True)
        .agg(
            pl.col("col").str.join(" | ").alias(col_col),
            pl.col("msg").str.join(" | ").alias(msg_col),
        )
    )
    bad = (
        source.rows(grouped.get_column("row"))
        .join(grouped, on="row", how="inner")
        .sort("row")
        .rename({"row": row_col})
    )
    present = [c for c in names if c in original]
    bad = bad.select(
        [pl.col(original[c]).cast(pl.String).alias(names[c]) for c in present]
        + [row_col, col_col, msg_col]
    )
    return bad.write_csv()


def import_sections(actor, mutual: Organisation) -> dict[str, int]:
    """Codes → ids of the mutual's sections the actor may import into (none: refused)."""
    sections = {
        s.code: s.pk
        for s in Organisation.objects.filter(parent=mutual, kind=OrgKind.SECTION, is_active=True)
        if has_perm(actor, Perm.MEMBER_IMPORT, on=s)
    }
    if not sections:
        require(actor, Perm.MEMBER_IMPORT, on=mutual)
        raise ValidationFailed(fields={"file": _("This mutual has no section to import into.")})
    return sections


def import_members(
    *,
    actor,
    mutual: Organisation,
    path: str | Path,
    on: date,
    file_name: str = "",
    language: str = "fr",
    progress: Callable[[int, int], None] | None = None,
    bulk: bool | None = None,
) -> ImportResult:
    """Import a CSV/XLSX file into `mutual`; returns counts and the error report.

    Runs its own transactions per slice (progress is visible while it runs);
    call it outside any atomic block.
    """
    import_sections(actor, mutual)
    source = open_source(path, file_name=file_name)
    try:
        return _run(
            actor=actor,
            mutual=mutual,
            source=source,
            on=on,
            file_name=file_name or Path(path).name,
            language=language,
            progress=progress,
            bulk=bulk,
        )
    finally:
        source.close()


def import_frame(
    *,
    actor,
    mutual: Organisation,
    frame: pl.DataFrame,
    on: date,
    file_name: str = "",
    language: str = "fr",
    progress: Callable[[int, int], None] | None = None,
    bulk: bool | None = None,
) -> ImportResult:
    """Import rows already in memory (the `generate` command, the demo)."""
    return _run(
        actor=actor,
        mutual=mutual,
        source=Source(frame.lazy()),
        on=on,
        file_name=file_name,
        language=language,
        progress=progress,
        bulk=bulk,
    )


def _parts(files: list[Path], good: pl.DataFrame):
    """(slice, row numbers, stored columns) of each slice of whole households."""
    for k in range(len(files)):
        rows = good.filter(pl.col("bucket") == k)
        if rows.height == 0:
            continue
        last = int((rows.get_column("row").max() - 2) // CHUNK)
        part = (
            pl.scan_ipc(files[k : last + 1])
            .join(rows.lazy(), on="row", how="semi")
            .collect()
            .join(rows.select("row", "known_hh"), on="row")
        )
        yield k, rows, part


def _slice_entry(k: int, rows: pl.DataFrame, part: pl.DataFrame) -> dict:
    return {
        "slice": k,
        "rows": [int(rows["row"].min()), int(rows["row"].max())],
        "imported": part.height,
    }


def _write_slices(parts, *, mutual, known, now, batch, result, analyze, progress) -> None:
    """Each slice in its own transaction, with the batch log advanced and the slice
    recorded: a crash leaves whole slices, and a rerun skips what is there."""
    t = time.perf_counter()
    for k, rows, part in parts:
        t = result.timed("read slices", t)
        with transaction.atomic():
            h, dups = _store_bucket(part, mutual=mutual, known=known, now=now, analyze=analyze)
            batch.advance(part.height)
            batch.log.parameters["slices"].append(_slice_entry(k, rows, part))
            BatchLog.objects.filter(pk=batch.log.pk).update(parameters=batch.log.parameters)
        result.households += h
        result.duplicates += dups
        result.imported += part.height
        if progress:
            progress(result.imported)
        analyze = False
        t = result.timed("write slices", t)
    if result.imported > 5000:
        _analyze("members_membership", "members_household")
        if result.imported > CHUNK:
            _analyze("members_person")
            _gin_flush()
    result.timed("analyze", t)


class _NumberBlocks:
    """Household and beneficiary serials from one `sequence_reserve` per counter."""

    def __init__(self, counts: dict[str, int]):
        self.next = {
            key: sequence_reserve(key=key, count=count) for key, count in counts.items() if count
        }

    def __call__(self, key: str, count: int) -> int:
        first = self.next[key]
        self.next[key] = first + count
        return first


def _write_bulk(parts, *, mutual, known, now, counts, batch, result, progress) -> None:
    """All slices in ONE transaction on tables stripped of their secondary indexes
    and foreign keys, rebuilt at the end (members/bulkload.py)."""
    result.bulk = True
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL maintenance_work_mem = '{bulkload.MAINTENANCE_WORK_MEM}'")
        # Hash joins in memory for the key validations and the duplicate search.
        cur.execute(f"SET LOCAL work_mem = '{bulkload.WORK_MEM}'")
        # Waiting for a lock queues every other user behind the import: give up
        # (and roll back) rather than wait long for a transaction left open elsewhere.
        cur.execute(f"SET LOCAL lock_timeout = '{bulkload.LOCK_TIMEOUT}'")
        bulkload.lock(cur)
        schema = bulkload.secondary_schema(cur)
        bulkload.drop(cur, schema)
        cur.execute("SET LOCAL lock_timeout TO DEFAULT")
        keys = bulkload.KeyBlocks(cur, counts)
        first_person = keys.next.get("members_person")
        dup_keys: list[pl.DataFrame] = []
        t = result.timed("lock, drop, keys", t)
        serials = _NumberBlocks(
            {
                numbers.HOUSEHOLD_KEY: counts["members_household"],
                numbers.BENEFICIARY_KEY: counts["members_person"],
            }
        )
        lock = threading.Lock()
        prepared: dict[str, float] = {}

        def prepare(it):
            """Next slice read and turned into COPY input, in a worker thread (polars
            releases the GIL) while the database copies the previous one."""
            started = time.perf_counter()
            item = next(it, None)
            if item is None:
                return None
            k, rows, part = item
            out: list[tuple[str, list[str], bytes]] = []

            def keep(table: str, frame: pl.DataFrame, not_null: tuple[str, ...] = ()) -> None:
                out.append((table, frame.columns, _csv(frame, not_null)))

            h, _dups = _store_bucket(
                part, mutual=mutual, known=known, now=now, analyze=False, keys=keys,
                duplicates=dup_keys, serials=serials, write=keep,
            )  # fmt: skip
            with lock:
                prepared["prepare slices (thread)"] = (
                    prepared.get("prepare slices (thread)", 0.0) + time.perf_counter() - started
                )
            return _slice_entry(k, rows, part), part.height, h, out

        it = iter(parts)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-prepare") as pool:
            ahead = pool.submit(prepare, it)
            while (done := ahead.result()) is not None:
                ahead = pool.submit(prepare, it)  # the next slice, while this one copies
                entry, height, h, out = done
                t = result.timed("wait for slices", t)
                for table, cols, data in out:
                    _copy(table, cols, data)
                    t = result.timed(f"copy {table}", t)
                del out, done
                batch.log.parameters["slices"].append(entry)
                result.households += h
                result.imported += height
                if progress:
                    progress(result.imported)
                t = result.timed("progress", t)
        result.timings.update(prepared)

        def step(name: str) -> None:
            nonlocal t
            t = result.timed(f"rebuild {name}", t)

        bulkload.restore(cur, schema, step=step)
        _analyze(*bulkload.BULK_TABLES)
        t = result.timed("analyze", t)
        if result.imported:
            candidates = _duplicate_candidates(mutual, first_person, dup_keys)
            dup_keys.clear()
            result.duplicates = _find_duplicates(
                mutual, first_person, first_person + result.imported - 1, candidates
            )
        t = result.timed("duplicates", t)
        batch.advance(result.imported)
        BatchLog.objects.filter(pk=batch.log.pk).update(parameters=batch.log.parameters)
    result.timed("commit", t)


def _run(
    *,
    actor,
    mutual: Organisation,
    source: Source,
    on: date,
    file_name: str,
    language: str,
    progress: Callable[[int, int], None] | None,
    bulk: bool | None = None,
) -> ImportResult:
    """Two passes over the file, a slice (CHUNK rows) at a time.

    1. Read and validate each slice; keep its good rows (the stored columns) in
       a temporary Arrow file and only a few key columns in memory.
    2. After the checks that need the whole file, write each slice of whole
       households in its own transaction, with the batch log advanced and the
       slice recorded in it: a crash leaves whole slices, and a rerun skips the
       persons already there (by external id).
    """
    sections = import_sections(actor, mutual)
    total = source.height
    result = ImportResult(rows_total=total)
    with (
        batch_run(
            actor=actor,
            kind="members.import",
            organisation=mutual,
            parameters={"file": file_name, "rows": total, "slices": []},
            total=total,
        ) as batch,
        tempfile.TemporaryDirectory(prefix="mutualis-import-") as folder,
    ):
        result.batch_id = batch.log.pk
        keys, errors, files, known_households = [], [], [], {}
        t = time.perf_counter()
        for k, offset in enumerate(range(0, max(total, 1), CHUNK)):
            raw = source.chunk(offset, CHUNK)
            t = result.timed("read", t)
            df, errs = validate(
                raw,
                mutual=mutual,
                sections=sections,
                on=on,
                first_row=offset + 2,
            )
            errors.append(errs)
            # Persons already registered are skipped; known households get new persons.
            known = _existing(Person, mutual, df.filter("ok").get_column("person_id").to_list())
            df = df.with_columns(
                skipped=pl.col("ok") & pl.col("person_id").is_in(list(known), nulls_equal=False)
            )
            live = df.filter(pl.col("ok") & ~pl.col("skipped"))
            known_households.update(
                _existing(Household, mutual, live.get_column("household_id").unique().to_list())
            )
            keys.append(
                df.select(
                    "row",
                    pl.lit(k, dtype=pl.Int32).alias("chunk"),
                    "person_id",
                    "household_id",
                    "rel",
                    "ok",
                    "skipped",
                )
            )
            files.append(Path(folder) / f"{k}.arrow")
            t = result.timed("validate", t)
            live.select("row", *STORED).write_ipc(files[-1])
            del df, live, raw
            t = result.timed("spill", t)
        keys, more = _file_checks(pl.concat(keys), known_households)
        errors = pl.concat([*errors, more]).sort("row", maintain_order=True)
        result.failed = errors.get_column("row").n_unique()
        result.skipped = keys.filter("skipped").height
        known = _known_households(keys)
        good = keys.filter("good").select("row", "bucket", "known_hh")
        new_heads = keys.filter(
            pl.col("good")
            & pl.col("known_hh").is_null()
            & (pl.col("rel") == Relationship.HEAD.value)
        ).height
        del keys
        done = result.skipped + result.failed
        batch.advance(done, failed=result.failed)
        if progress:
            progress(done, total)
        t = result.timed("file checks", t)
        now = timezone.now()
        parts = _parts(files, good)
        if bulkload.bulk_wanted(bulk, good.height):
            batch.log.parameters["bulk"] = True
            _write_bulk(
                parts,
                mutual=mutual,
                known=known,
                now=now,
                counts={
                    "members_person": good.height,
                    "members_membership": good.height,
                    "members_household": new_heads,
                },
                batch=batch,
                result=result,
                progress=(lambda n: progress(done + n, total)) if progress else None,
            )
        else:
            _write_slices(
                parts,
                mutual=mutual,
                known=known,
                now=now,
                batch=batch,
                result=result,
                analyze=total > 5000,
                progress=(lambda n: progress(done + n, total)) if progress else None,
            )
        t = time.perf_counter()
        result.errors = [tuple(r) for r in errors.select("row", "column", "code").iter_rows()]
        result.report = _report(source, errors, language)
        result.timed("report", t)
    audit_record(
        actor=actor,
        action="members.import",
        organisation=mutual,
        data={
            "file": file_name,
            "rows": total,
            "imported": result.imported,
            "skipped": result.skipped,
            "failed": result.failed,
            "duplicates": result.duplicates,
            "batch": result.batch_id,
        },
    )
    return result


def message_for(code: str) -> str:
    return _g(str(MESSAGES.get(code, code)))


__all__ = ["import_members", "import_frame", "template_bytes", "read_file", "ImportResult"]
