"""Reads of the benefits app, and the mapping of stored rows to the engine.

Scoped reads: `package_list/get`, `category_list`, `item_list`.

Engine mapping (reused by claims adjudication):

- `package_version_facts(version)` → `engine.benefits.PackageVersion` for one
  stored version (rules, member-category coverages, limits, deductible).
- `package_versions_facts(package_ids)` → every *published* version of these
  packages, loaded set-based (one query per table for the versions not yet
  cached) and cached per version: a published version never changes.
  Hand the tuple to `engine.eligibility.EligibilityFacts(packages=...)` or a
  `PackageBook`: the engine picks the version in force at each date.
- `catalogue_facts(mutual_id, codes)` → {code: engine CatalogueItem}.
- `member_facts_bulk(memberships, on)` → {membership id: engine MemberFacts}
  (status at the date, coverage periods, dues standing) in a fixed number of
  queries, whatever the number of beneficiaries.

Engine ids are strings: package id = str(Package.pk), version id =
str(PackageVersion.pk), beneficiary id = str(Membership.pk), household id =
str(Household.pk), item code = CatalogueItem.code, category = ServiceCategory.code.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.models import Organisation, OrgKind
from mutualis.core.roles import ROLE_PERMS, Perm
from mutualis.core.rows import loaded as rows_loaded
from mutualis.core.scope import grants
from mutualis.engine import benefits as eb
from mutualis.engine import eligibility as ee

from .models import (
    BenefitRule,
    CatalogueItem,
    Limit,
    LimitKind,
    Package,
    PackageVersion,
    RuleCoverage,
    ServiceCategory,
    VersionStatus,
)

# --- Scope -----------------------------------------------------------------------


def visible_mutual_ids(user, perm: Perm = Perm.PACKAGE_VIEW) -> list[int] | None:
    """Mutuals whose packages the user may read with `perm` (None: all, superuser).

    A package belongs to a mutual; a clerk of one of its sections, a provider
    agent or a member tied to it, and a supervisor of its union all read it.
    """
    if getattr(user, "is_superuser", False):
        return None
    q = Q(pk__in=[])
    for g in grants(user):
        if perm not in ROLE_PERMS[g.role]:
            continue
        ancestors = [int(p) for p in g.path.strip("/").split("/") if p]
        q |= Q(path__startswith=g.path) | Q(pk__in=ancestors)
    return list(Organisation.objects.filter(q, kind=OrgKind.MUTUAL).values_list("pk", flat=True))


def _mutual_q(user, field: str = "mutual", perm: Perm = Perm.PACKAGE_VIEW) -> Q:
    ids = visible_mutual_ids(user, perm)
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def package_list(*, user) -> QuerySet[Package]:
    return Package.objects.filter(_mutual_q(user)).select_related("mutual")


def package_get(*, user, package_id: int) -> Package:
    try:
        return package_list(user=user).get(pk=package_id)
    except (Package.DoesNotExist, ValueError):
        raise NotFound() from None


def version_get(*, user, version_id: int) -> PackageVersion:
    try:
        return PackageVersion.objects.select_related("package__mutual").get(
            _mutual_q(user, "package__mutual"), pk=version_id
        )
    except (PackageVersion.DoesNotExist, ValueError):
        raise NotFound() from None


def version_in_force(*, package: Package, on: date) -> PackageVersion | None:
    """The published version in force at `on` (latest effective date on or before it)."""
    return (
        package.versions.filter(status=VersionStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def category_list(*, user) -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.filter(_mutual_q(user))


def item_list(*, user) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(_mutual_q(user)).select_related("category", "mutual")


def version_rules(version: PackageVersion) -> list[BenefitRule]:
    """The rules of a version for display, with their limits and category coverages."""
    return list(
        version.rules.select_related("category", "item").prefetch_related(
            "limits", "category_coverages"
        )
    )


# --- Engine mapping ----------------------------------------------------------------
#
# The hot reads (one eligibility check per patient at a facility desk, and the
# claims batch) use plain SQL through Django's connection: compiling an ORM
# query costs more than running it. Table names come from the models' _meta
# and placeholders are %s on both SQLite and PostgreSQL.


_TABLES: dict[str, str] = {}


def _tables() -> dict[str, str]:
    if not _TABLES:
        from mutualis.contributions.models import Allocation, Due, Schedule
        from mutualis.members.models import (
            CoveragePeriod,
            Household,
            Membership,
            MembershipStatusChange,
            Person,
        )

        for key, model in {
            "due": Due,
            "allocation": Allocation,
            "schedule": Schedule,
            "membership": Membership,
            "person": Person,
            "household": Household,
            "org": Organisation,
            "change": MembershipStatusChange,
            "coverage": CoveragePeriod,
            "version": PackageVersion,
            "item": CatalogueItem,
            "category": ServiceCategory,
        }.items():
            _TABLES[key] = model._meta.db_table
    return _TABLES


def _rows(template: str, params, **lists) -> list[tuple]:
    """Run `template` with {table} names filled from the models and each list in
    `lists` expanded to placeholders ({name} → %s, %s, …); values stay parameters."""
    from django.db import connection

    names = {**_tables(), **{k: ", ".join(["%s"] * len(v)) for k, v in lists.items()}}
    sql = template.format(**names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_CACHE: dict[int, tuple[object, eb.PackageVersion]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 2000


def _window(limit: Limit) -> eb.Window:
    if limit.window == "rolling_days":
        return eb.Window.rolling(limit.window_days or 1)
    return eb.Window(eb.WindowKind(limit.window))


def _coverage(rate: Decimal | None, copay: Decimal | None, cur) -> eb.Coverage:
    if rate is not None:
        return eb.Coverage(rate=Decimal(rate).normalize())
    return eb.Coverage(fixed_copay=cur.quantize(Decimal(copay)))


def _q(amount: Decimal, cur) -> Decimal:
    return cur.quantize(Decimal(amount))


def _to_engine(
    version: PackageVersion,
    rules: list[BenefitRule],
    coverages: dict[int, list[RuleCoverage]],
    limits: dict[int | None, list[Limit]],
    currency_code: str,
) -> eb.PackageVersion:
    from mutualis.engine.money import currency

    cur = currency(currency_code)
    out_rules = []
    for r in rules:
        rule_limits = limits.get(r.pk, [])
        frequency = None
        counts = []
        ceilings = []
        for lim in rule_limits:
            if lim.kind == LimitKind.CEILING:
                ceilings.append(
                    eb.Ceiling(
                        eb.Scope(lim.scope),
                        _q(lim.amount, cur),
                        _window(lim),
                        eb.CareType(lim.care_type),
                    )
                )
            else:
                count = eb.CountLimit(
                    lim.max_count, _window(lim), eb.CountUnit(lim.unit), eb.Scope(lim.scope)
                )
                if lim.kind == LimitKind.FREQUENCY:
                    frequency = count
                else:
                    counts.append(count)
        applicability = None
        if r.applicable_sex or r.min_age is not None or r.max_age is not None:
            applicability = eb.Applicability(
                eb.Sex(r.applicable_sex) if r.applicable_sex else None, r.min_age, r.max_age
            )
        covered = r.covered
        out_rules.append(
            eb.BenefitRule(
                category=r.category.code,
                item=r.item.code if r.item_id else None,
                covered=covered,
                coverage=_coverage(r.rate, r.fixed_copay, cur)
                if covered
                else eb.Coverage(rate=Decimal(0)),
                by_member_category={
                    c.member_category: _coverage(c.rate, c.fixed_copay, cur)
                    for c in coverages.get(r.pk, [])
                },
                ceilings=tuple(ceilings),
                frequency=frequency,
                count_limits=tuple(counts),
                waiting_days=r.waiting_days,
                referral_required=r.referral_required,
                authorisation_required=r.authorisation_required,
                applicability=applicability,
                care_type=eb.CareType(r.care_type),
            )
        )
    package_ceilings = tuple(
        eb.Ceiling(
            eb.Scope(lim.scope), _q(lim.amount, cur), _window(lim), eb.CareType(lim.care_type)
        )
        for lim in limits.get(None, [])
        if lim.kind == LimitKind.CEILING
    )
    deductible = None
    if version.deductible is not None:
        deductible = eb.Deductible(
            _q(version.deductible, cur), scope=eb.Scope(version.deductible_scope)
        )
    return eb.PackageVersion(
        id=str(version.pk),
        package_id=str(version.package_id),
        name=version.package.name,
        kind=eb.PackageKind(version.package.kind),
        effective_from=version.effective_from,
        currency=currency_code,
        rules=tuple(out_rules),
        ceilings=package_ceilings,
        deductible=deductible,
    )


def _load(versions: list[PackageVersion]) -> dict[int, eb.PackageVersion]:
    """Map several stored versions at once: one query per table."""
    if not versions:
        return {}
    ids = [v.pk for v in versions]
    rules: dict[int, list[BenefitRule]] = {i: [] for i in ids}
    for r in BenefitRule.objects.filter(version_id__in=ids).select_related("category", "item"):
        rules[r.version_id].append(r)
    coverages: dict[int, list[RuleCoverage]] = {}
    for c in RuleCoverage.objects.filter(rule__version_id__in=ids):
        coverages.setdefault(c.rule_id, []).append(c)
    limits: dict[int, dict[int | None, list[Limit]]] = {i: {} for i in ids}
    for lim in Limit.objects.filter(version_id__in=ids).order_by("id"):
        limits[lim.version_id].setdefault(lim.rule_id, []).append(lim)
    return {
        v.pk: _to_engine(v, rules[v.pk], coverages, limits[v.pk], v.package.mutual.currency)
        for v in versions
    }


def package_version_facts(version: PackageVersion) -> eb.PackageVersion:
    """One stored version as the engine's `PackageVersion` (cached once published)."""
    found = _rows("SELECT updated_at FROM {version} WHERE id = %s", [version.pk])
    stamp = str(found[0][0]) if found else None
    with _CACHE_LOCK:
        hit = _CACHE.get(version.pk)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    facts = _load([version])[version.pk]
    if version.status == VersionStatus.PUBLISHED:
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[version.pk] = (stamp, facts)
    return facts


