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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import phonenumbers
import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from mutualis.core.errors import ValidationFailed
from mutualis.core.models import Organisation, OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.core.services import audit_record, batch_run, sequence_reserve
from mutualis.engine.checkdigit import _TABLE

from . import numbers
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


def read_file(path: str | Path, *, file_name: str = "") -> tuple[pl.DataFrame, dict[str, str]]:
    """The file as strings with canonical column names, and canonical → original header."""
    path = Path(path)
    name = (file_name or path.name).lower()
    try:
        if name.endswith((".xlsx", ".xls", ".ods")):
            frame = pl.read_excel(path, infer_schema_length=0)
        else:
            with open(path, "rb") as fh:
                first = fh.readline()
            frame = pl.read_csv(
                path,
                infer_schema=False,
                encoding="utf8-lossy",
                separator=";" if first.count(b";") > first.count(b",") else ",",
                truncate_ragged_lines=True,
            )
    except Exception as exc:  # polars/fastexcel raise many kinds; the clerk sees one message
        raise ImportFileInvalid(reason=str(exc).splitlines()[0][:200]) from None
    original: dict[str, str] = {}
    renames = {}
    for col in frame.columns:
        key = ALIASES.get(_header_key(col))
        if key and key not in original:
            original[key] = col
            renames[col] = key
    frame = frame.select([pl.col(c).cast(pl.String).alias(k) for c, k in renames.items()])
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise MissingColumns(columns=", ".join(original.get(c, c) for c in missing))
    for en, _fr, _alts in COLUMNS:
        if en not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(en))
    return frame.select([en for en, _fr, _alts in COLUMNS]), original


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


def validate(
    frame: pl.DataFrame, *, mutual: Organisation, sections: dict[str, int], on: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned frame (with `row`, `ok`) and the errors (row, column, code)."""
    trimmed = [pl.col(c).str.strip_chars().alias(c) for c in frame.columns]
    df = frame.with_row_index("row", offset=2).with_columns(trimmed)
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
        dup=pl.col("person_id").is_duplicated() & (pl.int_range(pl.len()).over("person_id") > 0),
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
        ("person_id", "twice", pl.col("dup")),
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
    bad_rows = errors.get_column("row").unique()
    df = df.with_columns(ok=~pl.col("row").is_in(bad_rows.implode()))
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


def _household_checks(
    df: pl.DataFrame, mutual: Organisation
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """Skip persons already imported; each new household needs exactly one valid head."""
    people = df.filter(pl.col("ok")).get_column("person_id").to_list()
    known_people = _existing(Person, mutual, people)
    df = df.with_columns(
        skipped=pl.col("ok") & pl.col("person_id").is_in(list(known_people), nulls_equal=False)
    )
    live = df.filter(pl.col("ok") & ~pl.col("skipped"))
    known_households = _existing(
        Household, mutual, live.get_column("household_id").unique().to_list()
    )
    heads = (
        live.filter(pl.col("rel") == Relationship.HEAD.value)
        .group_by("household_id")
        .agg(heads=pl.len())
    )
    live = live.join(heads, on="household_id", how="left").with_columns(
        known=pl.col("household_id").is_in(list(known_households), nulls_equal=False),
        heads=pl.col("heads").fill_null(0),
    )
    problems = pl.concat(
        [
            live.filter(pl.col("known") & (pl.col("rel") == Relationship.HEAD.value)).select(
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
    bad = problems.get_column("row").implode()
    df = df.with_columns(ok=pl.col("ok") & ~pl.col("row").is_in(bad))
    return df, problems, known_households


# --- Writing -----------------------------------------------------------------------


def _reserve_ids(table: str, count: int) -> int:
    """First of `count` fresh primary keys of `table` (PostgreSQL sequence or SQLite max)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cur.fetchone()[0]
            return last - count + 1
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - fixed names
        return cur.fetchone()[0] + 1


def _write(table: str, frame: pl.DataFrame, not_null: tuple[str, ...]) -> None:
    cols = frame.columns
    if frame.height == 0:
        return
    frame = frame.with_columns([pl.col(c).fill_null("") for c in not_null if c in cols])
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
            names = ", ".join(f'"{c}"' for c in cols)
            with cur.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)') as cp:
                cp.write(buf.getvalue())
        else:
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join(["%s"] * len(cols))
            cur.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - fixed names
                frame.iter_rows(),
            )


