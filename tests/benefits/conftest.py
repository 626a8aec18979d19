"""A small covered world: the mutual of `org_tree` with a catalogue, the basic
package "BASE" (version 2026-01-01, published) and a household in section A.

Household H1 (section A), cover BASE 2026-01-01 → 2026-12-31:
- 100000000X Awa (F, 1990, head, informal, active)
- indigent Fatou (F, born 2000-05-05, indigent, active)
- Modou (M, 2015, child, active)
Household H2 (section A): Ibou, suspended on 2026-03-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest

from mutualis.benefits import services
from mutualis.benefits.models import (
    CatalogueItem,
    Package,
    PackageKind,
    ServiceCategory,
)
from mutualis.engine.checkdigit import with_check_digit

ON = date(2026, 6, 15)
TODAY = date(2025, 12, 1)


@dataclass
class World:
    mutual: object
    package: Package
    version: object
    categories: dict
    items: dict
    head: object
    indigent: object
    child: object
    suspended: object
    household: object


def number(n: int) -> str:
    return with_check_digit(f"{n:09d}")


def make_member(
    *,
    household,
    section,
    mutual,
    first,
    sex,
    n,
    born=None,
    year=None,
    category="informal",
    relationship="head",
    status="active",
    joined=date(2025, 1, 1),
):
    from mutualis.members.models import Membership, Person

    person = Person.objects.create(
        mutual=mutual,
        first_name=first,
        last_name="Diop",
        sex=sex,
        birth_date=born,
        birth_year=year,
        normalised_name=first.lower(),
    )
    return Membership.objects.create(
        person=person,
        household=household,
        mutual=mutual,
        section=section,
        number=number(n),
        relationship=relationship,
        category=category,
        status=status,
        joined_on=joined,
    )


@pytest.fixture
def manager_b(manager):
    return manager


@pytest.fixture
def world(org_tree, manager) -> World:
    from mutualis.members.models import CoveragePeriod, Household, MembershipStatusChange

    mutual = org_tree.mutual
    cats = {
        code: services.category_create(actor=manager, mutual=mutual, code=code)
        for code in (
            "consultation",
            "hospitalisation",
            "maternity",
            "pharmacy",
            "optical",
            "dental",
        )
    }
    items = {}
    for code, cat, price, care in [
        ("CONS", "consultation", 1000, "out_patient"),
        ("HOSP", "hospitalisation", 5000, "in_patient"),
        ("ACC", "maternity", 15000, "in_patient"),
        ("PARA", "pharmacy", 10, "both"),
        ("GLASSES", "optical", 25000, "out_patient"),
        ("DENT", "dental", 3000, "out_patient"),
    ]:
        items[code] = services.item_create(
            actor=manager,
            mutual=mutual,
            data={
                "code": code,
                "name": code.title(),
                "category": cat,
                "reference_price": price,
                "care_type": care,
            },
        )
    package = services.package_create(
        actor=manager, mutual=mutual, code="BASE", name="Paquet de base", kind=PackageKind.BASIC
    )
    v = services.version_create(
        actor=manager,
        package=package,
        effective_from=date(2026, 1, 1),
        today=TODAY,
        grace_days=30,
    )
    rs = services.rule_set
    cons = rs(
        actor=manager,
        version=v,
        category=cats["consultation"],
        rate="0.8",
        member_coverages={"indigent": (1, None)},
    )
    services.limit_add(
        actor=manager,
        version=v,
        rule=cons,
        kind="count",
        scope="beneficiary",
        max_count=12,
        unit="visits",
    )
    rs(
        actor=manager,
        version=v,
        category=cats["hospitalisation"],
        rate="0.7",
        referral_required=True,
        care_type="in_patient",
    )
    rs(
        actor=manager,
        version=v,
        category=cats["maternity"],
        rate="0.9",
        waiting_days=270,
        applicable_sex="F",
        min_age=12,
        max_age=55,
    )
    ph = rs(actor=manager, version=v, category=cats["pharmacy"], fixed_copay=200)
    services.limit_add(
        actor=manager, version=v, rule=ph, kind="ceiling", scope="beneficiary", amount=50000
    )
    gl = rs(actor=manager, version=v, category=cats["optical"], item=items["GLASSES"], rate="0.5")
    services.limit_add(
        actor=manager,
        version=v,
        rule=gl,
        kind="frequency",
        scope="beneficiary",
        max_count=1,
        window="rolling_days",
        window_days=730,
    )
    rs(actor=manager, version=v, category=cats["dental"], covered=False)
    services.limit_add(actor=manager, version=v, kind="ceiling", scope="beneficiary", amount=300000)
    services.version_publish(actor=manager, version=v, today=TODAY)

    hh = Household.objects.create(mutual=mutual, section=org_tree.section_a, number="H1")
    kw = {"household": hh, "section": org_tree.section_a, "mutual": mutual}
    head = make_member(**kw, first="Awa", sex="F", n=1, year=1990)
    indigent = make_member(
        **kw,
        first="Fatou",
        sex="F",
        n=2,
        born=date(2000, 5, 5),
        category="indigent",
        relationship="spouse",
    )
    child = make_member(**kw, first="Modou", sex="M", n=3, year=2015, relationship="child")
    CoveragePeriod.objects.create(
        household=hh,
        package=package,
        enrolled_on=date(2025, 12, 1),
        start_on=date(2026, 1, 1),
        expiry_on=date(2026, 12, 31),
        status="active",
    )
    hh2 = Household.objects.create(mutual=mutual, section=org_tree.section_a, number="H2")
    suspended = make_member(
        household=hh2,
        section=org_tree.section_a,
        mutual=mutual,
        first="Ibou",
        sex="M",
        n=4,
        year=1980,
        status="suspended",
    )
    MembershipStatusChange.objects.create(
        membership=suspended, status="active", effective_on=date(2025, 1, 1)
    )
    MembershipStatusChange.objects.create(
        membership=suspended, status="suspended", effective_on=date(2026, 3, 1)
    )
    CoveragePeriod.objects.create(
        household=hh2,
        package=package,
        enrolled_on=date(2025, 12, 1),
        start_on=date(2026, 1, 1),
        expiry_on=date(2026, 12, 31),
        status="active",
    )
    return World(mutual, package, v, cats, items, head, indigent, child, suspended, hh)


__all__ = ["ON", "TODAY", "World", "number", "D", "CatalogueItem", "ServiceCategory"]