def package_versions_facts(package_ids: Iterable[int]) -> tuple[eb.PackageVersion, ...]:
    """Every published version of these packages as engine dataclasses.

    One light query lists the versions (id, last change); only those not cached
    (or changed since) are loaded, together. The engine chooses the version in
    force at each date.
    """
    package_ids = set(package_ids)
    if not package_ids:
        return ()
    ids = sorted(package_ids)
    stamps = _rows(
        "SELECT id, updated_at FROM {version} WHERE status = %s AND package_id IN ({ids})",
        [VersionStatus.PUBLISHED, *ids],
        ids=ids,
    )
    return _versions_from_stamps(stamps)


def _versions_from_stamps(stamps: list[tuple[int, object]]) -> tuple[eb.PackageVersion, ...]:
    """Engine versions for (id, last change) pairs: cached ones, the others loaded together."""
    stamps = [(pk, str(stamp)) for pk, stamp in stamps]
    stamp_of = dict(stamps)
    out: list[eb.PackageVersion] = []
    missing: list[int] = []
    with _CACHE_LOCK:
        for pk, stamp in stamps:
            hit = _CACHE.get(pk)
            if hit is not None and hit[0] == stamp:
                out.append(hit[1])
            else:
                missing.append(pk)
    if missing:
        versions = list(
            PackageVersion.objects.filter(pk__in=missing).select_related("package__mutual")
        )
        loaded = _load(versions)
        with _CACHE_LOCK:
            if len(_CACHE) + len(loaded) > _CACHE_MAX:
                _CACHE.clear()
            for v in versions:
                _CACHE[v.pk] = (stamp_of[v.pk], loaded[v.pk])
        out.extend(loaded.values())
    return tuple(out)


