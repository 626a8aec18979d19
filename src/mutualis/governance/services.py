"""Writes of the governance app: statutes, GA, check-in, votes, elections, mandates, voice.

Every service is keyword-only, takes the acting user first, runs in a
transaction, checks rights (GOVERNANCE_MANAGE on the mutual; COMPLAINT_HANDLE
on the section), calls the engine for the arithmetic (`engine.governance`)
and leaves an audit event. Good standing always comes from
`contributions.selectors.household_standing` (DOMAIN §10: one vote each for
adherents in good standing at the cut-off date, whatever they pay).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.contributions.selectors import household_standing, household_standings
from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, Forbidden, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm, require
from mutualis.core.services import audit_record
from mutualis.engine import governance as rules
from mutualis.members.models import ENDED, Membership, MembershipStatus

from . import errors
from .models import (
    Assembly,
    AssemblyDocument,
    AssemblyKind,
    AssemblyStatus,
    Attendance,
    BoardDecision,
    BoardMeeting,
    Body,
    Candidate,
    Choice,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    Election,
    ElectionStatus,
    Mandate,
    Position,
    Proxy,
    Resolution,
    ResolutionKind,
    RollCallVote,
    StationTally,
    StationVotes,
    Statutes,
    VoteMode,
    Voter,
)
from .selectors import assembly_quorum, statutes_get, voting_power

CHUNK = 2000


def _audit(actor, action, target, organisation, **data):
    audit_record(actor=actor, action=action, target=target, organisation=organisation, data=data)


# --- Statutes and positions -----------------------------------------------------------

STATUTE_FIELDS = (
    "mandate_years",
    "term_limit",
    "quorum_ordinary_first",
    "quorum_ordinary_second",
    "quorum_extraordinary_first",
    "quorum_extraordinary_second",
    "majority_ordinary",
    "majority_statutes",
    "abstentions_count",
    "max_proxies",
    "ga_by_delegates",
    "notice_days",
    "tie_break",
    "ga_deadline_month",
    "complaint_days",
    "youth_age",
)


@transaction.atomic
def statutes_update(*, actor, organisation, **values) -> Statutes:
    require(actor, Perm.GOVERNANCE_MANAGE, on=organisation)
    unknown = set(values) - set(STATUTE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: _("Unknown field.") for k in unknown})
    statutes = statutes_get(organisation=organisation)
    for key, value in values.items():
        setattr(statutes, key, value)
    field_errors = {}
    if not statutes.mandate_years:
        field_errors["mandate_years"] = _("A mandate lasts at least one year.")
    if not 1 <= statutes.ga_deadline_month <= 12:
        field_errors["ga_deadline_month"] = _("Give a month between 1 and 12.")
    for name in STATUTE_FIELDS:
        if name.startswith("quorum_"):
            try:
                rules.parse_fraction(getattr(statutes, name))
            except ValueError:
                field_errors[name] = _("Not a valid quorum.")
    if field_errors:
        raise ValidationFailed(fields=field_errors)
    with acting_as(actor):
        statutes.save()
    _audit(actor, "statutes.update", statutes, organisation, fields=sorted(values))
    return statutes


@transaction.atomic
def position_create(*, actor, organisation, body: str, title: str, seats: int = 1) -> Position:
    require(actor, Perm.GOVERNANCE_MANAGE, on=organisation)
    if body not in Body.values:
        raise ValidationFailed(fields={"body": _("Unknown body.")})
    if not title.strip():
        raise ValidationFailed(fields={"title": _("The title is required.")})
    if seats < 1:
        raise ValidationFailed(fields={"seats": _("At least one seat.")})
    if Position.objects.filter(organisation=organisation, title=title.strip()).exists():
        raise ValidationFailed(fields={"title": _("This position already exists.")})
    order = Position.objects.filter(organisation=organisation).count()
    with acting_as(actor):
        position = Position.objects.create(
            organisation=organisation, body=body, title=title.strip(), seats=seats, order=order
        )
    _audit(actor, "position.create", position, organisation)
    return position


# --- Convocation ------------------------------------------------------------------------


def _editable(assembly: Assembly) -> None:
    if assembly.status == AssemblyStatus.CLOSED:
        raise errors.AssemblyClosed()


@transaction.atomic
def assembly_create(
    *,
    actor,
    organisation,
    title: str,
    held_on: date,
    place: str,
    agenda: str,
    cutoff_on: date,
    kind: str = AssemblyKind.ORDINARY,
    starts_at=None,
) -> Assembly:
    require(actor, Perm.GOVERNANCE_MANAGE, on=organisation)
    field_errors = {}
    if kind not in AssemblyKind.values:
        field_errors["kind"] = _("Unknown kind of assembly.")
    if not title.strip():
        field_errors["title"] = _("The title is required.")
    if not place.strip():
        field_errors["place"] = _("The place is required.")
    if not agenda.strip():
        field_errors["agenda"] = _("The agenda is required.")
    if cutoff_on > held_on:
        field_errors["cutoff_on"] = _("The cut-off date cannot be after the assembly.")
    if field_errors:
        raise ValidationFailed(fields=field_errors)
    with acting_as(actor):
        assembly = Assembly.objects.create(
            organisation=organisation,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            starts_at=starts_at,
            place=place.strip(),
            agenda=agenda.strip(),
            cutoff_on=cutoff_on,
        )
    _audit(actor, "assembly.create", assembly, organisation)
    return assembly


@transaction.atomic
def assembly_convene(*, actor, assembly: Assembly, sent_on: date) -> Assembly:
    """Record the sending of the convocation; it must leave the statutes' notice."""
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    statutes = statutes_get(organisation=assembly.organisation)
    if not rules.convened_in_time(
        sent_on=sent_on, assembly_on=assembly.held_on, notice_days=statutes.notice_days
    ):
        latest = rules.latest_convocation_date(
            assembly_on=assembly.held_on, notice_days=statutes.notice_days
        )
        raise errors.ConvenedTooLate(
            days=statutes.notice_days,
            latest=latest.strftime("%d/%m/%Y"),
            fields={"sent_on": _("Too late for the notice required by the statutes.")},
        )
    assembly.convocation_sent_on = sent_on
    assembly.status = AssemblyStatus.CONVENED
    with acting_as(actor):
        assembly.save(update_fields=["convocation_sent_on", "status"])
    _audit(actor, "assembly.convene", assembly, assembly.organisation, sent_on=str(sent_on))
    return assembly


