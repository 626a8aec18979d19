"""Reads of the member register, always scoped to the asking user.

`membership_status_on` and `household_cover_on` answer "who was covered, where
and when" from the dated history (DOMAIN §3); every later rule (dues, claims,
votes) asks them rather than the current `status` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mutualis.core.errors import NotFound, ValidationFailed
from mutualis.core.models import OrgKind
from mutualis.core.roles import Perm
from mutualis.core.scope import in_scope, require

from . import numbers
from .models import (
    Card,
    CoveragePeriod,
    CoverageStatus,
    DuplicateCandidate,
    DuplicateStatus,
    Group,
    Household,
    MemberImport,
    Membership,
    MembershipStatus,
    MembershipStatusChange,
    Person,
)
from .names import search_terms


class MistypedNumber(ValidationFailed):
    code = "mistyped_number"
    message = _("The number {number} is not valid: check the digits (one is wrong or swapped).")


# --- Status and cover at a date --------------------------------------------------


def membership_status_on(membership: Membership, on: date) -> str | None:
    """The status on `on`: the last change effective on or before it (None: not yet)."""
    changes = getattr(membership, "_prefetched_objects_cache", {}).get("status_changes")
    if changes is not None:
        rows = sorted(
            (c for c in changes if c.effective_on <= on),
            key=lambda c: (c.effective_on, c.recorded_at, c.pk),
        )
        return rows[-1].status if rows else None
    last = (
        MembershipStatusChange.objects.filter(membership=membership, effective_on__lte=on)
        .order_by("-effective_on", "-recorded_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    return last


def _period_counts(period: CoveragePeriod) -> bool:
    """A period gives cover unless never paid (idle) or currently suspended."""
    return period.status in (CoverageStatus.ACTIVE, CoverageStatus.EXPIRED)


@dataclass(frozen=True)
class Cover:
    membership: Membership
    status: str | None
    periods: tuple[CoveragePeriod, ...]

    @property
    def covered(self) -> bool:
        return self.status == MembershipStatus.ACTIVE and bool(self.periods)

    @property
    def status_label(self) -> str:
        return MembershipStatus(self.status).label if self.status else "—"


def household_cover_on(household: Household, on: date) -> list[Cover]:
    """Each beneficiary of the household on `on`: status then, and the periods covering it."""
    periods = [
        p
        for p in household.coverage_periods.select_related("package").filter(
            start_on__lte=on, expiry_on__gte=on
        )
        if _period_counts(p)
    ]
    out = []
    members = household.memberships.select_related("person").prefetch_related("status_changes")
    for m in members.order_by("id"):
        status = membership_status_on(m, on)
        if status is None:
            continue
        mine = tuple(p for p in periods if p.membership_id in (None, m.pk))
        out.append(Cover(membership=m, status=status, periods=mine))
    return out


def is_covered(membership: Membership, on: date) -> bool:
    if membership_status_on(membership, on) != MembershipStatus.ACTIVE:
        return False
    return any(
        _period_counts(p)
        for p in CoveragePeriod.objects.filter(
            Q(membership__isnull=True) | Q(membership=membership),
            household_id=membership.household_id,
            start_on__lte=on,
            expiry_on__gte=on,
        )
    )


def cover_until(*, membership: Membership, on: date) -> date:
    """Last day of the member's current or next cover; else the end of `on`'s year."""
    period = (
        CoveragePeriod.objects.filter(
            Q(membership__isnull=True) | Q(membership=membership),
            household_id=membership.household_id,
            expiry_on__gte=on,
        )
        .exclude(status=CoverageStatus.SUSPENDED)
        .order_by("-expiry_on")
        .first()
    )
    return period.expiry_on if period else date(on.year, 12, 31)


# --- Lists and gets --------------------------------------------------------------


def household_list(*, user) -> QuerySet[Household]:
    require(user, Perm.MEMBER_VIEW)
    return Household.objects.filter(in_scope(user, "section", Perm.MEMBER_VIEW)).select_related(
        "section", "head", "group"
    )


def household_get(*, user, household_id) -> Household:
    try:
        return household_list(user=user).get(pk=household_id)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def household_mine(*, user) -> Household:
    """The household of the signed-in member (a Person linked to the user)."""
    person = Person.objects.filter(user_id=getattr(user, "pk", None)).first()
    if person is None:
        raise NotFound()
    membership = (
        person.memberships.select_related("household__section", "household__mutual")
        .order_by("left_on", "-joined_on")
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership.household


def _scope_orgs(user) -> list[tuple[int, str, int | None]] | None:
    """(id, kind, parent id) of the organisations in the user's member scope;
    None for a superuser (no limit)."""
    if getattr(user, "is_superuser", False):
        return None
    from mutualis.core.models import Organisation
    from mutualis.core.scope import org_scope_q

    return list(
        Organisation.objects.filter(org_scope_q(user, Perm.MEMBER_VIEW)).values_list(
            "pk", "kind", "parent_id"
        )
    )


def _section_scope(user, field: str = "section", orgs=None) -> Q:
    """Like core's in_scope, but with the (few) section ids inlined: on a million
    rows PostgreSQL then plans the name search from the name indexes instead of
    walking every membership of the scope."""
    orgs = _scope_orgs(user) if orgs is None else orgs
    if orgs is None:
        return Q()
    return Q(**{f"{field}_id__in": [pk for pk, _kind, _parent in orgs]})


def membership_list(*, user) -> QuerySet[Membership]:
    require(user, Perm.MEMBER_VIEW)
    return Membership.objects.filter(_section_scope(user)).select_related(
        "person", "household", "section"
    )


def membership_get(*, user, membership_id) -> Membership:
    try:
        return membership_list(user=user).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def person_get(*, user, person_id) -> Person:
    """A person with at least one membership in the user's scope."""
    visible = membership_list(user=user).filter(person_id=person_id)
    try:
        return Person.objects.filter(pk__in=visible.values("person_id")).get()
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _valid_phone(text: str, country: str) -> str:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _tsquery(qs: QuerySet[Membership], query: str, several: bool) -> QuerySet[Membership]:
    """Persons whose words match the tsquery, through the word index (migration 0005).

    The filter on the joined name keeps the join (and its alias) in every form
    of the query, also in `.exists()`."""
    return (
        qs.filter(person__normalised_name__gt="")
        .extra(
            where=[
                "to_tsvector('simple', members_person.normalised_name) @@ to_tsquery('simple', %s)"
            ],
            params=[query],
        )
        # With several words the planner overestimates the matches (it takes
        # the words as independent) and walks the whole name index in order
        # hoping to meet them early; Lower() (a no-op on this column) keeps
        # it on the word index. One word is estimated well: plain order.
        .order_by(
            Lower("person__normalised_name") if several else "person__normalised_name",
            "person_id",
            "id",
        )
    )


