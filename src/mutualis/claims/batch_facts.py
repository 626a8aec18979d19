"""Member facts of a whole batch chunk, loaded once (issue 7).

`benefits.selectors.member_facts_bulk` answers for many members at ONE date; a
chunk of the batch holds claims on a hundred dates or more, so calling it per
date cost a few queries per date. Here the coverage periods, status changes,
dues (with every allocation) and statutes of the chunk's households are loaded
once, in a fixed number of queries, and each claim's facts are built in Python
at its own date: the same `_status_at`, `dues_facts` and
`engine.standing.standing_on` as the selectors, on the payments value-dated by
that date, so the facts are the ones `member_facts_bulk` gives (the batch tests
compare every decision with the single-claim path).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, Lookup

from mutualis.engine import benefits as eb
from mutualis.engine import eligibility as ee
from mutualis.engine import payments as ep
from mutualis.engine import standing as es


class AnyOf(Lookup):
    """`AnyOf(F("field"), values)`: the field is one of `values`. On PostgreSQL the values
    are one array parameter (`= ANY(%s)`): a chunk's thousands of ids cost one parameter,
    not thousands of placeholders to build and parse."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        if not values:
            return "1 = 0", params
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


def any_of(field: str, values) -> AnyOf:
    return AnyOf(F(field), list(values))


_FACTS_SQL = (
    "SELECT 1, household_id, membership_id, status, start_on, expiry_on,"
    " CAST(NULL AS TIMESTAMP), package_id FROM {{coverage}} WHERE household_id {hh}"
    " UNION ALL"
    " SELECT 0, membership_id, CAST(NULL AS BIGINT), status, effective_on,"
    " CAST(NULL AS DATE), recorded_at, id FROM {{change}} WHERE membership_id {ms}"
)


class ChunkFacts:
    """(membership id, date) → the engine's `MemberFacts`, for the chunk's members."""

    def __init__(self, member_ids) -> None:
        from mutualis.benefits.selectors import _date, _rows
        from mutualis.members.models import Membership

        self._members = {
            pk: (hh, category, joined, status, sex, born, year)
            for pk, hh, category, joined, status, sex, born, year in Membership.objects.filter(
                any_of("pk", member_ids)
            ).values_list(
                "id", "household_id", "category", "joined_on", "status", "person__sex",
                "person__birth_date", "person__birth_year",
            )
        }  # fmt: skip
        ids = list(self._members)
        hh_ids = sorted({m[0] for m in self._members.values()})
        self._changes: dict[int, list] = {}
        self._cover: dict[int, list] = {}
        if ids:
            # The query of `member_facts_bulk` without its version branch.
            # The query of `member_facts_bulk` without its version branch; on PostgreSQL
            # the ids as two array parameters.
            array = connection.vendor == "postgresql"
            rows = _rows(
                _FACTS_SQL.format(
                    hh="= ANY(%s)" if array else "IN ({hh})",
                    ms="= ANY(%s)" if array else "IN ({ms})",
                ),
                [hh_ids, ids] if array else [*hh_ids, *ids],
                **({} if array else {"hh": hh_ids, "ms": ids}),
            )
            changes: dict[int, list] = {}
            periods: dict[int, list] = {}
            for kind, owner, member, status, d1, d2, stamp, ref in rows:
                if kind == 0:
                    changes.setdefault(owner, []).append((d1, str(stamp), ref, status))
                else:
                    periods.setdefault(owner, []).append((member, ref, d1, d2, status))
            self._changes = {
                m: [(status, _date(d)) for d, _at, _id, status in sorted(found)]
                for m, found in changes.items()
            }
            self._cover = {
                hh: [
                    (mem, ee.CoveragePeriod(str(pkg), _date(s), _date(e), ee.CoverStatus(st)))
                    for mem, pkg, s, e, st in found
                ]
                for hh, found in periods.items()
            }
        self._dues = _Dues(hh_ids)
        self._facts: dict[tuple[int, date], object] = {}

    def package_ids(self) -> set[int]:
        """The packages covering the chunk's members (at any date)."""
        return {
            int(p.package_id)
            for member, (hh, *_rest) in self._members.items()
            for mem, p in self._cover.get(hh, ())
            if mem is None or mem == member
        }

    def get(self, key: tuple[int, date]):
        """The facts of membership `key[0]` at `key[1]`, None when it does not exist."""
        found = self._facts.get(key, False)
        if found is not False:
            return found
        member, on = key
        row = self._members.get(member)
        if row is None:
            self._facts[key] = None
            return None
        from mutualis.benefits.selectors import _status_at, dues_facts

        hh, category, joined, status, sex, birth_date, birth_year = row
        if birth_date is not None:
            born, year_only = birth_date, False
        elif birth_year:
            born, year_only = date(birth_year, 1, 1), True
        else:
            born, year_only = date(1900, 1, 1), True
        ben = ee.Beneficiary(
            id=str(member),
            household_id=str(hh),
            sex=eb.Sex(sex),
            born=born,
            born_year_only=year_only,
            category=category,
            status=_status_at(_Membership(joined, status), self._changes.get(member, []), on),
        )
        cover = tuple(p for mem, p in self._cover.get(hh, ()) if mem is None or mem == member)
        standing = self._dues.standing(hh, on)
        dues = dues_facts(standing, on) if standing is not None else ee.PAID
        found = self._facts[key] = ee.MemberFacts(ben, cover, dues)
        return found