@transaction.atomic
def document_add(*, actor, assembly: Assembly, kind: str, title: str, file) -> AssemblyDocument:
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise errors.NotAPdf(fields={"file": errors.NotAPdf.message})
    document = AssemblyDocument.objects.create(
        assembly=assembly, kind=kind, title=title.strip() or file.name, file=file
    )
    _audit(actor, "assembly.document", assembly, assembly.organisation, title=document.title)
    return document


# --- Electorate --------------------------------------------------------------------------


def _electorate_candidates(assembly: Assembly, statutes: Statutes):
    qs = Membership.objects.filter(mutual=assembly.organisation).exclude(
        status__in=[*ENDED, MembershipStatus.CANDIDATE]
    )
    qs = qs.filter(joined_on__lte=assembly.cutoff_on)
    if statutes.ga_by_delegates:
        delegates = Mandate.objects.filter(
            position__body=Body.DELEGATES,
            start_on__lte=assembly.held_on,
            end_on__gte=assembly.held_on,
            ended_on__isnull=True,
            organisation__path__startswith=assembly.organisation.path,
        ).values("membership_id")
        return qs.filter(pk__in=delegates)
    return qs.filter(is_adherent=True)


@transaction.atomic
def electorate_freeze(*, actor, assembly: Assembly) -> int:
    """Freeze the list of voters: adherents (or delegates) in good standing at the cut-off.

    One vote each whatever they pay (DOMAIN §1). Returns the number of voters.
    """
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    if locked.electorate_frozen_at:
        raise errors.ElectorateFrozen()
    statutes = statutes_get(organisation=assembly.organisation)
    members = list(
        _electorate_candidates(assembly, statutes)
        .select_related("person", "household")
        .order_by("section_id", "person__last_name", "person__first_name", "number")
    )
    # Good standing of every household in a few set-based queries (not one per household).
    household_ids = sorted({m.household_id for m in members})
    standings = {}
    for i in range(0, len(household_ids), CHUNK):  # bounded IN lists (SQLite's limit)
        standings.update(
            household_standings(household_ids=household_ids[i : i + CHUNK], on=assembly.cutoff_on)
        )
    rows = []
    for m in members:
        if standings[m.household_id].in_good_standing:
            rows.append(
                Voter(
                    assembly=assembly,
                    membership_id=m.pk,
                    section_id=m.section_id,
                    number=m.number,
                    name=str(m.person)[:250],
                )
            )
    Voter.objects.bulk_create(rows, batch_size=CHUNK)
    locked.electorate_frozen_at = assembly.electorate_frozen_at = timezone.now()
    with acting_as(actor):
        locked.save(update_fields=["electorate_frozen_at"])
    _audit(actor, "assembly.electorate", assembly, assembly.organisation, voters=len(rows))
    return len(rows)