def _name_tiers(qs: QuerySet[Membership], terms: list[str]) -> list[QuerySet[Membership]]:
    """The name searches to try, best first; the first that finds someone answers.

    PostgreSQL: (1) whole words, through the word index: typed names are
    usually whole, and whole words intersect fast where word beginnings must
    gather every word that starts alike; (2) word beginnings ('ndia hel');
    (3) parts of words, through the trigram index (0003). SQLite: each word
    anywhere in the name."""
    contains = Q()
    for term in terms:
        contains &= Q(person__normalised_name__contains=term)
    parts = qs.filter(contains).order_by("person__normalised_name", "person_id", "id")
    if connection.vendor != "postgresql" or not terms:
        return [parts]
    several = len(terms) > 1
    return [
        _tsquery(qs, " & ".join(terms), several),
        _tsquery(qs, " & ".join(f"{t}:*" for t in terms), several),
        parts,
    ]


def _search_scope(user) -> QuerySet[Membership]:
    """`membership_list`, also filtered on the person's mutual (one query for both).

    A person is registered by the mutual of all its memberships (enrolment,
    import and merges keep them together), so the filter drops no one; it lets
    PostgreSQL search one mutual through the name indexes that lead with it
    (migration 0007) instead of the matches of every mutual in the table."""
    require(user, Perm.MEMBER_VIEW)
    qs = Membership.objects.select_related("person", "household", "section")
    orgs = _scope_orgs(user)
    if orgs is None:
        return qs
    mutuals = {pk for pk, kind, _parent in orgs if kind == OrgKind.MUTUAL}
    mutuals |= {parent for _pk, kind, parent in orgs if kind == OrgKind.SECTION}
    return qs.filter(_section_scope(user, orgs=orgs), person__mutual_id__in=sorted(mutuals))


