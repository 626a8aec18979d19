from datetime import date

import pytest

from mutualis.core.errors import NotFound
from mutualis.engine.checkdigit import is_valid
from mutualis.members import services
from mutualis.members.models import (
    DuplicateCandidate,
    DuplicateStatus,
    MembershipStatus,
    Person,
    Relationship,
)
from mutualis.members.selectors import household_cover_on, is_covered, membership_status_on
from tests.members.conftest import JOINED, family

pytestmark = pytest.mark.django_db


def test_enrolling_a_household_numbers_every_beneficiary_with_a_check_digit(
    org_tree, clerk_a, enrol
):
    result = enrol(clerk_a, org_tree.section_a)

    numbers = [m.number for m in result.memberships]
    assert len(numbers) == 4 and len(set(numbers)) == 4
    assert all(len(n) == 9 and is_valid(n) for n in numbers)
    assert is_valid(result.household.number)
    assert result.household.head.first_name == "Hélène"
    assert [m.is_adherent for m in result.memberships] == [True, True, False, False]
    assert {m.status for m in result.memberships} == {MembershipStatus.ACTIVE}
    assert result.memberships[0].person.phone == "+221771234560"


def test_a_household_needs_exactly_one_head_first(org_tree, clerk_a, enrol):
    persons = family()
    persons = [persons[1], persons[0]]

    with pytest.raises(services.NotAHead) as exc:
        enrol(clerk_a, org_tree.section_a, persons)

    assert exc.value.code == "household_needs_one_head"


def test_a_bad_phone_is_reported_on_its_field(org_tree, clerk_a, enrol):
    persons = family(size=1)
    persons = [services.replace(persons[0], phone="12")]

    with pytest.raises(services.ValidationFailed) as exc:
        enrol(clerk_a, org_tree.section_a, persons)

    assert "persons.0.phone" in exc.value.fields


def test_enrolling_the_same_national_id_twice_warns_until_confirmed(org_tree, clerk_a, enrol):
    enrol(clerk_a, org_tree.section_a, family(national_id="1751198400123"))

    with pytest.raises(services.PossibleDuplicate) as exc:
        enrol(clerk_a, org_tree.section_a, family(last="SOW", national_id="1751198400123"))
    assert exc.value.code == "possible_duplicate"
    assert exc.value.status == 409

    enrol(
        clerk_a,
        org_tree.section_a,
        family(last="SOW", national_id="1751198400123"),
        confirm_not_duplicate=True,
    )
    assert Person.objects.filter(national_id="1751198400123").count() == 2


def test_same_name_birth_year_and_village_is_a_likely_duplicate_whatever_the_accents(
    org_tree, clerk_a, enrol
):
    enrol(clerk_a, org_tree.section_a, family(size=1))

    with pytest.raises(services.PossibleDuplicate):
        enrol(clerk_a, org_tree.section_a, family(first="HELENE", last="Ndiaye", size=1))


def test_status_at_past_dates_comes_from_the_dated_history(household, clerk_a):
    head = household.memberships.get(relationship=Relationship.HEAD)

    services.membership_suspend(actor=clerk_a, membership=head, on=date(2026, 4, 1))
    services.membership_reactivate(actor=clerk_a, membership=head, on=date(2026, 5, 10))

    assert membership_status_on(head, date(2026, 1, 1)) is None
    assert membership_status_on(head, JOINED) == MembershipStatus.ACTIVE
    assert membership_status_on(head, date(2026, 4, 20)) == MembershipStatus.SUSPENDED
    assert membership_status_on(head, date(2026, 6, 1)) == MembershipStatus.ACTIVE
    assert not is_covered(head, date(2026, 4, 20))
    assert is_covered(head, date(2026, 6, 1))
    assert head.status_changes.count() == 4  # candidate, active, suspended, active


def test_a_change_cannot_take_effect_before_one_already_recorded(household, clerk_a):
    head = household.memberships.get(relationship=Relationship.HEAD)
    services.membership_suspend(actor=clerk_a, membership=head, on=date(2026, 4, 1))

    with pytest.raises(services.LaterChangeExists):
        services.membership_reactivate(actor=clerk_a, membership=head, on=date(2026, 3, 1))