def _voter(assembly: Assembly, text: str) -> Voter:
    number = rules.number_from_scan(text)
    voter = Voter.objects.filter(assembly=assembly, number=number).first() if number else None
    if voter is None:
        raise errors.NotInElectorate(number=number or "—", fields={"number": _("Not a voter.")})
    return voter


def _session_open(assembly: Assembly) -> None:
    _editable(assembly)
    if assembly.status != AssemblyStatus.CONVENED:
        raise errors.NotConvened()
    if not assembly.electorate_frozen_at:
        raise errors.ElectorateNotFrozen()


# --- Check-in and proxies ----------------------------------------------------------------


@transaction.atomic
def check_in(*, actor, assembly: Assembly, number: str) -> Attendance:
    """Check a voter in by card number (typed or scanned); each member at most once."""
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    voter = _voter(assembly, number)
    if Attendance.objects.filter(voter=voter).exists():
        raise errors.AlreadyCheckedIn(name=voter.name, number=voter.number)
    given = Proxy.objects.filter(giver=voter).select_related("holder").first()
    if given is not None:
        raise errors.ProxyAlreadyGiven(
            name=voter.name, number=voter.number, holder=given.holder.name
        )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                assembly=assembly, voter=voter, call=assembly.call, by=actor
            )
    except IntegrityError:  # a second desk checked the same card in at the same moment
        raise errors.AlreadyCheckedIn(name=voter.name, number=voter.number) from None
    _audit(actor, "assembly.check_in", assembly, assembly.organisation, voter=voter.number)
    return attendance


@transaction.atomic
def proxy_record(*, actor, assembly: Assembly, giver_number: str, holder_number: str) -> Proxy:
    """An absent voter's proxy to one present, within the statutes' maximum per holder."""
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    giver = _voter(assembly, giver_number)
    holder = _voter(assembly, holder_number)
    if giver.pk == holder.pk:
        raise errors.SelfProxy()
    if Attendance.objects.filter(voter=giver).exists():
        raise errors.GiverPresent(name=giver.name, number=giver.number)
    given = Proxy.objects.filter(giver=giver).select_related("holder").first()
    if given is not None:
        raise errors.ProxyAlreadyGiven(
            name=giver.name, number=giver.number, holder=given.holder.name
        )
    if not Attendance.objects.filter(voter=holder).exists():
        raise errors.HolderAbsent(name=holder.name, number=holder.number)
    # Lock the holder's line so two desks cannot both give the last allowed proxy.
    Voter.objects.select_for_update().filter(pk=holder.pk).first()
    statutes = statutes_get(organisation=assembly.organisation)
    held = Proxy.objects.filter(holder=holder).count()
    if held >= statutes.max_proxies:
        raise errors.ProxyLimit(
            name=holder.name, number=holder.number, count=held, limit=statutes.max_proxies
        )
    try:
        with transaction.atomic():
            proxy = Proxy.objects.create(assembly=assembly, giver=giver, holder=holder)
    except IntegrityError:
        raise errors.ProxyAlreadyGiven(
            name=giver.name, number=giver.number, holder=holder.name
        ) from None
    _audit(
        actor,
        "assembly.proxy",
        assembly,
        assembly.organisation,
        giver=giver.number,
        holder=holder.number,
    )
    return proxy


