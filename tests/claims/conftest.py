"""A covered household, a provider with an agreement, and the package and catalogue
the engine judges against.

Awa DIOP (F, 1990) and her son Moussa, household of section A, covered by
the basic package all of 2026. Health centre "CS1" has an agreement for
2026 with tariffs. Package rules (engine dataclasses, served through
`claims.facts.override_sources` while the benefits app's own mapping is
not merged): consultations 80%, medicines 80% with a yearly ceiling of
10 000 per beneficiary, laboratory 100%, cosmetics not covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from mutualis.claims import facts
from mutualis.claims.services import ClaimInput, LineInput, claim_submit
from mutualis.core.roles import Role
from mutualis.engine import benefits as eb
from mutualis.providers.models import Agreement, NegotiatedTariff

TODAY = date(2026, 3, 16)
D = Decimal


@dataclass
class World:
    package: object
    version: eb.PackageVersion
    catalogue: dict
    awa: object
    moussa: object
    household: object
    agreement: Agreement
    other_member: object


def _catalogue():
    items = [
        eb.CatalogueItem("CONS", "consultation", D(2000)),
        eb.CatalogueItem("PARA", "medicine", D(500)),
        eb.CatalogueItem("AMOX", "medicine", D(1500)),
        eb.CatalogueItem("NFS", "laboratory", D(3000)),
        eb.CatalogueItem("COSM", "comfort", D(1000)),
        eb.CatalogueItem("ACC", "maternity", D(25000), eb.CareType.IN_PATIENT),
    ]
    return {i.code: i for i in items}


def _version(package_id: str) -> eb.PackageVersion:
    return eb.PackageVersion(
        id="v1",
        package_id=package_id,
        name="Paquet de base",
        kind=eb.PackageKind.BASIC,
        effective_from=date(2026, 1, 1),
        currency="XOF",
        rules=(
            eb.BenefitRule("consultation", coverage=eb.Coverage(rate=D("0.8"))),
            eb.BenefitRule(
                "medicine",
                coverage=eb.Coverage(rate=D("0.8")),
                ceilings=(eb.Ceiling(eb.Scope.BENEFICIARY, D(10000)),),
            ),
            eb.BenefitRule("laboratory", coverage=eb.Coverage(rate=D(1))),
            eb.BenefitRule("comfort", covered=False),
            eb.BenefitRule(
                "maternity",
                coverage=eb.Coverage(rate=D(1)),
                applicability=eb.Applicability(sex=eb.Sex.FEMALE),
            ),
        ),
    )


def make_member(org_tree, *, section, first, last, sex, born, household=None, number):
    from mutualis.members.models import Household, Membership, Person

    person = Person.objects.create(
        mutual=org_tree.mutual,
        first_name=first,
        last_name=last,
        sex=sex,
        birth_date=born,
        normalised_name=f"{first} {last}".lower(),
    )
    if household is None:
        household = Household.objects.create(
            mutual=section.parent, section=section, number=f"H{number}", head=person
        )
    return Membership.objects.create(
        person=person,
        household=household,
        mutual=section.parent,
        section=section,
        number=number,
        relationship="head" if household.head_id == person.pk else "child",
        status="active",
        joined_on=date(2025, 1, 1),
        is_adherent=household.head_id == person.pk,
    )


@pytest.fixture
def world(org_tree, provider, root_user):
    from mutualis.benefits.models import Package
    from mutualis.members.models import CoveragePeriod

    package = Package.objects.create(mutual=org_tree.mutual, code="BASE", name="Paquet de base")
    version = _version(str(package.pk))
    catalogue = _catalogue()
    awa = make_member(
        org_tree,
        section=org_tree.section_a,
        first="Awa",
        last="Diop",
        sex="F",
        born=date(1990, 5, 4),
        number="1000017",
    )
    moussa = make_member(
        org_tree,
        section=org_tree.section_a,
        first="Moussa",
        last="Diop",
        sex="M",
        born=date(2018, 2, 1),
        household=awa.household,
        number="1000025",
    )
    other = make_member(
        org_tree,
        section=org_tree.section_b,
        first="Fatou",
        last="Sarr",
        sex="F",
        born=date(1985, 1, 1),
        number="2000019",
    )
    for hh in (awa.household, other.household):
        CoveragePeriod.objects.create(
            household=hh,
            package=package,
            enrolled_on=date(2025, 12, 1),
            start_on=date(2026, 1, 1),
            expiry_on=date(2026, 12, 31),
            status="active",
        )
    agreement = Agreement.objects.create(
        provider=provider, reference="CONV-2026", valid_from=date(2026, 1, 1)
    )
    NegotiatedTariff.objects.bulk_create(
        [
            NegotiatedTariff(agreement=agreement, item_code=code, price=D(price))
            for code, price in [
                ("CONS", 2000),
                ("PARA", 500),
                ("AMOX", 1500),
                ("NFS", 3000),
                ("COSM", 1000),
                ("ACC", 25000),
            ]
        ]
    )

    def packages(ids):
        return (version,) if int(package.pk) in {int(i) for i in ids} else ()

    def cat(mutual_id, codes=None):
        return {k: v for k, v in catalogue.items() if codes is None or k in codes}

    with facts.override_sources(packages=packages, catalogue=cat):
        yield World(package, version, catalogue, awa, moussa, awa.household, agreement, other)


@pytest.fixture
def claims_officer(org_tree, make_user):
    return make_user("officer", Role.CLAIMS_OFFICER, org_tree.mutual)


@pytest.fixture
def medical_adviser(org_tree, make_user):
    return make_user("medecin", Role.MEDICAL_ADVISER, org_tree.union)


@pytest.fixture
def member_user(world, org_tree, make_user):
    user = make_user("awa", Role.MEMBER, org_tree.section_a)
    person = world.awa.person
    person.user = user
    person.save(update_fields=["user"])
    return user


def claim_input(card="1000017", *, lines=None, start=date(2026, 3, 10), **kw) -> ClaimInput:
    lines = lines or [("CONS", 1, 2000), ("PARA", 2, 500), ("NFS", 1, 3000)]
    return ClaimInput(
        card_number=card,
        start_on=start,
        lines=tuple(LineInput(code, qty, D(price)) for code, qty, price in lines),
        diagnoses=kw.pop("diagnoses", ("J06.9",)),
        **kw,
    )


@pytest.fixture
def submit(world, provider, provider_agent):
    def do(data=None, *, actor=None, key="", today=TODAY, **kw):
        return claim_submit(
            actor=actor or provider_agent,
            provider=provider,
            data=data or claim_input(),
            key=key,
            today=today,
            **kw,
        )

    return do