class _Membership:
    __slots__ = ("joined_on", "status")

    def __init__(self, joined_on, status) -> None:
        self.joined_on, self.status = joined_on, status


class _Dues:
    """`contributions.selectors.household_standings` at any date, from one load."""

    def __init__(self, hh_ids: list[int]) -> None:
        from mutualis.contributions.mapping import statute_options
        from mutualis.contributions.models import Allocation, Due, Schedule
        from mutualis.members.models import Membership, MembershipStatus

        self._all = _engine_dues(Due, Allocation, hh_ids)
        # The schedule of a household's own dues (the last one, as the selector's dict).
        schedule_of: dict[int, int] = {}
        for hh, schedule in (
            Due.objects.filter(any_of("household_id", self._all), payer__isnull=True)
            .order_by("household_id", "schedule_id")
            .values_list("household_id", "schedule_id")
            .distinct()
        ):
            schedule_of[hh] = schedule
        options = {
            s.pk: statute_options(s)
            for s in Schedule.objects.filter(pk__in=set(schedule_of.values()))
        }
        default = es.StatuteOptions()
        self._options = {hh: options.get(schedule_of.get(hh), default) for hh in self._all}
        # Households without dues: in good standing while one of their members is active
        # and joined on or before the date.
        missing = [hh for hh in hh_ids if hh not in self._all]
        self._active_since: dict[int, date] = {}
        if missing:
            for hh, joined in Membership.objects.filter(
                any_of("household_id", missing), status=MembershipStatus.ACTIVE
            ).values_list("household_id", "joined_on"):
                known = self._active_since.get(hh)
                if known is None or joined < known:
                    self._active_since[hh] = joined
        self._cache: dict[tuple[int, date], object] = {}

    def standing(self, hh: int, on: date):
        key = (hh, on)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._standing(hh, on)
        return found

    def _standing(self, hh: int, on: date):
        from mutualis.contributions.selectors import standing_from

        dues = self._all.get(hh)
        if dues is not None:
            dues = [
                d if all(p.value_date <= on for p in d.paid)
                else replace(d, paid=tuple(p for p in d.paid if p.value_date <= on))
                for d in dues
            ]  # fmt: skip
        since = self._active_since.get(hh)
        active = since is not None and since <= on
        return standing_from(dues, self._options.get(hh), active=active, on=on)


def _engine_dues(Due, Allocation, hh_ids) -> dict[int, list[ep.Due]]:  # noqa: N803
    """`contributions.mapping.engine_dues` with every allocation (filtered by date later),
    the households as one array parameter."""
    from mutualis.contributions.mapping import engine_dues_from

    rows = list(
        Due.objects.filter(any_of("household_id", hh_ids)).values_list(
            "id", "household_id", "kind", "due_date", "amount", "period_start", "period_end",
            "payer_id",
        )
    )  # fmt: skip
    if not rows:
        return {}
    paid: dict[int, list[ep.Paid]] = {}
    for due_id, value_date, amount in Allocation.objects.filter(
        any_of("due__household_id", hh_ids)
    ).values_list("due_id", "value_date", "amount"):
        paid.setdefault(due_id, []).append(ep.Paid(value_date, Decimal(amount)))
    return dict(engine_dues_from(rows, paid))