@transaction.atomic
def second_call(*, actor, assembly: Assembly) -> Assembly:
    """The quorum was not reached at the first call: convene the second call."""
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if assembly.call != 1 or assembly_quorum(assembly).reached:
        raise errors.SecondCallNotNeeded()
    assembly.call = 2
    with acting_as(actor):
        assembly.save(update_fields=["call"])
    _audit(actor, "assembly.second_call", assembly, assembly.organisation)
    return assembly


def _require_quorum(assembly: Assembly) -> None:
    quorum = assembly_quorum(assembly)
    if not quorum.reached:
        raise errors.QuorumNotReached(counted=quorum.counted, required=quorum.required)


# --- Resolutions -------------------------------------------------------------------------


@transaction.atomic
def resolution_add(
    *, actor, assembly: Assembly, kind: str, title: str, text: str = "", mode: str = "tally"
) -> Resolution:
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    if kind not in ResolutionKind.values:
        raise ValidationFailed(fields={"kind": _("Unknown kind of resolution.")})
    if mode not in VoteMode.values:
        raise ValidationFailed(fields={"mode": _("Unknown way of voting.")})
    if not title.strip():
        raise ValidationFailed(fields={"title": _("The title is required.")})
    statutes = statutes_get(organisation=assembly.organisation)
    qualified = kind == ResolutionKind.STATUTES or assembly.kind == AssemblyKind.EXTRAORDINARY
    majority = statutes.majority_statutes if qualified else statutes.majority_ordinary
    number = (assembly.resolutions.aggregate(n=Count("id"))["n"] or 0) + 1
    with acting_as(actor):
        resolution = Resolution.objects.create(
            assembly=assembly,
            number=number,
            kind=kind,
            title=title.strip(),
            text=text.strip(),
            majority=majority,
            mode=mode,
        )
    _audit(actor, "resolution.add", resolution, assembly.organisation)
    return resolution


def _decide(actor, resolution: Resolution, count: rules.VoteCount) -> Resolution:
    statutes = statutes_get(organisation=resolution.assembly.organisation)
    outcome = rules.decide(
        count, majority=resolution.majority, abstentions_count=statutes.abstentions_count
    )
    resolution.votes_for = count.votes_for
    resolution.votes_against = count.against
    resolution.votes_abstain = count.abstain
    resolution.adopted = outcome.adopted
    resolution.decided_at = timezone.now()
    with acting_as(actor):
        resolution.save()
    _audit(
        actor,
        "resolution.decide",
        resolution,
        resolution.assembly.organisation,
        adopted=outcome.adopted,
        votes=[count.votes_for, count.against, count.abstain],
    )
    return resolution


@transaction.atomic
def resolution_record(
    *, actor, resolution: Resolution, votes_for: int, against: int, abstain: int
) -> Resolution:
    """Counts of a show of hands (or a ballot): adopted by the statute's majority?"""
    assembly = resolution.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if resolution.adopted is not None:
        raise errors.AlreadyDecided()
    if min(votes_for, against, abstain) < 0:
        raise ValidationFailed(fields={"votes_for": _("Counts cannot be negative.")})
    _require_quorum(assembly)
    count = rules.VoteCount(votes_for, against, abstain)
    power = voting_power(assembly)
    if not rules.tally_fits(count, voting_power=power):
        raise errors.TallyTooLarge(total=count.total, power=power)
    return _decide(actor, resolution, count)