def catalogue_facts(mutual_id: int, codes: Iterable[str] | None = None) -> dict:
    """{code: engine CatalogueItem} of a mutual's active catalogue (or of `codes`)."""
    qs = CatalogueItem.objects.filter(mutual_id=mutual_id, is_active=True)
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return {
        code: eb.CatalogueItem(code, category, Decimal(price), eb.CareType(care))
        for code, category, price, care in qs.values_list(
            "code", "category__code", "reference_price", "care_type"
        )
    }


def _status_at(membership, changes: list[tuple[str, date]], on: date) -> ee.MembershipStatus:
    """The membership status at `on` from its dated changes (DOMAIN §3)."""
    if changes:
        current = None
        for status, effective_on in changes:  # ordered by effective date
            if effective_on <= on:
                current = status
        return ee.MembershipStatus(current or "candidate")
    if membership.joined_on > on:
        return ee.MembershipStatus.CANDIDATE
    return ee.MembershipStatus(membership.status)


def dues_facts(standing, on: date) -> ee.DuesStanding:
    """contributions' `Standing` → the engine's `DuesStanding`.

    "not_member" is not a dues matter: the membership status already says it.
    """
    if standing.in_good_standing:
        if standing.arrears_since is not None and standing.grace_until is not None:
            return ee.DuesStanding.grace(standing.arrears_since, standing.grace_until)
        return ee.PAID
    if standing.reason == "not_member":
        return ee.PAID
    since = standing.arrears_since or on
    return ee.DuesStanding.arrears(min(since, on))


