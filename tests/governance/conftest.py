"""Members for the governance tests, written directly with the ORM (bulk_create).

In the mutual of `org_tree`: 10 households, 6 in section A and 4 in section B,
each headed by an active adherent (numbers 1000001x with a Damm check digit),
plus a child (not an adherent) in the first household and one suspended
household (not in good standing). Positions: board (2 seats), president.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from mutualis.core.roles import Role
from mutualis.engine.checkdigit import with_check_digit
from mutualis.governance import services
from mutualis.governance.models import Body, Position, Statutes
from mutualis.members.models import Household, Membership, MembershipStatus, Person

FIRST = [
    "Awa",
    "Moussa",
    "Fatou",
    "Ibrahima",
    "Mariama",
    "Ousmane",
    "Aminata",
    "Cheikh",
    "Khady",
    "Modou",
    "Ndeye",
    "Pape",
]
LAST = [
    "Diop",
    "Fall",
    "Sarr",
    "Ndiaye",
    "Ba",
    "Gueye",
    "Kane",
    "Sy",
    "Mbaye",
    "Faye",
    "Diallo",
    "Sow",
]

GA_DAY = date(2026, 6, 13)
CUTOFF = date(2026, 5, 31)


def number(i: int) -> str:
    return with_check_digit(f"{1000000 + i}")


@dataclass
class Registry:
    adherents: list[Membership]
    child: Membership
    suspended: Membership
    board: Position
    president: Position

    def n(self, i: int) -> str:
        """The card number of the i-th adherent (0-based)."""
        return self.adherents[i].number


def make_registry(
    mutual, sections, count=10, *, suspended=True
) -> tuple[list, Membership | None, Membership | None]:
    persons = Person.objects.bulk_create(
        [
            Person(
                mutual=mutual,
                first_name=FIRST[i % len(FIRST)],
                last_name=LAST[(i * 5) % len(LAST)],
                sex="F" if i % 2 == 0 else "M",
                birth_date=date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                normalised_name=f"p{i}",
                phone=f"+22177000{i:04d}",
            )
            for i in range(count + 2)
        ]
    )
    households = Household.objects.bulk_create(
        [
            Household(
                mutual=mutual,
                section=sections[0] if i < (count * 6) // 10 else sections[-1],
                number=f"H{mutual.pk}-{i:05d}",
                head=persons[i],
            )
            for i in range(count + 1)
        ]
    )
    rows = [
        Membership(
            person=persons[i],
            household=households[i],
            mutual=mutual,
            section=households[i].section,
            number=number(mutual.pk * 1_000_000 + i),
            relationship="head",
            is_adherent=True,
            status=MembershipStatus.ACTIVE,
            joined_on=date(2020, 1, 1) + timedelta(days=i % 1500),
        )
        for i in range(count)
    ]
    rows.append(
        Membership(
            person=persons[count],
            household=households[0],
            mutual=mutual,
            section=households[0].section,
            number=number(mutual.pk * 1_000_000 + 900_000),
            relationship="child",
            is_adherent=False,
            status=MembershipStatus.ACTIVE,
            joined_on=date(2020, 1, 1),
        )
    )
    rows.append(
        Membership(
            person=persons[count + 1],
            household=households[count],
            mutual=mutual,
            section=households[count].section,
            number=number(mutual.pk * 1_000_000 + 900_001),
            relationship="head",
            is_adherent=True,
            status=MembershipStatus.SUSPENDED,
            joined_on=date(2021, 3, 1),
        )
    )
    made = Membership.objects.bulk_create(rows)
    return made[:count], made[count], made[count + 1]


@pytest.fixture
def registry(org_tree, root_user) -> Registry:
    adherents, child, suspended = make_registry(
        org_tree.mutual, [org_tree.section_a, org_tree.section_b]
    )
    Statutes.objects.create(organisation=org_tree.mutual)  # the defaults: ½ quorum, 1 proxy
    board = services.position_create(
        actor=root_user,
        organisation=org_tree.mutual,
        body=Body.BOARD,
        title="Administrateur",
        seats=2,
    )
    president = services.position_create(
        actor=root_user, organisation=org_tree.mutual, body=Body.BUREAU, title="Président"
    )
    return Registry(adherents, child, suspended, board, president)


@pytest.fixture
def assembly(registry, org_tree, manager):
    """An ordinary GA on 13 June 2026, convened on 25 May, electorate frozen."""
    ga = services.assembly_create(
        actor=manager,
        organisation=org_tree.mutual,
        title="AG ordinaire 2026",
        held_on=GA_DAY,
        place="Salle des fêtes de Thiès",
        agenda="Rapport moral\nApprobation des comptes 2025\nÉlection du conseil",
        cutoff_on=CUTOFF,
    )
    services.assembly_convene(actor=manager, assembly=ga, sent_on=date(2026, 5, 25))
    services.electorate_freeze(actor=manager, assembly=ga)
    return ga


@pytest.fixture
def clerk_c(org_tree, make_user):
    return make_user("clerk_c", Role.CLERK, org_tree.section_c)


@pytest.fixture
def board_c(org_tree, make_user):
    return make_user("board_c", Role.BOARD, org_tree.other_mutual)