@transaction.atomic
def roll_call_vote(*, actor, resolution: Resolution, number: str, choice: str) -> RollCallVote:
    """One named vote; a member present votes once, plus once per proxy they hold
    (the proxy giver's number is called)."""
    assembly = resolution.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if resolution.adopted is not None:
        raise errors.AlreadyDecided()
    if choice not in Choice.values:
        raise ValidationFailed(fields={"choice": _("Choose for, against or abstain.")})
    voter = _voter(assembly, number)
    present = (
        Attendance.objects.filter(voter=voter).exists()
        or Proxy.objects.filter(giver=voter).exists()
    )
    if not present:
        raise errors.NotAVoter(name=voter.name, number=voter.number)
    if RollCallVote.objects.filter(resolution=resolution, voter=voter).exists():
        raise errors.AlreadyVoted(name=voter.name, number=voter.number)
    try:
        with transaction.atomic():
            vote = RollCallVote.objects.create(resolution=resolution, voter=voter, choice=choice)
    except IntegrityError:
        raise errors.AlreadyVoted(name=voter.name, number=voter.number) from None
    return vote


@transaction.atomic
def roll_call_close(*, actor, resolution: Resolution) -> Resolution:
    assembly = resolution.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if resolution.adopted is not None:
        raise errors.AlreadyDecided()
    _require_quorum(assembly)
    counts = dict(resolution.roll_call.values_list("choice").annotate(n=Count("id")).order_by())
    count = rules.VoteCount(
        counts.get(Choice.FOR, 0), counts.get(Choice.AGAINST, 0), counts.get(Choice.ABSTAIN, 0)
    )
    return _decide(actor, resolution, count)


# --- Elections ---------------------------------------------------------------------------


@transaction.atomic
def election_open(*, actor, assembly: Assembly, position: Position, seats: int | None = None):
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    if position.organisation_id != assembly.organisation_id:
        raise ValidationFailed(fields={"position": _("This position is not of this mutual.")})
    seats = seats or position.seats
    if not 1 <= seats <= position.seats:
        raise ValidationFailed(
            fields={"seats": _("Between 1 and %(n)s seats.") % {"n": position.seats}}
        )
    with acting_as(actor):
        election = Election.objects.create(assembly=assembly, position=position, seats=seats)
    _audit(actor, "election.open", election, assembly.organisation, position=position.title)
    return election


def _past_mandates(membership: Membership, body: str, before: date) -> list[tuple[date, date]]:
    rows = Mandate.objects.filter(
        membership__person_id=membership.person_id, position__body=body, start_on__lt=before
    ).values_list("start_on", "end_on", "ended_on")
    return [(start, ended or end) for start, end, ended in rows]


def candidate_check(*, election: Election, membership: Membership) -> None:
    """Eligibility: adherent of the mutual, in good standing at the cut-off, within terms."""
    assembly = election.assembly
    name, number = str(membership.person), membership.number
    if not membership.is_adherent or membership.status in ENDED:
        raise errors.NotAdherent(name=name, number=number, fields={"number": _("Not eligible.")})
    standing = household_standing(household=membership.household, on=assembly.cutoff_on)
    if not standing.in_good_standing:
        raise errors.CandidateNotInGoodStanding(
            name=name,
            number=number,
            date=assembly.cutoff_on.strftime("%d/%m/%Y"),
            fields={"number": _("Not in good standing.")},
        )
    statutes = statutes_get(organisation=assembly.organisation)
    past = _past_mandates(membership, election.position.body, assembly.held_on)
    if not rules.within_term_limit(past, on=assembly.held_on, limit=statutes.term_limit):
        raise errors.TermLimitReached(
            name=name,
            number=number,
            count=rules.consecutive_mandates(past, on=assembly.held_on),
            limit=statutes.term_limit,
            fields={"number": _("Term limit reached.")},
        )


