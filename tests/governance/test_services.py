"""The General Assembly from convocation to minutes, and its refusals (DOMAIN §10)."""

from datetime import date

import pytest

from mutualis.core.errors import DomainError, Forbidden, NotFound
from mutualis.core.roles import Role
from mutualis.governance import selectors, services
from mutualis.governance.models import (
    AssemblyStatus,
    Body,
    ElectionStatus,
    Mandate,
    Statutes,
)
from mutualis.members.models import MembershipStatus

from .conftest import CUTOFF, GA_DAY

pytestmark = pytest.mark.django_db


def code_of(exc_info) -> str:
    return exc_info.value.code


def check_in_many(manager, assembly, registry, indexes):
    for i in indexes:
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))


# --- Convocation and electorate --------------------------------------------------------


def test_a_convocation_sent_too_late_is_refused_with_the_latest_date(registry, org_tree, manager):
    ga = services.assembly_create(
        actor=manager,
        organisation=org_tree.mutual,
        title="AG",
        held_on=GA_DAY,
        place="Thiès",
        agenda="Comptes",
        cutoff_on=CUTOFF,
    )

    with pytest.raises(DomainError) as exc:
        services.assembly_convene(actor=manager, assembly=ga, sent_on=date(2026, 6, 1))

    assert code_of(exc) == "convened_too_late"
    assert "29/05/2026" in str(exc.value)  # 15 days' notice by default
    assert "15" in str(exc.value)
    ga.refresh_from_db()
    assert ga.status == AssemblyStatus.DRAFT


def test_the_electorate_is_the_adherents_in_good_standing_one_vote_each(assembly, registry):
    numbers = set(assembly.voters.values_list("number", flat=True))

    assert len(numbers) == 10
    assert registry.child.number not in numbers  # a child is not an adherent
    assert registry.suspended.number not in numbers  # suspended: not in good standing


def test_the_electorate_is_frozen_once(assembly, manager):
    with pytest.raises(DomainError) as exc:
        services.electorate_freeze(actor=manager, assembly=assembly)

    assert code_of(exc) == "electorate_frozen"


def test_a_ga_of_delegates_has_only_the_delegates_in_office(registry, org_tree, manager):
    Statutes.objects.filter(organisation=org_tree.mutual).update(ga_by_delegates=True)
    delegate = services.position_create(
        actor=manager, organisation=org_tree.mutual, body=Body.DELEGATES, title="Délégué", seats=5
    )
    for i in (0, 7):
        services.mandate_create(
            actor=manager,
            position=delegate,
            membership=registry.adherents[i],
            start_on=date(2025, 1, 1),
        )
    ga = services.assembly_create(
        actor=manager,
        organisation=org_tree.mutual,
        title="AG des délégués",
        held_on=GA_DAY,
        place="Thiès",
        agenda="Comptes",
        cutoff_on=CUTOFF,
    )

    services.electorate_freeze(actor=manager, assembly=ga)

    assert sorted(ga.voters.values_list("number", flat=True)) == sorted(
        [registry.n(0), registry.n(7)]
    )


# --- Check-in, proxies, quorum ----------------------------------------------------------


def test_a_member_is_checked_in_once_by_number_or_card_payload(assembly, registry, manager):
    services.check_in(actor=manager, assembly=assembly, number=f"{registry.n(0)}|MAF|1|sig")

    with pytest.raises(DomainError) as exc:
        services.check_in(actor=manager, assembly=assembly, number=f" {registry.n(0)} ")

    assert code_of(exc) == "already_checked_in"
    assert "déjà" in str(exc.value)
    assert assembly.attendances.count() == 1


def test_a_number_outside_the_electorate_is_refused(assembly, registry, manager):
    with pytest.raises(DomainError) as exc:
        services.check_in(actor=manager, assembly=assembly, number=registry.suspended.number)

    assert code_of(exc) == "not_in_electorate"


def test_a_proxy_holder_above_the_statutes_limit_is_refused(assembly, registry, manager):
    services.check_in(actor=manager, assembly=assembly, number=registry.n(0))
    services.proxy_record(
        actor=manager, assembly=assembly, giver_number=registry.n(1), holder_number=registry.n(0)
    )

    with pytest.raises(DomainError) as exc:
        services.proxy_record(
            actor=manager,
            assembly=assembly,
            giver_number=registry.n(2),
            holder_number=registry.n(0),
        )

    assert code_of(exc) == "proxy_limit"
    assert "1 procuration" in str(exc.value) or "1" in str(exc.value)
    assert assembly.proxies.count() == 1