def _find_duplicates(mutual: Organisation, first_id: int, last_id: int) -> int:
    """Pair each new person with older persons of the mutual that look the same."""
    now = timezone.now()
    # On SQLite (no statistics), `+col` and COALESCE keep the planner on the
    # national-ID and name indexes instead of the mutual's; PostgreSQL, with
    # fresh statistics, gets the plain conditions and plans a hash join.
    pg = connection.vendor == "postgresql"
    plus = "" if pg else "+"
    not_merged = "o.merged_into_id IS NULL" if pg else "COALESCE(o.merged_into_id, 0) = 0"
    sql = f"""
        INSERT INTO members_duplicatecandidate
            (mutual_id, person_id, other_id, reason, status, created_at)
        SELECT DISTINCT n.mutual_id, n.id, o.id, %s, 'open', %s
        FROM members_person n JOIN members_person o
          ON {plus}o.mutual_id = n.mutual_id AND {plus}o.id < n.id AND {not_merged} AND {{cond}}
        WHERE n.mutual_id = %s AND n.id BETWEEN %s AND %s
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
        if pg and last_id - first_id > 5000:
            # Fresh statistics after a bulk load, else the planner probes row by
            # row here, and searches walk every membership of a section.
            for table in ("members_person", "members_membership", "members_household"):
                cur.execute(f"ANALYZE {table}")
        for reason, cond in conds.items():
            cur.execute(sql.format(cond=cond), [reason, now, mutual.pk, first_id, last_id])
            total += max(cur.rowcount, 0)
    return total


def _store(
    good: pl.DataFrame,
    *,
    mutual: Organisation,
    known_households: dict[str, int],
    on: date,
    progress: Callable[[int], None],
) -> tuple[int, int]:
    """Write households, persons, memberships and status changes; returns (households, dups)."""
    n = good.height
    if n == 0:
        return 0, 0
    now = timezone.now()
    # Households new to the register, numbered in one block.
    new_h = (
        good.filter(~pl.col("household_id").is_in(list(known_households), nulls_equal=False))
        .filter(pl.col("rel") == Relationship.HEAD.value)
        .select("household_id", "section_id", "locality")
    )
    with transaction.atomic():
        h_first = _reserve_ids("members_household", new_h.height) if new_h.height else 0
        h_serial = sequence_reserve(key=numbers.HOUSEHOLD_KEY, count=max(new_h.height, 1))
        new_h = new_h.with_columns(
            id=pl.int_range(h_first, h_first + new_h.height, dtype=pl.Int64),
            number=damm_expr(
                pl.int_range(0, new_h.height, dtype=pl.Int64) + (numbers.HOUSEHOLD_BASE + h_serial),
                7,
            ),
        )
        _write(
            "members_household",
            new_h.select(
                "id",
                pl.lit(mutual.pk).alias("mutual_id"),
                "section_id",
                "number",
                pl.col("locality").fill_null(""),
                pl.lit("").alias("address"),
                pl.lit("").alias("income_band"),
                pl.col("household_id").alias("external_id"),
                pl.lit(now).alias("created_at"),
            ),
            (),
        )
    households = pl.concat(
        [
            new_h.select(
                "household_id",
                pl.col("id").alias("hh_id"),
                pl.col("section_id").alias("hh_section"),
            ),
            pl.DataFrame(
                {
                    "household_id": list(known_households),
                    "hh_id": list(known_households.values()),
                },
                schema={"household_id": pl.String, "hh_id": pl.Int64},
            ).join(
                pl.DataFrame(
                    list(
                        Household.objects.filter(
                            pk__in=list(known_households.values())
                        ).values_list("pk", "section_id")
                    ),
                    schema={"hh_id": pl.Int64, "hh_section": pl.Int64},
                    orient="row",
                ),
                on="hh_id",
                how="left",
            ),
        ]
    )
    p_lo = p_hi = 0
    for start in range(0, n, CHUNK):
        part = good.slice(start, CHUNK).join(households, on="household_id", how="left")
        m = part.height
        with transaction.atomic():
            p_first = _reserve_ids("members_person", m)
            m_first = _reserve_ids("members_membership", m)
            serial = sequence_reserve(key=numbers.BENEFICIARY_KEY, count=m)
            p_lo = p_lo or p_first
            p_hi = p_first + m - 1
            part = part.with_columns(
                pid=pl.int_range(p_first, p_first + m, dtype=pl.Int64),
                mid=pl.int_range(m_first, m_first + m, dtype=pl.Int64),
                number=damm_expr(
                    pl.int_range(0, m, dtype=pl.Int64) + (numbers.BENEFICIARY_BASE + serial), 8
                ),
                nname=normalised_name_expr("first_names", "last_name"),
                adherent=(pl.col("rel") == Relationship.HEAD.value)
                | (
                    (pl.col("rel") == Relationship.SPOUSE.value)
                    & (
                        pl.col("byear").is_null()
                        | (pl.col("joined").dt.year() - pl.col("byear") >= 18)
                    )
                ),
            )
            _write(
                "members_person",
                part.select(
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
                ),
                ("national_id", "locality", "phone"),
            )
            _write(
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
                (),
            )
            _write(
                "members_membershipstatuschange",
                part.select(
                    pl.col("mid").alias("membership_id"),
                    pl.lit(MembershipStatus.ACTIVE.value).alias("status"),
                    pl.col("joined").alias("effective_on"),
                    pl.lit(now).alias("recorded_at"),
                    pl.lit("import").alias("reason"),
                    pl.lit("").alias("note"),
                ),
                (),
            )
        progress(m)
    with transaction.atomic():
        if new_h.height:
            with connection.cursor() as cur:
                cur.execute(
                    "UPDATE members_household SET head_id = (SELECT m.person_id FROM "
                    "members_membership m WHERE m.household_id = members_household.id "
                    "AND m.relationship = 'head' ORDER BY m.id LIMIT 1) "
                    "WHERE id BETWEEN %s AND %s",
                    [h_first, h_first + new_h.height - 1],
                )
        dups = _find_duplicates(mutual, p_lo, p_hi)
    return new_h.height, dups


def _report(
    frame: pl.DataFrame, errors: pl.DataFrame, original: dict[str, str], language: str
) -> str:
    """CSV of the bad rows as they were, with the row number, columns and messages."""
    if errors.height == 0:
        return ""
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
        frame.with_row_index("row", offset=2)
        .join(grouped, on="row", how="inner")
        .sort("row")
        .rename({"row": row_col})
    )
    present = [c for c in names if c in original]
    bad = bad.select([pl.col(c).alias(names[c]) for c in present] + [row_col, col_col, msg_col])
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
) -> ImportResult:
    """Import a CSV/XLSX file into `mutual`; returns counts and the error report.

    Runs its own transactions per chunk (progress is visible while it runs);
    call it outside any atomic block.
    """
    import_sections(actor, mutual)
    frame, original = read_file(path, file_name=file_name)
    return import_frame(
        actor=actor,
        mutual=mutual,
        frame=frame,
        original=original,
        on=on,
        file_name=file_name or Path(path).name,
        language=language,
        progress=progress,
    )


def import_frame(
    *,
    actor,
    mutual: Organisation,
    frame: pl.DataFrame,
    on: date,
    original: dict[str, str] | None = None,
    file_name: str = "",
    language: str = "fr",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    sections = import_sections(actor, mutual)
    original = original or {en: en for en, _fr, _a in COLUMNS if en in frame.columns}
    total = frame.height
    result = ImportResult(rows_total=total)
    with batch_run(
        actor=actor,
        kind="members.import",
        organisation=mutual,
        parameters={"file": file_name, "rows": total},
        total=total,
    ) as batch:
        result.batch_id = batch.log.pk
        df, errors = validate(frame, mutual=mutual, sections=sections, on=on)
        df, more, known = _household_checks(df, mutual)
        errors = pl.concat([errors, more]).sort("row")
        # Only the columns the writes need: at a million rows every column counts.
        good = df.filter(pl.col("ok") & ~pl.col("skipped")).select(STORED)
        result.skipped = df.filter(pl.col("ok") & pl.col("skipped")).height
        del df
        result.failed = errors.get_column("row").n_unique()
        done = [result.skipped]

        def advance(rows: int) -> None:
            done[0] += rows
            batch.advance(rows)
            if progress:
                progress(done[0] + result.failed, total)

        batch.advance(result.skipped + result.failed, failed=result.failed)
        if progress:
            progress(result.skipped + result.failed, total)
        result.households, result.duplicates = _store(
            good, mutual=mutual, known_households=known, on=on, progress=advance
        )
        result.imported = good.height
        result.errors = [tuple(r) for r in errors.select("row", "column", "code").iter_rows()]
        result.report = _report(frame, errors, original, language)
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
