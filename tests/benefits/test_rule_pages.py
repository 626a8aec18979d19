"""Managers edit a draft package version's rules and limits on pages (DOMAIN §4)."""

from datetime import date
from decimal import Decimal as D

import pytest

from mutualis.benefits import services
from mutualis.benefits.models import BenefitRule, Limit, Package
from mutualis.core.roles import Role

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def draft(world, manager):
    return services.version_create(
        actor=manager,
        package=world.package,
        effective_from=date(2099, 1, 1),
        today=date(2026, 1, 1),
        note="Nouveaux taux",
    )


def rule_data(category, **extra) -> dict:
    data = {
        "action": "rule",
        "r-category": category.pk,
        "r-covered": "on",
        "r-waiting_days": "0",
        "r-care_type": "both",
    }
    data.update({f"r-{k}": v for k, v in extra.items()})
    return data


def test_a_manager_creates_a_package(org_tree, manager, login):
    response = login(manager).post(
        "/benefits/packages/new/",
        {"mutual": org_tree.mutual.pk, "code": "COMP", "name": "Complémentaire", "kind": "basic"},
    )

    package = Package.objects.get(code="COMP")
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/packages/{package.pk}/"


def test_a_manager_sets_a_rule_with_member_category_and_limits(world, draft, manager, login):
    client = login(manager)
    dental = world.categories["dental"]

    response = client.post(
        f"/benefits/versions/{draft.pk}/edit/",
        rule_data(
            dental,
            rate="80",
            **{
                "member_coverages.indigent": "100%",
                "waiting_days": "90",
                "authorisation_required": "on",
            },
        ),
    )
    rule = BenefitRule.objects.get(version=draft, category=dental)
    assert response["Location"] == f"/benefits/rules/{rule.pk}/"
    client.post(
        f"/benefits/rules/{rule.pk}/",
        {
            "action": "limit",
            "l-kind": "count",
            "l-scope": "beneficiary",
            "l-max_count": "2",
            "l-unit": "visits",
            "l-window": "calendar_year",
            "l-care_type": "both",
        },
    )
    page = text(client.get(f"/benefits/packages/{world.package.pk}/?version={draft.pk}"))

    assert (rule.rate, rule.waiting_days, rule.authorisation_required) == (D("0.8"), 90, True)
    assert rule.category_coverages.get().rate == 1
    assert rule.limits.get().max_count == 2
    assert "90 jours" in page
    pdf = client.get(f"/benefits/packages/{world.package.pk}/pdf/?version={draft.pk}")
    assert pdf["Content-Type"] == "application/pdf"


def test_editing_a_rule_keeps_its_limits(world, draft, manager, login):
    rule = draft.rules.get(category=world.categories["pharmacy"])
    assert rule.limits.count() == 1

    response = login(manager).post(
        f"/benefits/rules/{rule.pk}/", {**rule_data(rule.category), "r-fixed_copay": "300"}
    )

    rule.refresh_from_db()
    assert response.status_code == 302
    assert rule.fixed_copay == D(300)
    assert rule.limits.count() == 1


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({}, "rate", "ticket modérateur"),
        ({"rate": "150"}, "rate", "Saisissez un taux entre 0 et 100 %."),
        ({"rate": "80", "item": "NOPE"}, "item", "Aucun acte avec ce code"),
        (
            {"rate": "80", "min_age": "50", "max_age": "12"},
            "max_age",
            "L'âge maximum est inférieur à l'âge minimum.",
        ),
    ],
)
def test_a_bad_rule_is_explained_on_its_field(world, draft, manager, login, extra, field, message):
    response = login(manager).post(
        f"/benefits/versions/{draft.pk}/edit/", rule_data(world.categories["dental"], **extra)
    )

    assert response.status_code == 200
    page = text(response).replace("&#x27;", "'")
    block = page.split(f'id="id_r-{field}"')[1].split('<div class="field')[0]
    assert message in block
    assert draft.rules.filter(category=world.categories["dental"], covered=True).count() == 0


def test_a_rolling_limit_without_days_is_explained(world, draft, manager, login):
    response = login(manager).post(
        f"/benefits/versions/{draft.pk}/edit/",
        {
            "action": "limit",
            "l-kind": "ceiling",
            "l-scope": "household",
            "l-amount": "500000",
            "l-unit": "quantity",
            "l-window": "rolling_days",
            "l-care_type": "both",
        },
    )

    assert response.status_code == 200
    assert "Une période glissante dure au moins un jour." in text(response)
    assert not draft.limits.filter(rule__isnull=True, scope="household").exists()


def test_rules_and_limits_are_removed_from_a_draft(world, draft, manager, login):
    client = login(manager)
    rule = draft.rules.get(category=world.categories["pharmacy"])
    package_limit = draft.limits.get(rule__isnull=True)

    client.post(f"/benefits/limits/{package_limit.pk}/remove/")
    response = client.post(f"/benefits/rules/{rule.pk}/remove/")

    assert response["Location"] == f"/benefits/versions/{draft.pk}/edit/"
    assert not BenefitRule.objects.filter(pk=rule.pk).exists()
    assert not Limit.objects.filter(pk=package_limit.pk).exists()


def test_a_version_in_force_is_never_edited_in_place(world, manager, login):
    client = login(manager)
    rule = world.version.rules.get(category=world.categories["consultation"])

    page = client.get(f"/benefits/versions/{world.version.pk}/edit/")
    response = client.post(
        f"/benefits/rules/{rule.pk}/", {**rule_data(rule.category), "r-rate": "10"}
    )
    removed = client.post(f"/benefits/rules/{rule.pk}/remove/", follow=True)

    rule.refresh_from_db()
    assert 'id="published"' in text(page)
    assert 'id="rule-form"' not in text(page)
    assert response.status_code == 302
    assert rule.rate == D("0.8")
    assert "publiée" in text(removed)
    assert BenefitRule.objects.filter(pk=rule.pk).exists()


def test_rule_pages_refuse_wrong_roles_and_other_mutuals(
    world, draft, board_member, org_tree, make_user, login
):
    rule = draft.rules.first()
    limit = draft.limits.first()
    board = login(board_member)
    stranger = login(make_user("manager_mj", Role.MANAGER, org_tree.other_mutual))

    assert board.get("/benefits/packages/new/").status_code == 403
    assert board.get(f"/benefits/versions/{draft.pk}/edit/").status_code == 403
    assert board.get(f"/benefits/rules/{rule.pk}/").status_code == 403
    assert board.post(f"/benefits/rules/{rule.pk}/remove/").status_code == 403
    assert board.post(f"/benefits/limits/{limit.pk}/remove/").status_code == 403
    assert (
        board.post(
            f"/benefits/versions/{draft.pk}/edit/", rule_data(rule.category, rate="1")
        ).status_code
        == 403
    )
    assert stranger.get(f"/benefits/versions/{draft.pk}/edit/").status_code == 404
    assert stranger.get(f"/benefits/rules/{rule.pk}/").status_code == 404
    assert stranger.post(f"/benefits/limits/{limit.pk}/remove/").status_code == 404
    assert Limit.objects.filter(pk=limit.pk).exists()
