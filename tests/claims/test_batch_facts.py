"""The batch's member facts, loaded once per chunk, are the ones the selectors give at
each date: status changes, a household falling into arrears, one without dues."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from mutualis.benefits.selectors import member_facts_bulk
from mutualis.claims.batch_facts import ChunkFacts

pytestmark = pytest.mark.django_db


def _dues(world, org_tree) -> None:
    """Awa's household: the first quarter paid late (20 February), the second never."""
    from mutualis.contributions.models import Allocation, Due, Payment, Schedule

    mutual, hh = org_tree.mutual, world.awa.household
    schedule = Schedule.objects.create(
        mutual=mutual, name="Cotisation", kind="flat_per_household", currency="XOF"
    )
    first, second = (
        Due.objects.create(
            mutual=mutual, section=org_tree.section_a, household=hh, schedule=schedule,
            kind="contribution", period_start=start, period_end=end, due_date=due,
            amount=Decimal(3000), currency="XOF",
        )
        for start, end, due in [
            (date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 15)),
            (date(2026, 4, 1), date(2026, 6, 30), date(2026, 4, 15)),
        ]
    )  # fmt: skip
    payment = Payment.objects.create(
        mutual=mutual, household=hh, method="cash", amount=Decimal(3000), currency="XOF",
        value_date=date(2026, 2, 20),
    )  # fmt: skip
    Allocation.objects.create(
        payment=payment, due=first, amount=Decimal(3000), value_date=date(2026, 2, 20)
    )
    assert second.pk


def test_chunk_facts_match_the_selectors_at_every_date(world, org_tree):
    from mutualis.members.models import Membership, MembershipStatusChange

    _dues(world, org_tree)
    MembershipStatusChange.objects.create(
        membership=world.moussa, status="suspended", effective_on=date(2026, 5, 1)
    )
    members = list(Membership.objects.select_related("person", "household"))
    days = [date(2025, 12, 20) + timedelta(days=9 * i) for i in range(45)]

    chunk = ChunkFacts([m.pk for m in members])

    for on in days:
        expected = member_facts_bulk(members, on)
        for m in members:
            assert chunk.get((m.pk, on)) == expected[m.pk], (m.pk, on)
    assert chunk.get((-1, days[0])) is None
    dues = {chunk.get((world.awa.pk, on)).dues for on in days}
    assert len(dues) > 1  # paid, then in grace or arrears: the dates matter