def _search(user, query: str, country: str) -> list[QuerySet[Membership]]:
    """The querysets a search may answer with, best first (one for a number or a phone)."""
    qs = _search_scope(user)
    query = (query or "").strip()
    if not query:
        return [qs.order_by("person__normalised_name", "id")]
    number = numbers.clean(query)
    if numbers.looks_like_number(query) and numbers.is_well_formed(number):
        field = "number" if len(number) == numbers.BENEFICIARY_LENGTH else "household__number"
        return [qs.filter(**{field: number}).order_by("household_id", "id")]
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 7 and len(digits) >= len(query.replace(" ", "")) - 1:
        phone = _valid_phone(query, country)
        if phone:
            return [qs.filter(person__phone=phone).order_by("person__normalised_name", "id")]
        if numbers.looks_like_number(query):
            raise MistypedNumber(
                number=numbers.display(number), fields={"q": MistypedNumber.message}
            )
    return _name_tiers(qs, search_terms(query))


def member_search(*, user, query: str, country: str = "SN") -> QuerySet[Membership]:
    """Beneficiaries matching a number, a phone or a name, in the user's scope.

    - 8 or 9 digits: a household or beneficiary number; a wrong check digit
      raises `MistypedNumber` (the clerk sees it at once).
    - a phone ('+221…', '77 123 45 67'; 9 digits that fail the check digit but
      make a valid phone number): exact match on the stored E.164 number.
    - else words of a name, accent-, case- and order-insensitive (`_name_tiers`).

    Pages of results: `member_search_page`, which spares the probe queries.
    """
    tiers = _search(user, query, country)
    for qs in tiers[:-1]:
        if qs[:1].exists():
            return qs
    return tiers[-1]


def member_search_page(
    *, user, query: str, offset: int = 0, limit: int = 25, country: str = "SN"
) -> tuple[list[Membership], bool]:
    """One page of `member_search` and whether a next page exists (no COUNT(*)).

    The first page costs one query when the best tier finds someone: its
    page is fetched directly (one row more tells if a next page exists), and
    a later tier is tried only when it is empty."""
    tiers = _search(user, query, country)
    for i, qs in enumerate(tiers):
        last = i == len(tiers) - 1
        if offset and not last and not qs[:1].exists():
            continue
        rows = list(qs[offset : offset + limit + 1])
        if rows or offset or last:
            return rows[:limit], len(rows) > limit
    return [], False


def group_list(*, user) -> QuerySet[Group]:
    require(user, Perm.MEMBER_VIEW)
    return Group.objects.filter(
        in_scope(user, "mutual", Perm.MEMBER_VIEW)
        | in_scope(user, "mutual__children", Perm.MEMBER_VIEW)
    ).distinct()


def card_current(membership: Membership) -> Card | None:
    return membership.cards.filter(revoked_at__isnull=True).first()


def duplicate_list(*, user) -> QuerySet[DuplicateCandidate]:
    require(user, Perm.MEMBER_VIEW)
    return (
        DuplicateCandidate.objects.filter(
            person__in=Membership.objects.filter(
                in_scope(user, "section", Perm.MEMBER_VIEW)
            ).values("person_id"),
            status=DuplicateStatus.OPEN,
        )
        .select_related("person", "other")
        .order_by("-created_at", "-id")
    )


def duplicate_get(*, user, candidate_id) -> DuplicateCandidate:
    try:
        return duplicate_list(user=user).get(pk=candidate_id)
    except (DuplicateCandidate.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def import_list(*, user) -> QuerySet[MemberImport]:
    require(user, Perm.MEMBER_IMPORT)
    return MemberImport.objects.filter(
        Q(actor_id=user.pk) | in_scope(user, "mutual", Perm.MEMBER_IMPORT)
    )


def import_get(*, user, import_id) -> MemberImport:
    try:
        return import_list(user=user).get(pk=import_id)
    except (MemberImport.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