@transaction.atomic
def candidate_add(*, actor, election: Election, number: str) -> Candidate:
    assembly = election.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _editable(assembly)
    if election.status != ElectionStatus.OPEN or election.tallies.exists():
        raise Conflict(_("Candidates can no longer be added: the count has started."))
    clean = rules.number_from_scan(number)
    membership = (
        Membership.objects.filter(mutual=assembly.organisation, number=clean)
        .select_related("person", "household")
        .first()
    )
    if membership is None:
        raise errors.UnknownMember(number=clean or "—", fields={"number": _("Unknown number.")})
    if election.candidates.filter(membership=membership).exists():
        raise errors.AlreadyCandidate(name=str(membership.person), number=membership.number)
    candidate_check(election=election, membership=membership)
    candidate = Candidate.objects.create(election=election, membership=membership)
    _audit(actor, "election.candidate", election, assembly.organisation, number=membership.number)
    return candidate


_TALLY_PROBLEMS = {
    "negative": _("a count is negative."),
    "blank_above_ballots": _("more blank or spoilt ballots than ballots."),
    "candidate_above_ballots": _("a candidate has more votes than valid ballots."),
    "votes_above_ballots": _("more votes than valid ballots allow for the seats."),
}


@transaction.atomic
def station_tally_record(
    *,
    actor,
    election: Election,
    station: str,
    ballots: int,
    blank_or_spoilt: int,
    votes: dict[int, int],
) -> StationTally:
    """The secret-ballot count of one polling station: totals only, never who voted what."""
    assembly = election.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if election.status != ElectionStatus.OPEN:
        raise errors.AlreadyDecided()
    station = station.strip()
    if not station:
        raise ValidationFailed(fields={"station": _("Name the polling station.")})
    if election.tallies.filter(station=station).exists():
        raise errors.StationAlreadyCounted(station=station)
    candidates = {c.pk: c for c in election.candidates.all()}
    if set(votes) - set(candidates):
        raise ValidationFailed(fields={"votes": _("Unknown candidate.")})
    problems = rules.check_station_tally(
        rules.StationTally(ballots=ballots, blank_or_spoilt=blank_or_spoilt, votes=votes),
        seats=election.seats,
    )
    if problems:
        raise errors.StationTallyInvalid(station=station, problem=_TALLY_PROBLEMS[problems[0]])
    counted = election.tallies.aggregate(n=Sum("ballots"))["n"] or 0
    power = voting_power(assembly)
    if counted + ballots > power:
        raise errors.TallyTooLarge(total=counted + ballots, power=power)
    tally = StationTally.objects.create(
        election=election, station=station, ballots=ballots, blank_or_spoilt=blank_or_spoilt
    )
    StationVotes.objects.bulk_create(
        [StationVotes(tally=tally, candidate_id=cid, votes=n) for cid, n in votes.items()]
    )
    _audit(actor, "election.tally", election, assembly.organisation, station=station)
    return tally


@transaction.atomic
def election_decide(*, actor, election: Election) -> Election:
    """Add up the stations, apply the tie rule, proclaim and create the mandates."""
    assembly = election.assembly
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    if election.status != ElectionStatus.OPEN:
        raise errors.AlreadyDecided()
    if not election.tallies.exists():
        raise errors.NoTally()
    _require_quorum(assembly)
    totals = dict(
        StationVotes.objects.filter(tally__election=election)
        .values_list("candidate_id")
        .annotate(n=Sum("votes"))
        .order_by()
    )
    candidates = list(election.candidates.select_related("membership__person"))
    for c in candidates:
        c.votes = totals.get(c.pk, 0)
    statutes = statutes_get(organisation=assembly.organisation)
    result = rules.elect(
        [
            rules.CandidateVotes(
                key=c.pk,
                votes=c.votes,
                birth=c.membership.person.birth_date,
                member_since=c.membership.joined_on,
            )
            for c in candidates
        ],
        seats=election.seats,
        tie_break=statutes.tie_break,
    )
    for c in candidates:
        c.elected = c.pk in result.elected
    # A handful of candidates: one UPDATE with CASE for the votes, one for the seats.
    election.candidates.update(
        votes=Case(*[When(pk=c.pk, then=Value(c.votes)) for c in candidates], default=0),
        elected=Q(pk__in=list(result.elected)),
    )
    election.status = ElectionStatus.DECIDED if result.complete else ElectionStatus.NEW_ROUND
    election.decided_at = timezone.now()
    election.tie_broken_by = result.tie_broken_by
    with acting_as(actor):
        election.save(update_fields=["status", "decided_at", "tie_broken_by"])
        end_on = rules.mandate_end(start=assembly.held_on, years=statutes.mandate_years)
        for c in candidates:
            if c.elected:
                Mandate.objects.create(
                    organisation=assembly.organisation,
                    position=election.position,
                    membership=c.membership,
                    start_on=assembly.held_on,
                    end_on=end_on,
                    election=election,
                )
    _audit(
        actor,
        "election.decide",
        election,
        assembly.organisation,
        elected=[c.membership.number for c in candidates if c.elected],
        tied=len(result.tied),
    )
    return election


