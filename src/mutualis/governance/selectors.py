"""Reads of the governance app, always scoped to the asking user.

GAs, statutes, positions, mandates and board meetings belong to a mutual (or
union): a user sees them when that node is in one of their subtrees.
Complaints belong to a section. `institutional_indicators` gives the
governance figures of DOMAIN §9 for the indicators pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.roles import Perm
from mutualis.core.scope import in_scope, in_scope_or_above, require
from mutualis.engine import governance as rules

from .models import (
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    BoardMeeting,
    Body,
    Complaint,
    ComplaintStatus,
    Election,
    Mandate,
    Position,
    Resolution,
    ResolutionKind,
    Statutes,
)


def local_today(organisation) -> date:
    """Today in the organisation's time zone."""
    return datetime.now(ZoneInfo(organisation.time_zone or "UTC")).date()


def statutes_get(*, organisation) -> Statutes:
    """The organisation's statutes, or the defaults (unsaved) when none were recorded."""
    found = Statutes.objects.filter(organisation=organisation).first()
    return found or Statutes(organisation=organisation)


def governed_list(*, user):
    """Mutuals (and unions) whose governance the user may see."""
    from mutualis.core.models import Organisation, OrgKind

    return Organisation.objects.filter(
        in_scope(user, "pk", Perm.GOVERNANCE_VIEW),
        kind__in=[OrgKind.MUTUAL, OrgKind.UNION, OrgKind.FEDERATION],
    ).order_by("path")


