"""The mapping of stored versions to the engine, set-based loading, and scope."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.benefits import selectors
from mutualis.engine import benefits as eb
from tests.benefits.conftest import ON

pytestmark = pytest.mark.django_db


def test_a_stored_version_maps_to_the_engine_dataclass(world):
    facts = selectors.package_version_facts(world.version)

    assert facts.package_id == str(world.package.pk)
    assert facts.kind is eb.PackageKind.BASIC
    assert facts.effective_from == date(2026, 1, 1)
    assert facts.currency == "XOF"
    cons = facts.rule_for("CONS", "consultation")
    assert cons.coverage == eb.Coverage(rate=Decimal("0.8"))
    assert cons.coverage_for("indigent") == eb.Coverage(rate=Decimal(1))
    assert cons.count_limits == (eb.CountLimit(12, unit=eb.CountUnit.VISITS),)
    hosp = facts.rule_for("HOSP", "hospitalisation")
    assert hosp.referral_required and hosp.care_type is eb.CareType.IN_PATIENT
    mat = facts.rule_for("ACC", "maternity")
    assert mat.waiting_days == 270
    assert mat.applicability == eb.Applicability(eb.Sex.FEMALE, 12, 55)
    glasses = facts.rule_for("GLASSES", "optical")
    assert glasses.item == "GLASSES"
    assert glasses.frequency == eb.CountLimit(1, eb.Window.rolling(730))
    assert facts.rule_for("PARA", "pharmacy").coverage == eb.Coverage(fixed_copay=Decimal(200))
    assert facts.rule_for("PARA", "pharmacy").ceilings == (
        eb.Ceiling(eb.Scope.BENEFICIARY, Decimal(50000)),
    )
    assert facts.rule_for("DENT", "dental").covered is False
    assert facts.ceilings == (eb.Ceiling(eb.Scope.BENEFICIARY, Decimal(300000)),)


def test_versions_of_many_packages_load_in_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    selectors._CACHE.clear()

    with django_assert_num_queries(5):  # stamps, versions, rules, member coverages, limits
        first = selectors.package_versions_facts([world.package.pk])
    with django_assert_num_queries(1):  # cached: only the list of versions
        again = selectors.package_versions_facts([world.package.pk])

    assert first == again and len(first) == 1


def test_member_facts_for_many_beneficiaries_take_a_fixed_number_of_queries(
    world, django_assert_num_queries, monkeypatch
):
    from mutualis.contributions import selectors as cs
    from mutualis.members.models import Membership

    def bulk(*, household_ids, on):  # contributions' bulk selector, when it exists
        return {pk: cs.Standing(True) for pk in household_ids}

    monkeypatch.setattr(cs, "household_standings", bulk, raising=False)
    members = list(Membership.objects.select_related("person", "household"))

    with django_assert_num_queries(1):  # status changes and coverage periods together
        facts = selectors.member_facts_bulk(members, ON)

    assert facts[world.suspended.pk].beneficiary.status.value == "suspended"
    assert facts[world.head.pk].beneficiary.born_year_only
    assert facts[world.indigent.pk].beneficiary.category == "indigent"
    assert len(facts[world.head.pk].coverage) == 1


def test_a_section_clerk_a_provider_agent_and_a_board_member_read_the_package(
    world, clerk_a, provider_agent, board_member
):
    for user in (clerk_a, provider_agent, board_member):
        assert list(selectors.package_list(user=user)) == [world.package]


def test_another_mutuals_staff_do_not_see_the_package(world, org_tree, make_user):
    from mutualis.core.errors import NotFound
    from mutualis.core.roles import Role

    other = make_user("clerk_c", Role.CLERK, org_tree.section_c)

    assert list(selectors.package_list(user=other)) == []
    with pytest.raises(NotFound):
        selectors.package_get(user=other, package_id=world.package.pk)