@transaction.atomic
def assembly_close(*, actor, assembly: Assembly, chair: str = "", secretary: str = "") -> Assembly:
    require(actor, Perm.GOVERNANCE_MANAGE, on=assembly.organisation)
    _session_open(assembly)
    assembly.chair = chair.strip()
    assembly.secretary = secretary.strip()
    assembly.status = AssemblyStatus.CLOSED
    assembly.closed_at = timezone.now()
    with acting_as(actor):
        assembly.save(update_fields=["chair", "secretary", "status", "closed_at"])
    _audit(actor, "assembly.close", assembly, assembly.organisation)
    return assembly


# --- Mandates and board meetings ------------------------------------------------------------


@transaction.atomic
def mandate_create(
    *, actor, position: Position, membership: Membership, start_on: date, end_on: date | None = None
) -> Mandate:
    """Record a mandate outside a GA election (history, delegates elected in a section)."""
    organisation = position.organisation
    require(actor, Perm.GOVERNANCE_MANAGE, on=organisation)
    if not membership.section.path.startswith(organisation.path) and not (
        organisation.path.startswith(membership.mutual.path)
    ):
        raise ValidationFailed(fields={"number": _("This member is not of this organisation.")})
    statutes = statutes_get(organisation=organisation)
    end_on = end_on or rules.mandate_end(start=start_on, years=statutes.mandate_years)
    if end_on < start_on:
        raise ValidationFailed(fields={"end_on": _("The end cannot be before the start.")})
    with acting_as(actor):
        mandate = Mandate.objects.create(
            organisation=organisation,
            position=position,
            membership=membership,
            start_on=start_on,
            end_on=end_on,
        )
    _audit(actor, "mandate.create", mandate, organisation, number=membership.number)
    return mandate


@transaction.atomic
def mandate_end_early(*, actor, mandate: Mandate, on: date) -> Mandate:
    require(actor, Perm.GOVERNANCE_MANAGE, on=mandate.organisation)
    if on < mandate.start_on or on > mandate.end_on:
        raise ValidationFailed(fields={"on": _("The date must fall within the mandate.")})
    mandate.ended_on = on
    with acting_as(actor):
        mandate.save(update_fields=["ended_on"])
    _audit(actor, "mandate.end", mandate, mandate.organisation, on=str(on))
    return mandate


@transaction.atomic
def board_meeting_record(
    *,
    actor,
    organisation,
    body: str,
    held_on: date,
    place: str = "",
    agenda: str = "",
    present: list[Mandate] = (),
    decisions: list[str] = (),
) -> BoardMeeting:
    require(actor, Perm.GOVERNANCE_MANAGE, on=organisation)
    if body not in Body.values:
        raise ValidationFailed(fields={"body": _("Unknown body.")})
    if any(m.organisation_id != organisation.pk for m in present):
        raise ValidationFailed(fields={"present": _("Only officers of this organisation.")})
    with acting_as(actor):
        meeting = BoardMeeting.objects.create(
            organisation=organisation, body=body, held_on=held_on, place=place, agenda=agenda
        )
        meeting.present.set(present)
    BoardDecision.objects.bulk_create(
        [
            BoardDecision(meeting=meeting, number=i, text=text.strip())
            for i, text in enumerate([d for d in decisions if d.strip()], start=1)
        ]
    )
    _audit(actor, "board.meeting", meeting, organisation, decisions=len(decisions))
    return meeting