def household_standings(households: list, on: date) -> dict:
    """Good standing of many households: contributions' bulk selector
    `household_standings(household_ids=, on=)` when it exists, else one call of
    `household_standing` per household."""
    from mutualis.contributions import selectors as cs

    bulk = getattr(cs, "household_standings", None)
    if bulk is not None:
        return bulk(household_ids=[h.pk for h in households], on=on)
    return {h.pk: cs.household_standing(household=h, on=on) for h in households}


def member_facts_bulk(memberships: list, on: date) -> dict[int, ee.MemberFacts]:
    """Engine `MemberFacts` of many memberships (with `person` and `household` loaded).

    One query whatever their number (status changes and coverage periods
    together), then the dues standing (bulk when contributions offers it).
    """
    return _member_facts(memberships, on)[0]


def eligibility_facts(
    memberships: list, on: date
) -> tuple[dict[int, ee.MemberFacts], tuple[eb.PackageVersion, ...]]:
    """`MemberFacts` of many memberships and the published versions of every package
    that covers them: one query (status changes, coverage periods and version
    stamps together) plus the dues standing, plus the versions not yet cached."""
    facts, stamps = _member_facts(memberships, on)
    return facts, _versions_from_stamps(stamps)


# One round trip for everything a beneficiary's rights depend on, 11 columns per row:
# kind, owner, n1, text, d1, d2, stamp, ref, d3, amount (as text: never a float), n2.
# The periods branch comes first so that SQLite types its date columns.
_FACTS_SQL = (
    "SELECT 1, household_id, membership_id, status, start_on, expiry_on,"
    " CAST(NULL AS TIMESTAMP), package_id, CAST(NULL AS DATE), CAST(NULL AS TEXT),"
    " CAST(NULL AS BIGINT) FROM {coverage} WHERE household_id IN ({hh})"
    " UNION ALL"
    " SELECT 0, membership_id, NULL, status, effective_on, NULL, recorded_at, id, NULL, NULL,"
    " NULL FROM {change} WHERE membership_id IN ({ms})"
    " UNION ALL"
    " SELECT 2, package_id, NULL, status, effective_from, NULL, updated_at, id, NULL, NULL, NULL"
    " FROM {version} WHERE status = %s"
    " AND package_id IN (SELECT package_id FROM {coverage} WHERE household_id IN ({hh}))"
    " UNION ALL"
    " SELECT 3, household_id, payer_id, kind, due_date, period_start, NULL, id, period_end,"
    " CAST(amount AS TEXT), schedule_id FROM {due} WHERE household_id IN ({hh})"
    " UNION ALL"
    " SELECT 4, a.due_id, NULL, NULL, a.value_date, NULL, NULL, a.id, NULL,"
    " CAST(a.amount AS TEXT), NULL FROM {allocation} a JOIN {due} d ON d.id = a.due_id"
    " WHERE d.household_id IN ({hh}) AND a.value_date <= %s"
    " UNION ALL"
    " SELECT 5, id, grace_days, NULL, NULL, NULL, NULL, partial_cover_months, NULL,"
    " CAST(cover_share AS TEXT), strike_off_months FROM {schedule} WHERE id IN"
    " (SELECT schedule_id FROM {due} WHERE household_id IN ({hh}) AND payer_id IS NULL)"
    " UNION ALL"
    " SELECT 6, household_id, NULL, NULL, NULL, NULL, NULL, id, NULL, NULL, NULL"
    " FROM {membership} WHERE household_id IN ({hh}) AND status = %s AND joined_on <= %s"
)


