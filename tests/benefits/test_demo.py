"""The demo catalogue and packages load, twice without duplicates, and map to the engine."""

from datetime import date

import pytest

from mutualis.benefits import demo, selectors
from mutualis.benefits.models import CatalogueItem, Package
from mutualis.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_catalogue_base_and_a_complementary_package(org_tree):
    ctx = DemoContext(federation=org_tree.union, mutual=org_tree.mutual, sections=[], users={})

    demo.load(ctx)
    demo.load(ctx)

    assert CatalogueItem.objects.filter(mutual=org_tree.mutual).count() == len(demo.CATALOGUE)
    base = Package.objects.get(mutual=org_tree.mutual, code="BASE")
    version = selectors.version_in_force(package=base, on=date(2026, 3, 1))
    facts = selectors.package_version_facts(version)
    assert facts.rule_for("ACC-SIMPLE", "maternity").waiting_days == 270
    assert facts.rule_for("HOSP-JOUR", "hospitalisation").referral_required
    assert facts.rule_for("LUNETTES", "optical").frequency.max == 1
    assert facts.rule_for("CONS-CS", "consultation").coverage_for("indigent").rate == 1
    compl = Package.objects.get(mutual=org_tree.mutual, code="COMPL")
    assert selectors.package_versions_facts([compl.pk])[0].kind.value == "complementary"