# --- Complaints and suggestions --------------------------------------------------------------


@transaction.atomic
def complaint_submit(
    *,
    actor,
    section,
    subject: str,
    description: str,
    received_on: date,
    kind: str = "complaint",
    channel: str = ComplaintChannel.COUNTER,
    membership: Membership | None = None,
    from_name: str = "",
) -> Complaint:
    """A complaint or suggestion from the counter, the member's account or the API.

    A member may file for themselves (their membership, their section); staff
    need COMPLAINT_HANDLE on the section.
    """
    own = membership is not None and membership.person.user_id == getattr(actor, "pk", None)
    if own:
        section = membership.section
        channel = ComplaintChannel.API if channel == ComplaintChannel.API else "member_account"
    else:
        require(actor, Perm.COMPLAINT_HANDLE, on=section)
        if membership is not None and membership.section_id != section.pk:
            raise ValidationFailed(fields={"number": _("This member is not of this section.")})
    field_errors = {}
    if kind not in ("complaint", "suggestion"):
        field_errors["kind"] = _("Unknown kind.")
    if channel not in ComplaintChannel.values:
        field_errors["channel"] = _("Unknown channel.")
    if not subject.strip():
        field_errors["subject"] = _("The subject is required.")
    if not description.strip():
        field_errors["description"] = _("Describe the complaint or suggestion.")
    if field_errors:
        raise ValidationFailed(fields=field_errors)
    mutual = section.mutual() or section
    statutes = statutes_get(organisation=mutual)
    with acting_as(actor):
        complaint = Complaint.objects.create(
            section=section,
            membership=membership,
            kind=kind,
            channel=channel,
            from_name=from_name.strip() or (str(membership.person) if membership else ""),
            subject=subject.strip(),
            description=description.strip(),
            received_on=received_on,
            due_on=received_on + timedelta(days=statutes.complaint_days),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    _audit(actor, "complaint.submit", complaint, section, kind=kind, channel=channel)
    return complaint


@transaction.atomic
def complaint_acknowledge(*, actor, complaint: Complaint, on: date, assignee=None) -> Complaint:
    require(actor, Perm.COMPLAINT_HANDLE, on=complaint.section)
    if complaint.status == ComplaintStatus.ANSWERED:
        raise Conflict(_("This complaint has already been answered."))
    if assignee is not None and not has_perm(assignee, Perm.COMPLAINT_HANDLE, on=complaint.section):
        raise Forbidden(_("This person cannot handle complaints of this section."))
    if on < complaint.received_on:
        raise ValidationFailed(fields={"on": _("Not before the complaint was received.")})
    complaint.acknowledged_on = complaint.acknowledged_on or on
    complaint.assignee = assignee or complaint.assignee or actor
    complaint.status = ComplaintStatus.ACKNOWLEDGED
    with acting_as(actor):
        complaint.save()
    _audit(actor, "complaint.acknowledge", complaint, complaint.section)
    return complaint


@transaction.atomic
def complaint_answer(*, actor, complaint: Complaint, answer: str, on: date) -> Complaint:
    require(actor, Perm.COMPLAINT_HANDLE, on=complaint.section)
    if complaint.status == ComplaintStatus.ANSWERED:
        raise Conflict(_("This complaint has already been answered."))
    if not answer.strip():
        raise ValidationFailed(fields={"answer": _("Write the answer given.")})
    if on < complaint.received_on:
        raise ValidationFailed(fields={"on": _("Not before the complaint was received.")})
    complaint.acknowledged_on = complaint.acknowledged_on or on
    complaint.assignee = complaint.assignee or actor
    complaint.answer = answer.strip()
    complaint.answered_on = on
    complaint.status = ComplaintStatus.ANSWERED
    with acting_as(actor):
        complaint.save()
    _audit(actor, "complaint.answer", complaint, complaint.section)
    return complaint