def organisation_get(*, user, organisation_id):
    from mutualis.core.models import Organisation

    try:
        return governed_list(user=user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- Assemblies ------------------------------------------------------------------


def assembly_list(*, user) -> QuerySet[Assembly]:
    """GAs of the user's organisations and of those above them (a section's clerk reads
    the mutual's GA; managing it still needs the right on the mutual)."""
    return Assembly.objects.filter(
        in_scope_or_above(user, "organisation", Perm.GOVERNANCE_VIEW)
    ).select_related("organisation")


def assembly_get(*, user, assembly_id) -> Assembly:
    """A GA of the user's own subtrees: for managing it and for its lists of members."""
    try:
        return Assembly.objects.select_related("organisation").get(
            in_scope(user, "organisation", Perm.GOVERNANCE_VIEW), pk=assembly_id
        )
    except (Assembly.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def quorum_fraction(assembly: Assembly, statutes: Statutes) -> Fraction:
    extraordinary = assembly.kind == AssemblyKind.EXTRAORDINARY
    if assembly.call == 1:
        text = (
            statutes.quorum_extraordinary_first if extraordinary else statutes.quorum_ordinary_first
        )
    else:
        text = (
            statutes.quorum_extraordinary_second
            if extraordinary
            else statutes.quorum_ordinary_second
        )
    return rules.parse_fraction(text)


def assembly_quorum(assembly: Assembly, statutes: Statutes | None = None) -> rules.Quorum:
    """Present, represented and required now (live, for the chair's screen)."""
    statutes = statutes or statutes_get(organisation=assembly.organisation)
    return rules.compute_quorum(
        electorate=assembly.voters.count(),
        present=assembly.attendances.count(),
        represented=assembly.proxies.count(),
        fraction=quorum_fraction(assembly, statutes),
    )


def voting_power(assembly: Assembly) -> int:
    return assembly.attendances.count() + assembly.proxies.count()


def member_memberships(*, user):
    """The signed-in member's own open memberships (their person is linked to the account)."""
    from mutualis.members.models import Membership

    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(person__user_id=user.pk, left_on__isnull=True).select_related(
        "person", "section", "mutual"
    )


def member_assembly_list(*, user) -> QuerySet[Assembly]:
    """GAs of the member's mutual(s) once convened: date, place, agenda, documents, minutes."""
    mutuals = member_memberships(user=user).values("mutual_id")
    return (
        Assembly.objects.filter(organisation_id__in=mutuals)
        .exclude(status=AssemblyStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("documents")
    )


def assembly_get_for_reading(*, user, assembly_id) -> Assembly:
    """A GA the user may read: in or above their governance scope (a section's clerk reads
    the mutual's GA), or of their own mutual as a member."""
    try:
        return assembly_list(user=user).get(pk=assembly_id)
    except (Assembly.DoesNotExist, ValueError, TypeError):
        pass
    try:
        return member_assembly_list(user=user).get(pk=assembly_id)
    except (Assembly.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def resolution_get(*, user, resolution_id) -> Resolution:
    qs = Resolution.objects.filter(
        in_scope_or_above(user, "assembly__organisation", Perm.GOVERNANCE_VIEW)
    ).select_related("assembly__organisation")
    try:
        return qs.get(pk=resolution_id)
    except (Resolution.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def election_get(*, user, election_id) -> Election:
    qs = Election.objects.filter(
        in_scope_or_above(user, "assembly__organisation", Perm.GOVERNANCE_VIEW)
    ).select_related("assembly__organisation", "position")
    try:
        return qs.get(pk=election_id)
    except (Election.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def election_results(election: Election) -> list:
    return list(election.candidates.select_related("membership__person").order_by("-votes", "id"))


# --- Positions, mandates, meetings -------------------------------------------------


def position_list(*, user) -> QuerySet[Position]:
    return Position.objects.filter(
        in_scope(user, "organisation", Perm.GOVERNANCE_VIEW)
    ).select_related("organisation")


def position_get(*, user, position_id) -> Position:
    try:
        return position_list(user=user).get(pk=position_id)
    except (Position.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def mandate_list(*, user) -> QuerySet[Mandate]:
    return Mandate.objects.filter(
        in_scope(user, "organisation", Perm.GOVERNANCE_VIEW)
    ).select_related("position", "membership__person", "organisation")


def mandate_get(*, user, mandate_id) -> Mandate:
    try:
        return mandate_list(user=user).get(pk=mandate_id)
    except (Mandate.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def mandates_in_office(qs: QuerySet[Mandate], *, on: date) -> QuerySet[Mandate]:
    return qs.filter(start_on__lte=on, end_on__gte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def mandates_ending(*, user, on: date, within_days: int = 90) -> QuerySet[Mandate]:
    """End-of-mandate alerts: mandates in office ending within `within_days`."""
    return mandates_in_office(mandate_list(user=user), on=on).filter(
        end_on__lte=on + timedelta(days=within_days)
    )


def board_meeting_list(*, user) -> QuerySet[BoardMeeting]:
    return (
        BoardMeeting.objects.filter(in_scope(user, "organisation", Perm.GOVERNANCE_VIEW))
        .select_related("organisation")
        .prefetch_related("decisions", "present__membership__person", "present__position")
    )


def decision_register(*, user) -> list[dict]:
    """Adopted GA resolutions and board decisions, newest first."""
    rows = []
    resolutions = Resolution.objects.filter(
        in_scope(user, "assembly__organisation", Perm.GOVERNANCE_VIEW), adopted__isnull=False
    ).select_related("assembly")
    for r in resolutions:
        rows.append(
            {
                "on": r.assembly.held_on,
                "source": str(r.assembly.title),
                "number": r.number,
                "text": r.title,
                "outcome": r.adopted,
                "counts": (r.votes_for, r.votes_against, r.votes_abstain),
            }
        )
    for meeting in board_meeting_list(user=user):
        for d in meeting.decisions.all():
            rows.append(
                {
                    "on": meeting.held_on,
                    "source": meeting.get_body_display(),
                    "number": d.number,
                    "text": d.text,
                    "outcome": True,
                    "counts": None,
                }
            )
    rows.sort(key=lambda r: (r["on"], r["number"]), reverse=True)
    return rows


# --- Complaints --------------------------------------------------------------------


def complaint_list(*, user) -> QuerySet[Complaint]:
    """Complaints of the sections in the user's scope, and a member's own complaints."""
    scoped = Q(in_scope(user, "section", Perm.COMPLAINT_HANDLE)) | Q(
        in_scope(user, "section", Perm.GOVERNANCE_VIEW)
    )
    own = Q(membership__person__user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return Complaint.objects.filter(scoped | own).select_related(
        "section", "assignee", "membership__person"
    )


def complaint_get(*, user, complaint_id) -> Complaint:
    try:
        return complaint_list(user=user).get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@dataclass(frozen=True)
class ComplaintStats:
    received: int
    complaints: int
    suggestions: int
    answered: int
    answered_in_time: int
    open: int
    overdue: int
    average_days: Fraction | None


def complaint_stats(qs: QuerySet[Complaint], *, on: date) -> ComplaintStats:
    """Figures for the GA report: received, answered, answered in time, open, overdue."""
    rows = list(qs.values("kind", "status", "received_on", "answered_on", "due_on"))
    answered = [r for r in rows if r["status"] == ComplaintStatus.ANSWERED and r["answered_on"]]
    days = sum((r["answered_on"] - r["received_on"]).days for r in answered)
    open_rows = [r for r in rows if r["status"] != ComplaintStatus.ANSWERED]
    return ComplaintStats(
        received=len(rows),
        complaints=sum(1 for r in rows if r["kind"] == "complaint"),
        suggestions=sum(1 for r in rows if r["kind"] == "suggestion"),
        answered=len(answered),
        answered_in_time=sum(1 for r in answered if r["answered_on"] <= r["due_on"]),
        open=len(open_rows),
        overdue=sum(1 for r in open_rows if r["due_on"] < on),
        average_days=Fraction(days, len(answered)) if answered else None,
    )


# --- Institutional indicators (DOMAIN §9) -------------------------------------------


@dataclass(frozen=True)
class InstitutionalIndicators:
    year: int
    assembly: Assembly | None
    electorate: int
    present: int
    represented: int
    attendance_rate: Fraction | None  # present or represented / entitled to vote
    represented_share: Fraction | None  # represented by proxy / entitled to vote
    held_on_time: bool | None
    accounts_approved: bool | None
    officers: int
    new_officers: int
    renewal_rate: Fraction | None
    women: int
    youth: int
    women_share: Fraction | None
    youth_share: Fraction | None
    complaints: ComplaintStats


def institutional_indicators(*, user, organisation, year: int) -> InstitutionalIndicators:
    """Governance figures of `organisation` for `year`, for the indicators pages.

    - GA attendance: the year's ordinary GA (else the last GA closed that year).
    - Officer renewal: officers who started a mandate that year without holding
      one in the same body just before, over officers in office on 31 December.
    - Women and youth (under the statutes' `youth_age`) among those officers.
    """
    require(user, Perm.GOVERNANCE_VIEW, on=organisation)
    statutes = statutes_get(organisation=organisation)
    year_end = date(year, 12, 31)
    assemblies = Assembly.objects.filter(
        organisation=organisation, held_on__year=year, status=AssemblyStatus.CLOSED
    ).annotate(
        n_voters=Count("voters", distinct=True),
        n_present=Count("attendances", distinct=True),
        n_proxies=Count("proxies", distinct=True),
    )
    ga = (
        assemblies.filter(kind=AssemblyKind.ORDINARY).order_by("held_on").first()
        or assemblies.order_by("-held_on").first()
    )
    electorate = ga.n_voters if ga else 0
    present = ga.n_present if ga else 0
    represented = ga.n_proxies if ga else 0
    deadline_month = min(max(statutes.ga_deadline_month, 1), 12)
    deadline = (
        date(year, 12, 31)
        if deadline_month == 12
        else date(year, deadline_month + 1, 1) - timedelta(days=1)
    )
    held_on_time = None
    accounts = None
    if ga is not None or year_end < local_today(organisation):
        ordinary = assemblies.filter(kind=AssemblyKind.ORDINARY, held_on__lte=deadline)
        held_on_time = ordinary.exists()
        accounts = Resolution.objects.filter(
            assembly__in=assemblies, kind=ResolutionKind.ACCOUNTS, adopted=True
        ).exists()

    mandates = Mandate.objects.filter(organisation=organisation).exclude(
        position__body=Body.DELEGATES
    )
    in_office = list(
        mandates_in_office(mandates, on=year_end).select_related("membership__person", "position")
    )
    earlier = list(
        mandates.filter(start_on__lt=date(year, 1, 1)).values_list(
            "membership__person_id", "position__body", "end_on", "ended_on"
        )
    )
    new = 0
    for m in in_office:
        if m.start_on.year != year:
            continue
        held_before = any(
            person == m.membership.person_id
            and body == m.position.body
            and (ended or end) >= m.start_on - timedelta(days=366)
            for person, body, end, ended in earlier
        )
        new += 0 if held_before else 1
    women = sum(1 for m in in_office if m.membership.person.sex == "F")
    youth = 0
    for m in in_office:
        person = m.membership.person
        age = rules.age_on(on=year_end, birth_date=person.birth_date, birth_year=person.birth_year)
        youth += 1 if age is not None and age < statutes.youth_age else 0
    officers = len(in_office)
    sections = Complaint.objects.filter(section__path__startswith=organisation.path)
    return InstitutionalIndicators(
        year=year,
        assembly=ga,
        electorate=electorate,
        present=present,
        represented=represented,
        attendance_rate=rules.ratio(present + represented, electorate),
        represented_share=rules.ratio(represented, electorate),
        held_on_time=held_on_time,
        accounts_approved=accounts,
        officers=officers,
        new_officers=new,
        renewal_rate=rules.ratio(new, officers),
        women=women,
        youth=youth,
        women_share=rules.ratio(women, officers),
        youth_share=rules.ratio(youth, officers),
        complaints=complaint_stats(sections.filter(received_on__year=year), on=year_end),
    )