def test_a_proxy_needs_a_holder_present_and_an_absent_giver(assembly, registry, manager):
    with pytest.raises(DomainError) as absent:
        services.proxy_record(
            actor=manager,
            assembly=assembly,
            giver_number=registry.n(1),
            holder_number=registry.n(0),
        )
    check_in_many(manager, assembly, registry, [0, 1])
    with pytest.raises(DomainError) as present:
        services.proxy_record(
            actor=manager,
            assembly=assembly,
            giver_number=registry.n(1),
            holder_number=registry.n(0),
        )

    assert code_of(absent) == "holder_absent"
    assert code_of(present) == "giver_present"


def test_a_member_who_gave_a_proxy_cannot_also_check_in(assembly, registry, manager):
    services.check_in(actor=manager, assembly=assembly, number=registry.n(0))
    services.proxy_record(
        actor=manager, assembly=assembly, giver_number=registry.n(1), holder_number=registry.n(0)
    )

    with pytest.raises(DomainError) as exc:
        services.check_in(actor=manager, assembly=assembly, number=registry.n(1))

    assert code_of(exc) == "proxy_given"


def test_quorum_counts_members_present_and_represented(assembly, registry, manager):
    check_in_many(manager, assembly, registry, [0, 1, 2, 3])
    assert not selectors.assembly_quorum(assembly).reached

    services.proxy_record(
        actor=manager, assembly=assembly, giver_number=registry.n(4), holder_number=registry.n(0)
    )
    quorum = selectors.assembly_quorum(assembly)

    assert (quorum.electorate, quorum.present, quorum.represented) == (10, 4, 1)
    assert quorum.required == 5
    assert quorum.reached


def test_the_second_call_applies_its_own_quorum(assembly, registry, manager):
    services.check_in(actor=manager, assembly=assembly, number=registry.n(0))

    services.second_call(actor=manager, assembly=assembly)

    assert selectors.assembly_quorum(assembly).reached  # none required at second call
    with pytest.raises(DomainError) as exc:
        services.second_call(actor=manager, assembly=assembly)
    assert code_of(exc) == "second_call_not_needed"


# --- Resolutions ---------------------------------------------------------------------------


def test_accounts_are_approved_by_simple_majority(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(6))
    resolution = services.resolution_add(
        actor=manager, assembly=assembly, kind="accounts", title="Comptes 2025"
    )

    services.resolution_record(
        actor=manager, resolution=resolution, votes_for=4, against=1, abstain=1
    )

    resolution.refresh_from_db()
    assert resolution.majority == "simple"
    assert resolution.adopted is True


def test_a_statute_change_needs_two_thirds(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(6))
    resolution = services.resolution_add(
        actor=manager, assembly=assembly, kind="statutes", title="Article 12"
    )

    services.resolution_record(
        actor=manager, resolution=resolution, votes_for=3, against=2, abstain=1
    )

    resolution.refresh_from_db()
    assert resolution.majority == "two_thirds"
    assert resolution.adopted is False


def test_no_vote_without_quorum_and_no_more_votes_than_voters(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(4))
    resolution = services.resolution_add(
        actor=manager, assembly=assembly, kind="budget", title="Budget 2027"
    )
    with pytest.raises(DomainError) as no_quorum:
        services.resolution_record(
            actor=manager, resolution=resolution, votes_for=4, against=0, abstain=0
        )
    check_in_many(manager, assembly, registry, [4])

    with pytest.raises(DomainError) as too_many:
        services.resolution_record(
            actor=manager, resolution=resolution, votes_for=5, against=1, abstain=0
        )

    assert code_of(no_quorum) == "quorum_not_reached"
    assert code_of(too_many) == "tally_above_attendance"


def test_two_votes_by_the_same_member_are_refused_in_a_roll_call(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(5))
    resolution = services.resolution_add(
        actor=manager, assembly=assembly, kind="contributions", title="Cotisation", mode="roll_call"
    )
    services.roll_call_vote(
        actor=manager, resolution=resolution, number=registry.n(0), choice="for"
    )

    with pytest.raises(DomainError) as exc:
        services.roll_call_vote(
            actor=manager, resolution=resolution, number=registry.n(0), choice="against"
        )
    for i in (1, 2):
        services.roll_call_vote(
            actor=manager, resolution=resolution, number=registry.n(i), choice="for"
        )
    services.roll_call_close(actor=manager, resolution=resolution)

    assert code_of(exc) == "already_voted"
    resolution.refresh_from_db()
    assert (resolution.votes_for, resolution.votes_against, resolution.adopted) == (3, 0, True)