def test_a_deceased_member_cannot_be_reactivated(household, clerk_a):
    child = household.memberships.filter(relationship=Relationship.CHILD).first()

    services.person_record_death(actor=clerk_a, person=child.person, died_on=date(2026, 6, 2))

    child.refresh_from_db()
    assert child.status == MembershipStatus.DECEASED
    assert child.left_on == date(2026, 6, 2)
    with pytest.raises(services.TransitionRefused) as exc:
        services.membership_reactivate(actor=clerk_a, membership=child, on=date(2026, 7, 1))
    assert exc.value.code == "status_transition_refused"


def test_cover_on_a_date_lists_who_was_covered_then(household, clerk_a):
    child = household.memberships.filter(relationship=Relationship.CHILD).first()
    services.membership_resign(actor=clerk_a, membership=child, on=date(2026, 6, 1))

    before = {c.membership.pk: c.covered for c in household_cover_on(household, date(2026, 3, 1))}
    after = {c.membership.pk: c.covered for c in household_cover_on(household, date(2026, 7, 1))}

    assert before[child.pk] is True
    assert after[child.pk] is False
    assert sum(after.values()) == 3
    assert household_cover_on(household, date(2025, 12, 1)) == []


def test_a_clerk_cannot_change_a_member_of_another_section(household, clerk_b):
    head = household.memberships.get(relationship=Relationship.HEAD)

    with pytest.raises(NotFound):
        services.membership_suspend(actor=clerk_b, membership=head, on=date(2026, 4, 1))


def test_transfer_moves_the_household_and_its_open_memberships(household, manager, org_tree):
    services.household_transfer(
        actor=manager, household=household, section=org_tree.section_b, on=date(2026, 5, 1)
    )

    assert household.memberships.filter(section=org_tree.section_b).count() == 4
    with pytest.raises(NotFound):  # a section of another mutual is outside the scope
        services.household_transfer(
            actor=manager, household=household, section=org_tree.section_c, on=date(2026, 5, 1)
        )


def test_correcting_an_identity_updates_the_search_name_and_keeps_history(household, clerk_a):
    person = household.head

    services.person_correct(
        actor=clerk_a, person=person, on=date(2026, 3, 1), last_name="Ndiaye Sow"
    )

    person.refresh_from_db()
    assert person.normalised_name == "helene ndiaye sow"
    assert person.history.count() >= 2
    assert person.history.earliest().last_name == "NDIAYE"


def test_merging_duplicates_keeps_both_persons_and_ends_the_extra_membership(
    org_tree, clerk_a, enrol
):
    first = enrol(clerk_a, org_tree.section_a, family(size=1, national_id="X1"))
    second = enrol(
        clerk_a,
        org_tree.section_a,
        family(size=1, last="NDIAYE", national_id="X1"),
        confirm_not_duplicate=True,
    )
    keep, dup = first.household.head, second.household.head
    DuplicateCandidate.objects.create(
        mutual=org_tree.mutual, person=dup, other=keep, reason="national_id"
    )

    services.persons_merge(actor=clerk_a, keep=keep, duplicate=dup, on=date(2026, 3, 1))

    dup.refresh_from_db()
    assert dup.merged_into == keep
    extra = second.memberships[0]
    extra.refresh_from_db()
    assert extra.status == MembershipStatus.RESIGNED
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.MERGED


def test_a_reprint_revokes_the_previous_card(household, clerk_a):
    from mutualis.members.cards import payload_for, verify_payload

    head = household.memberships.get(relationship=Relationship.HEAD)
    first = services.card_issue(actor=clerk_a, membership=head, on=date(2026, 3, 1))
    second = services.card_issue(actor=clerk_a, membership=head, on=date(2026, 3, 2))

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.serial == 2 and second.valid_until == date(2026, 12, 31)
    assert verify_payload(payload_for(second), on=date(2026, 3, 2)).valid
    old = verify_payload(payload_for(first), on=date(2026, 3, 2))
    assert old.genuine and not old.valid and old.reason == "revoked"
    forged = payload_for(second).replace(head.number, household.memberships.last().number)
    assert not verify_payload(forged, on=date(2026, 3, 2)).genuine
