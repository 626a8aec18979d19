"""Packages, versions, rules and the catalogue: writes, refusals, bad input."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.benefits import selectors, services
from mutualis.benefits.models import BenefitRule, CatalogueItem, Limit, VersionStatus
from mutualis.core.errors import DomainError
from tests.benefits.conftest import ON, TODAY

pytestmark = pytest.mark.django_db


def raises(expected, fn, **kw):
    with pytest.raises(DomainError) as exc:
        fn(**kw)
    assert exc.value.code == expected, exc.value.as_dict()
    return exc.value


# --- Versions: a change applies from its date -------------------------------------


def test_a_new_version_copies_the_rules_and_applies_from_its_date(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    services.rule_set(
        actor=manager, version=v2, category=world.categories["consultation"], rate="0.9"
    )
    services.version_publish(actor=manager, version=v2, today=TODAY)

    before = services.eligibility_check(
        actor=manager, number=world.head.number, on=date(2026, 6, 30), item_code="CONS"
    )
    after = services.eligibility_check(
        actor=manager, number=world.head.number, on=date(2026, 7, 1), item_code="CONS"
    )

    assert v2.rules.count() == world.version.rules.count()
    # Setting the rule again changes its cover, and keeps its count limit.
    assert (
        Limit.objects.filter(version=v2).count()
        == Limit.objects.filter(version=world.version).count()
    )
    assert before.decision.coverage.rate == Decimal("0.8")
    assert after.decision.coverage.rate == Decimal("0.9")


def test_a_version_in_force_is_found_by_date(world):
    assert selectors.version_in_force(package=world.package, on=ON) == world.version
    assert selectors.version_in_force(package=world.package, on=date(2025, 12, 31)) is None


def test_a_draft_version_does_not_answer_eligibility(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    services.rule_set(actor=manager, version=v2, category=world.categories["dental"], rate="1")

    answer = services.eligibility_check(
        actor=manager, number=world.head.number, on=date(2026, 8, 1), item_code="DENT"
    )

    assert [r.code.value for r in answer.decision.reasons] == ["not_in_package"]


def test_a_published_version_never_changes(world, manager):
    raises(
        "version_published",
        services.rule_set,
        actor=manager,
        version=world.version,
        category=world.categories["dental"],
        rate="1",
    )
    raises(
        "version_published",
        services.version_update,
        actor=manager,
        version=world.version,
        grace_days=10,
    )


def test_a_version_cannot_take_effect_in_the_past(world, manager):
    raises(
        "version_in_past",
        services.version_create,
        actor=manager,
        package=world.package,
        effective_from=date(2026, 3, 1),
        today=date(2026, 6, 1),
    )


def test_two_versions_cannot_share_a_date(world, manager):
    err = raises(
        "invalid",
        services.version_create,
        actor=manager,
        package=world.package,
        effective_from=date(2026, 1, 1),
        today=TODAY,
    )
    assert "effective_from" in err.fields


def test_only_a_manager_manages_packages(world, clerk_a, board_member):
    raises(
        "forbidden",
        services.package_create,
        actor=board_member,
        mutual=world.mutual,
        code="X",
        name="X",
    )
    # A section clerk's scope is the section: the mutual itself is outside it.
    raises(
        "not_found", services.package_create, actor=clerk_a, mutual=world.mutual, code="X", name="X"
    )


def test_a_manager_of_another_mutual_does_not_see_this_one(world, org_tree, make_user):
    from mutualis.core.roles import Role

    other = make_user("other_mgr", Role.MANAGER, org_tree.other_mutual)

    raises(
        "not_found", services.package_create, actor=other, mutual=world.mutual, code="X", name="X"
    )


# --- Rules: bad input -------------------------------------------------------------


def test_a_negative_co_payment_is_refused_and_nothing_is_written(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    count = BenefitRule.objects.count()

    err = raises(
        "invalid",
        services.rule_set,
        actor=manager,
        version=v2,
        category=world.categories["consultation"],
        fixed_copay="-200",
    )

    assert str(err.fields["fixed_copay"]) == "Un montant ne peut pas être négatif."
    assert BenefitRule.objects.count() == count


def test_a_rate_above_100_percent_is_refused(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    err = raises(
        "invalid",
        services.rule_set,
        actor=manager,
        version=v2,
        category=world.categories["consultation"],
        rate="1.5",
    )
    assert "rate" in err.fields


def test_a_rule_needs_a_rate_or_a_co_payment_not_both(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    raises(
        "invalid",
        services.rule_set,
        actor=manager,
        version=v2,
        category=world.categories["consultation"],
        rate="0.5",
        fixed_copay="100",
    )
    raises(
        "invalid",
        services.rule_set,
        actor=manager,
        version=v2,
        category=world.categories["consultation"],
    )


def test_xof_amounts_have_no_decimals(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    err = raises(
        "invalid",
        services.limit_add,
        actor=manager,
        version=v2,
        kind="ceiling",
        scope="beneficiary",
        amount="100.5",
    )
    assert "amount" in err.fields


def test_a_rolling_window_needs_its_days(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    rule = v2.rules.get(item__code="GLASSES")
    err = raises(
        "invalid",
        services.limit_add,
        actor=manager,
        version=v2,
        rule=rule,
        kind="count",
        scope="beneficiary",
        max_count=2,
        window="rolling_days",
    )
    assert "window_days" in err.fields


def test_an_unknown_member_category_is_refused(world, manager):
    v2 = services.version_create(
        actor=manager, package=world.package, effective_from=date(2026, 7, 1), today=TODAY
    )
    raises(
        "invalid",
        services.rule_set,
        actor=manager,
        version=v2,
        category=world.categories["consultation"],
        rate="0.8",
        member_coverages={"old_people": (1, None)},
    )


# --- Catalogue --------------------------------------------------------------------


CSV = (
    "code;name;category;reference_price;care_type\n"
    "RX;Radiographie du thorax;imaging;10000;both\n"
    "CONS;Consultation curative;consultation;1500;out_patient\n"
)


def test_a_csv_import_adds_and_updates_items(world, manager):
    report = services.catalogue_import(
        actor=manager, mutual=world.mutual, file_name="items.csv", content=CSV.encode()
    )

    assert (report.created, report.updated) == (1, 1)
    assert report.categories_created == ["imaging"]
    assert CatalogueItem.objects.get(code="CONS").reference_price == Decimal(1500)


def test_an_xlsx_import_works(world, manager, tmp_path):
    import polars as pl

    path = tmp_path / "items.xlsx"
    pl.DataFrame(
        {
            "code": ["AMOX"],
            "name": ["Amoxicilline 500 mg"],
            "category": ["pharmacy"],
            "reference_price": ["40"],
            "kind": ["medicine"],
        }
    ).write_excel(path)

    report = services.catalogue_import(
        actor=manager, mutual=world.mutual, file_name="items.xlsx", content=path.read_bytes()
    )

    assert report.created == 1
    assert CatalogueItem.objects.get(code="AMOX").kind == "medicine"


def test_a_file_with_wrong_columns_is_refused_with_a_clear_message(world, manager):
    err = raises(
        "import_file_invalid",
        services.catalogue_import,
        actor=manager,
        mutual=world.mutual,
        file_name="items.csv",
        content=b"code,label,price\nX,Y,1\n",
    )
    assert "manquantes : name, category, reference_price" in str(err)
    assert "inconnues : label, price" in str(err)


def test_bad_rows_are_all_reported_and_nothing_is_written(world, manager):
    before = CatalogueItem.objects.count()
    content = (
        b"code,name,category,reference_price,currency\n"
        b"OK1,Fine,consultation,100,XOF\n"
        b"NEG,Negative,consultation,-5,XOF\n"
        b"CUR,Wrong currency,consultation,100,ZZZ\n"
        b"CAT,Unknown category,magic,100,\n"
    )

    err = raises(
        "import_rows_invalid",
        services.catalogue_import,
        actor=manager,
        mutual=world.mutual,
        file_name="items.csv",
        content=content,
    )

    assert [n for n, _ in err.rows] == [3, 4, 5]
    assert "négatif" in err.rows[0][1]
    assert "Monnaie inconnue : ZZZ" in err.rows[1][1]
    assert "Catégorie inconnue : magic" in err.rows[2][1]
    assert CatalogueItem.objects.count() == before


def test_only_csv_and_xlsx_are_accepted(world, manager):
    raises(
        "import_file_invalid",
        services.catalogue_import,
        actor=manager,
        mutual=world.mutual,
        file_name="items.pdf",
        content=b"%PDF",
    )


def test_an_item_with_a_negative_price_is_refused(world, manager):
    err = raises(
        "invalid",
        services.item_create,
        actor=manager,
        mutual=world.mutual,
        data={"code": "X", "name": "X", "category": "consultation", "reference_price": "-1"},
    )
    assert "reference_price" in err.fields


def test_version_status_is_published_after_publish(world):
    assert world.version.status == VersionStatus.PUBLISHED
