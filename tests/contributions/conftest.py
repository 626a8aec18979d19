"""Fixtures: a yearly per-beneficiary schedule (Senegal CMU style) and households.

Households are made directly (the members app owns enrolment); dues and payments
go through this app's services.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mutualis.benefits.models import Package
from mutualis.contributions import services
from mutualis.contributions.models import PayerKind, ScheduleKind
from mutualis.members.models import (
    CoveragePeriod,
    Household,
    Membership,
    MembershipStatus,
    Person,
    Relationship,
)

D = Decimal
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def package(org_tree):
    return Package.objects.create(mutual=org_tree.mutual, code="BASE", name="Paquet de base")


@pytest.fixture
def schedule(org_tree, manager):
    return services.schedule_save(
        actor=manager,
        mutual=org_tree.mutual,
        data={
            "name": "Cotisation annuelle 2026",
            "kind": ScheduleKind.PER_BENEFICIARY_CAPPED,
            "period": "yearly",
            "amount": D(3500),
            "household_cap": D(21000),
            "registration_fee": D(1000),
            "membership_fee": D(500),
            "grace_days": 30,
            "strike_off_months": 12,
            "pro_rata": "none",
        },
    )


@pytest.fixture
def state(org_tree, manager):
    return services.payer_create(
        actor=manager,
        mutual=org_tree.mutual,
        code="ETAT",
        name="État du Sénégal",
        kind=PayerKind.STATE,
    )


_counter = {"n": 0}


@pytest.fixture
def make_household(org_tree, package):
    def make(
        section=None,
        size: int = 3,
        joined_on: date = date(2026, 1, 5),
        category: str = "informal",
        status: str = MembershipStatus.CANDIDATE,
        phone: str = "",
        number: str | None = None,
        cover: bool = True,
    ) -> Household:
        _counter["n"] += 1
        n = _counter["n"]
        section = section or org_tree.section_a
        mutual = section.parent
        hh = Household.objects.create(mutual=mutual, section=section, number=number or f"M{n:05d}")
        for i in range(size):
            person = Person.objects.create(
                mutual=mutual,
                first_name=f"Prénom{i}",
                last_name=f"Diop{n}",
                sex="F" if i % 2 else "M",
                birth_year=1980 + i * 10,
                phone=phone if i == 0 else "",
            )
            Membership.objects.create(
                person=person,
                household=hh,
                mutual=mutual,
                section=section,
                number=f"B{n:05d}{i}",
                relationship=Relationship.HEAD if i == 0 else Relationship.CHILD,
                category=category,
                is_adherent=i == 0,
                status=status,
                joined_on=joined_on,
            )
            if i == 0:
                hh.head = person
                hh.save(update_fields=["head"])
        if cover:
            CoveragePeriod.objects.create(
                household=hh,
                package=Package.objects.get(mutual=mutual, code="BASE")
                if Package.objects.filter(mutual=mutual, code="BASE").exists()
                else Package.objects.create(mutual=mutual, code="BASE", name="Paquet de base"),
                enrolled_on=joined_on,
                start_on=YEAR_2026[0],
                expiry_on=YEAR_2026[1],
            )
        return hh

    return make