# --- Elections -----------------------------------------------------------------------------


def test_a_candidate_not_in_good_standing_is_refused(assembly, registry, manager):
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)

    with pytest.raises(DomainError) as suspended:
        services.candidate_add(actor=manager, election=election, number=registry.suspended.number)
    with pytest.raises(DomainError) as child:
        services.candidate_add(actor=manager, election=election, number=registry.child.number)

    assert code_of(suspended) == "candidate_not_in_good_standing"
    assert "31/05/2026" in str(suspended.value)
    assert code_of(child) == "not_adherent"


def test_a_candidate_at_the_term_limit_is_refused(assembly, registry, manager):
    for start in (date(2020, 6, 1), date(2023, 6, 1)):
        services.mandate_create(
            actor=manager,
            position=registry.board,
            membership=registry.adherents[3],
            start_on=start,
        )
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)

    with pytest.raises(DomainError) as exc:
        services.candidate_add(actor=manager, election=election, number=registry.n(3))

    assert code_of(exc) == "term_limit_reached"


def test_a_board_election_with_two_seats_creates_the_mandates(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(6))
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)
    a, b, c = (
        services.candidate_add(actor=manager, election=election, number=registry.n(i))
        for i in (0, 1, 2)
    )
    services.station_tally_record(
        actor=manager,
        election=election,
        station="Bureau 1",
        ballots=4,
        blank_or_spoilt=0,
        votes={a.pk: 3, b.pk: 2, c.pk: 1},
    )
    services.station_tally_record(
        actor=manager,
        election=election,
        station="Bureau 2",
        ballots=2,
        blank_or_spoilt=1,
        votes={a.pk: 1, b.pk: 0, c.pk: 1},
    )

    services.election_decide(actor=manager, election=election)

    election.refresh_from_db()
    assert election.status == ElectionStatus.DECIDED
    elected = {c.membership.number: c.votes for c in election.candidates.filter(elected=True)}
    assert elected == {registry.n(0): 4, registry.n(1): 2}
    mandates = Mandate.objects.filter(election=election).order_by("membership__number")
    assert [(m.start_on, m.end_on) for m in mandates] == [(GA_DAY, date(2029, 6, 12))] * 2


def test_a_tie_for_the_last_seat_goes_to_the_eldest(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(6))
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)
    a, b, c = (
        services.candidate_add(actor=manager, election=election, number=registry.n(i))
        for i in (0, 4, 2)
    )
    services.station_tally_record(
        actor=manager,
        election=election,
        station="Unique",
        ballots=6,
        blank_or_spoilt=0,
        votes={a.pk: 5, b.pk: 3, c.pk: 3},
    )

    services.election_decide(actor=manager, election=election)

    winners = set(election.candidates.filter(elected=True).values_list("membership_id", flat=True))
    assert winners == {registry.adherents[0].pk, registry.adherents[2].pk}  # born 1962 < 1964


def test_a_polling_station_count_that_does_not_add_up_is_refused(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(6))
    election = services.election_open(actor=manager, assembly=assembly, position=registry.president)
    a = services.candidate_add(actor=manager, election=election, number=registry.n(0))

    with pytest.raises(DomainError) as exc:
        services.station_tally_record(
            actor=manager,
            election=election,
            station="B1",
            ballots=3,
            blank_or_spoilt=0,
            votes={a.pk: 4},
        )
    with pytest.raises(DomainError) as too_many:
        services.station_tally_record(
            actor=manager,
            election=election,
            station="B1",
            ballots=7,
            blank_or_spoilt=0,
            votes={a.pk: 7},
        )

    assert code_of(exc) == "station_tally_invalid"
    assert code_of(too_many) == "tally_above_attendance"


# --- Closing, rights ---------------------------------------------------------------------


def test_a_closed_assembly_accepts_no_more_check_in(assembly, registry, manager):
    check_in_many(manager, assembly, registry, range(5))
    services.assembly_close(actor=manager, assembly=assembly, chair="A. Diop", secretary="F. Sarr")

    with pytest.raises(DomainError) as exc:
        services.check_in(actor=manager, assembly=assembly, number=registry.n(6))

    assert code_of(exc) == "assembly_closed"


