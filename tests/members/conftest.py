"""Fixtures of the member register: a package, and households enrolled through services."""

from __future__ import annotations

from datetime import date

import pytest

from mutualis.members import services
from mutualis.members.models import Relationship
from mutualis.members.services import PersonInput

JOINED = date(2026, 1, 15)
ON = date(2026, 3, 1)


@pytest.fixture
def package(org_tree):
    from mutualis.benefits.models import Package

    return Package.objects.create(mutual=org_tree.mutual, code="BASE", name="Paquet de base")


def family(last="NDIAYE", first="Hélène", size=4, locality="Thiès", national_id=""):
    kinds = [Relationship.HEAD, Relationship.SPOUSE, Relationship.CHILD, Relationship.CHILD]
    kinds += [Relationship.CHILD] * max(0, size - 4)
    firsts = [first, "Mamadou", "Awa", "Cheikh", "Fatou", "Ousmane", "Binta", "Modou"]
    sexes = ["F", "M", "F", "M", "F", "M", "F", "M"]
    years = [1984, 1980, 2012, 2016, 2018, 2019, 2020, 2021]
    return [
        PersonInput(
            first_name=firsts[i],
            last_name=last,
            sex=sexes[i],
            relationship=kinds[i],
            birth_year=years[i],
            locality=locality,
            national_id=national_id if i == 0 else "",
            phone="77 123 45 6%d" % i if i == 0 else "",
        )
        for i in range(size)
    ]


@pytest.fixture
def enrol():
    def make(actor, section, persons=None, *, activate=True, joined_on=JOINED, **kwargs):
        return services.household_enrol(
            actor=actor,
            section=section,
            persons=persons or family(),
            joined_on=joined_on,
            activate=activate,
            **kwargs,
        )

    return make


@pytest.fixture
def household(org_tree, clerk_a, enrol, package):
    result = enrol(clerk_a, org_tree.section_a)
    services.coverage_period_open(
        actor=clerk_a,
        household=result.household,
        package=package,
        start_on=date(2026, 1, 1),
        expiry_on=date(2026, 12, 31),
    )
    return result.household
