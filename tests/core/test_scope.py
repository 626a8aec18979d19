import pytest

from mutualis.core import selectors
from mutualis.core.errors import Forbidden, NotFound
from mutualis.core.models import Organisation
from mutualis.core.roles import Perm, Role
from mutualis.core.scope import has_perm, in_scope, require

pytestmark = pytest.mark.django_db


def test_a_section_clerk_sees_only_the_section(org_tree, clerk_a):
    names = [o.name for o in selectors.organisation_list(user=clerk_a)]

    assert names == ["Section A"]


def test_a_manager_sees_the_mutual_and_its_sections_not_the_other_mutual(org_tree, manager):
    names = {o.name for o in selectors.organisation_list(user=manager)}

    assert names == {"Mutuelle And Fagaru", "Section A", "Section B"}


def test_an_auditor_of_the_union_sees_the_whole_union(org_tree, auditor):
    assert selectors.organisation_list(user=auditor).count() == 6


def test_assignments_in_several_mutuals_add_up(org_tree, make_user):
    from mutualis.core.models import RoleAssignment

    adviser = make_user("adviser", Role.MEDICAL_ADVISER, org_tree.section_a)
    RoleAssignment.objects.create(
        user=adviser, role=Role.MEDICAL_ADVISER, organisation=org_tree.section_c
    )
    adviser = type(adviser).objects.get(pk=adviser.pk)

    names = {o.name for o in selectors.organisation_list(user=adviser)}

    assert names == {"Section A", "Section C"}


def test_in_scope_filters_any_table_by_its_organisation_field(org_tree, clerk_b):
    qs = Organisation.objects.filter(in_scope(clerk_b, "pk"))

    assert list(qs) == [org_tree.section_b]


def test_outside_scope_is_not_found_and_in_scope_without_the_right_is_forbidden(org_tree, clerk_a):
    with pytest.raises(NotFound):
        require(clerk_a, Perm.MEMBER_EDIT, on=org_tree.section_b)
    with pytest.raises(Forbidden):
        require(clerk_a, Perm.ORG_MANAGE, on=org_tree.section_a)
    require(clerk_a, Perm.MEMBER_EDIT, on=org_tree.section_a)


def test_fetching_an_organisation_outside_scope_says_not_found(org_tree, clerk_a):
    with pytest.raises(NotFound):
        selectors.organisation_get(user=clerk_a, organisation_id=org_tree.section_b.pk)
    with pytest.raises(NotFound):
        selectors.organisation_get(user=clerk_a, organisation_id="nonsense")


def test_a_provider_agent_has_no_tree_scope(org_tree, provider_agent):
    assert selectors.organisation_list(user=provider_agent).count() == 0
    assert has_perm(provider_agent, Perm.CLAIM_ENTER)
    assert not has_perm(provider_agent, Perm.MEMBER_VIEW)