def _member_facts(memberships: list, on: date) -> tuple[dict[int, ee.MemberFacts], list]:
    if not memberships:
        return {}, []
    ids = [m.pk for m in memberships]
    households = list({m.household_id: m.household for m in memberships}.values())
    hh_ids = [h.pk for h in households]
    rows = _rows(
        _FACTS_SQL,
        [*hh_ids, *ids, VersionStatus.PUBLISHED, *hh_ids, *hh_ids, *hh_ids, on, *hh_ids]
        + [*hh_ids, "active", on],
        hh=hh_ids,
        ms=ids,
    )
    changes: dict[int, list] = {}
    periods: dict[int, list] = {}
    stamps = []
    money_rows: list[tuple] = []
    for row in rows:
        kind, owner, member, status, d1, d2, stamp, ref = row[:8]
        if kind == 0:
            changes.setdefault(owner, []).append((d1, str(stamp), ref, status))
        elif kind == 1:
            periods.setdefault(owner, []).append((member, ref, d1, d2, status))
        elif kind == 2:
            stamps.append((ref, stamp))
        else:
            money_rows.append(row)
    standings = standings_from_rows(money_rows, hh_ids, on)
    out = {}
    for m in memberships:
        person = m.person
        if person.birth_date is not None:
            born, year_only = person.birth_date, False
        elif person.birth_year:
            born, year_only = date(person.birth_year, 1, 1), True
        else:
            born, year_only = date(1900, 1, 1), True
        history = [(status, _date(d)) for d, _at, _id, status in sorted(changes.get(m.pk, []))]
        ben = ee.Beneficiary(
            id=str(m.pk),
            household_id=str(m.household_id),
            sex=eb.Sex(person.sex),
            born=born,
            born_year_only=year_only,
            category=m.category,
            status=_status_at(m, history, on),
        )
        cover = tuple(
            ee.CoveragePeriod(str(pkg), _date(start), _date(expiry), ee.CoverStatus(status))
            for mem, pkg, start, expiry, status in periods.get(m.household_id, [])
            if mem is None or mem == m.pk
        )
        standing = standings.get(m.household_id)
        dues = dues_facts(standing, on) if standing is not None else ee.PAID
        out[m.pk] = ee.MemberFacts(ben, cover, dues)
    return out, stamps


def standings_from_rows(rows: list[tuple], household_ids: list[int], on: date) -> dict:
    """contributions' `household_standings`, computed from the rows of `_FACTS_SQL`
    (dues, allocations value-dated by `on`, statutes of the schedules, active
    members): the same engine (`engine.standing.standing_on`) and the same
    mapping (`contributions.mapping.statute_options`), without four more queries."""
    from mutualis.contributions.mapping import statute_options
    from mutualis.contributions.models import Schedule
    from mutualis.contributions.selectors import standing_from
    from mutualis.engine import contributions as ec
    from mutualis.engine import payments as ep
    from mutualis.engine import standing as es

    due_rows, paid, options, active = [], {}, {}, set()
    for kind, owner, n1, text, d1, d2, _stamp, ref, d3, amount, n2 in rows:
        if kind == 3:
            due_rows.append(
                (owner, _date(d1), ref, n1, text, _opt_date(d2), _opt_date(d3), amount, n2)
            )
        elif kind == 4:
            paid.setdefault(owner, []).append((_date(d1), ref, Decimal(amount)))
        elif kind == 5:
            schedule = rows_loaded(
                Schedule,
                id=owner,
                grace_days=n1,
                cover_share=Decimal(amount),
                partial_cover_months=ref,
                strike_off_months=n2,
            )
            options[owner] = statute_options(schedule)
        elif kind == 6:
            active.add(owner)
    dues: dict[int, list] = {}
    schedule_of: dict[int, int] = {}
    for hh, due_date, due_id, payer, kind, start, end, amount, schedule_id in sorted(due_rows):
        contribution = kind == ec.DueKind.CONTRIBUTION
        dues.setdefault(hh, []).append(
            ep.Due(
                id=due_id,
                kind=ec.DueKind(kind),
                due_date=due_date,
                amount=Decimal(amount),
                paid=tuple(ep.Paid(d, a) for d, _i, a in sorted(paid.get(due_id, []))),
                period_start=start if contribution else None,
                period_end=end if contribution else None,
                payer=ec.MEMBER if payer is None else str(payer),
            )
        )
        if payer is None:
            schedule_of[hh] = max(schedule_of.get(hh, schedule_id), schedule_id)
    default = es.StatuteOptions()
    return {
        hh: standing_from(
            dues.get(hh), options.get(schedule_of.get(hh), default), active=hh in active, on=on
        )
        for hh in household_ids
    }


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_MEMBERSHIP_SQL = (
    "SELECT m.id, m.number, m.category, m.status, m.joined_on, m.left_on, m.relationship,"
    " m.household_id, m.section_id, m.mutual_id, m.person_id,"
    " p.first_name, p.last_name, p.sex, p.birth_date, p.birth_year, p.photo,"
    " h.number, s.path, s.name, u.path, u.name, u.currency, u.time_zone,"
    " i.id, i.code, i.name, CAST(i.reference_price AS TEXT), i.care_type, i.kind,"
    " c.id, c.code, c.name"
    " FROM {membership} m"
    " JOIN {person} p ON p.id = m.person_id"
    " JOIN {household} h ON h.id = m.household_id"
    " JOIN {org} s ON s.id = m.section_id"
    " JOIN {org} u ON u.id = m.mutual_id"
    " LEFT JOIN {item} i ON i.mutual_id = m.mutual_id AND i.code IN ({codes})"
    " AND i.is_active = %s"
    " LEFT JOIN {category} c ON c.id = i.category_id"
    " WHERE m.number = %s"
)