def test_a_clerk_cannot_run_a_ga_and_another_mutual_cannot_see_it(
    assembly, org_tree, make_user, board_c
):
    clerk = make_user("clerk_m", Role.CLERK, org_tree.mutual)

    with pytest.raises(Forbidden):
        services.second_call(actor=clerk, assembly=assembly)
    with pytest.raises(NotFound):
        services.second_call(actor=board_c, assembly=assembly)
    with pytest.raises(NotFound):
        selectors.assembly_get(user=board_c, assembly_id=assembly.pk)


# --- Complaints and indicators ---------------------------------------------------------------


def test_a_complaint_is_acknowledged_and_answered_within_the_deadline(registry, org_tree, clerk_a):
    complaint = services.complaint_submit(
        actor=clerk_a,
        section=org_tree.section_a,
        membership=registry.adherents[0],
        subject="Attente au centre de santé",
        description="Trois heures d'attente.",
        received_on=date(2026, 3, 2),
    )

    services.complaint_acknowledge(actor=clerk_a, complaint=complaint, on=date(2026, 3, 3))
    services.complaint_answer(
        actor=clerk_a, complaint=complaint, answer="Vu avec le centre.", on=date(2026, 3, 20)
    )

    complaint.refresh_from_db()
    assert complaint.due_on == date(2026, 4, 1)
    assert complaint.status == "answered"
    assert complaint.from_name == str(registry.adherents[0].person)
    stats = selectors.complaint_stats(selectors.complaint_list(user=clerk_a), on=date(2026, 12, 31))
    assert (stats.received, stats.answered, stats.answered_in_time) == (1, 1, 1)


def test_a_clerk_cannot_file_a_complaint_in_another_section(org_tree, clerk_a):
    with pytest.raises(NotFound):
        services.complaint_submit(
            actor=clerk_a,
            section=org_tree.section_b,
            subject="x",
            description="y",
            received_on=date(2026, 3, 2),
        )


def test_institutional_indicators_of_a_year(assembly, registry, manager, org_tree):
    check_in_many(manager, assembly, registry, range(5))
    services.proxy_record(
        actor=manager, assembly=assembly, giver_number=registry.n(5), holder_number=registry.n(0)
    )
    accounts = services.resolution_add(
        actor=manager, assembly=assembly, kind="accounts", title="Comptes 2025"
    )
    services.resolution_record(
        actor=manager, resolution=accounts, votes_for=6, against=0, abstain=0
    )
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)
    a, b = (
        services.candidate_add(actor=manager, election=election, number=registry.n(i))
        for i in (0, 1)
    )
    services.station_tally_record(
        actor=manager,
        election=election,
        station="B1",
        ballots=6,
        blank_or_spoilt=0,
        votes={a.pk: 4, b.pk: 2},
    )
    services.election_decide(actor=manager, election=election)
    services.mandate_create(  # re-elected president, held the seat before
        actor=manager,
        position=registry.president,
        membership=registry.adherents[3],
        start_on=date(2023, 6, 1),
        end_on=date(2026, 6, 12),
    )
    services.mandate_create(
        actor=manager,
        position=registry.president,
        membership=registry.adherents[3],
        start_on=GA_DAY,
    )
    services.assembly_close(actor=manager, assembly=assembly, chair="A", secretary="B")

    f = selectors.institutional_indicators(user=manager, organisation=org_tree.mutual, year=2026)

    assert (f.electorate, f.present, f.represented) == (10, 5, 1)
    assert f.attendance_rate == pytest.approx(0.6)
    assert f.represented_share == pytest.approx(0.1)
    assert f.held_on_time is True
    assert f.accounts_approved is True
    assert f.officers == 3
    assert f.new_officers == 2  # the two board members; the president was re-elected
    assert f.women == 1  # adherent 0 is a woman, 1 and 3 are men
    assert f.youth == 0


def test_a_suspended_member_reactivated_before_the_cutoff_votes(registry, org_tree, manager):
    registry.suspended.status = MembershipStatus.ACTIVE
    registry.suspended.save()
    ga = services.assembly_create(
        actor=manager,
        organisation=org_tree.mutual,
        title="AG",
        held_on=GA_DAY,
        place="T",
        agenda="x",
        cutoff_on=CUTOFF,
    )

    assert services.electorate_freeze(actor=manager, assembly=ga) == 11


def test_a_check_in_costs_a_fixed_number_of_queries(
    assembly, registry, manager, django_assert_max_num_queries
):
    services.check_in(actor=manager, assembly=assembly, number=registry.n(0))

    with django_assert_max_num_queries(12):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(1))