def membership_by_number(number: str, item_code: str | None = None):
    """(membership, catalogue item or None) for a card number, or (None, None).

    One plain query: the membership with person, household, section and mutual
    attached, and the mutual's active catalogue item `item_code` if asked. Not
    scoped: the caller checks rights on `membership.section`.
    """
    m, items = membership_with_items(number, [item_code or ""])
    if m is None:
        return None, None
    return m, next(iter(items.values()), None)


def membership_with_items(number: str, codes) -> tuple[object, dict[str, CatalogueItem]]:
    """(membership, {code: active CatalogueItem of its mutual}) in one query.

    The membership comes with person, household, section and mutual attached
    (partial rows: what eligibility and claims read); items are only those of
    `codes` that the mutual's active catalogue holds. (None, {}) if unknown.
    """
    from mutualis.members.models import Household, Membership, Person

    codes = sorted(set(codes)) or [""]
    rows = _rows(_MEMBERSHIP_SQL, [*codes, True, number], codes=codes)
    if not rows:
        return None, {}
    (
        pk,
        num,
        category,
        status,
        joined,
        left,
        relationship,
        hh_id,
        section_id,
        mutual_id,
        person_id,
        first,
        last,
        sex,
        birth_date,
        birth_year,
        photo,
        hh_number,
        s_path,
        s_name,
        u_path,
        u_name,
        currency_code,
        tz,
        *_item,
    ) = rows[0]
    # Partial rows (what eligibility and claims read), built positionally: the other
    # fields are deferred, so touching one reads it rather than a made-up default.
    person = rows_loaded(
        Person,
        id=person_id,
        mutual_id=mutual_id,
        first_name=first,
        last_name=last,
        sex=sex,
        birth_date=_opt_date(birth_date),
        birth_year=birth_year,
        photo=photo or None,
    )
    household = rows_loaded(
        Household, id=hh_id, number=hh_number, mutual_id=mutual_id, section_id=section_id
    )
    section = rows_loaded(Organisation, id=section_id, path=s_path, name=s_name)
    mutual = rows_loaded(
        Organisation, id=mutual_id, path=u_path, name=u_name, currency=currency_code, time_zone=tz
    )
    m = rows_loaded(
        Membership,
        {"household": household, "section": section, "mutual": mutual, "person": person},
        id=pk,
        number=num,
        category=category,
        status=status,
        joined_on=_opt_date(joined),
        left_on=_opt_date(left),
        relationship=relationship,
        household_id=hh_id,
        section_id=section_id,
        mutual_id=mutual_id,
        person_id=person_id,
    )
    items = {}
    for row in rows:
        item_id, code, name, price, care, kind, cat_id, cat_code, cat_name = row[24:]
        if item_id is None:
            continue
        category = rows_loaded(
            ServiceCategory, id=cat_id, mutual_id=mutual_id, code=cat_code, name=cat_name
        )
        items[code] = rows_loaded(
            CatalogueItem,
            {"category": category},
            id=item_id,
            mutual_id=mutual_id,
            code=code,
            name=name,
            kind=kind,
            reference_price=Decimal(str(price)),
            care_type=care,
            category_id=cat_id,
        )
    return m, items


def catalogue_of(items: dict[str, CatalogueItem]) -> dict[str, eb.CatalogueItem]:
    """Stored catalogue items (with `category`) as the engine's, by code."""
    return {
        code: eb.CatalogueItem(code, i.category.code, i.reference_price, eb.CareType(i.care_type))
        for code, i in items.items()
    }


def _opt_date(value) -> date | None:
    return None if value is None else _date(value)


def consumption_for(*, beneficiary_ids: list[int], household_ids: list[int], on: date) -> tuple:
    """Consumption records that limits count: what accepted claims have used so far."""
    from mutualis.claims.facts import consumption_for as claims_consumption

    return claims_consumption(beneficiary_ids=beneficiary_ids, household_ids=household_ids, on=on)
