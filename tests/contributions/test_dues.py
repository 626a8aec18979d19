"""Dues generation: chunks, reruns, and beneficiaries added after the dues (issue #5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from mutualis.contributions import dues as dues_module
from mutualis.contributions import services
from mutualis.contributions.dues import dues_generate
from mutualis.contributions.models import Due, DueKind, ScheduleKind
from mutualis.members.models import Membership, MembershipStatus, Person, Relationship

D = Decimal


def add_member(hh, *, joined_on: date, category: str = "informal", name: str = "Awa") -> Membership:
    """A beneficiary joining `hh` now (after its dues were generated)."""
    n = Membership.objects.filter(household=hh).count()
    person = Person.objects.create(
        mutual=hh.mutual, first_name=name, last_name="Ndiaye", sex="F", birth_year=2026
    )
    return Membership.objects.create(
        person=person,
        household=hh,
        mutual=hh.mutual,
        section=hh.section,
        number=f"{hh.number}N{n}",
        relationship=Relationship.CHILD,
        category=category,
        status=MembershipStatus.ACTIVE,
        joined_on=joined_on,
    )


def contributions(hh, **filters) -> list[Due]:
    return list(
        Due.objects.filter(household=hh, kind=DueKind.CONTRIBUTION, **filters).order_by("id")
    )


@pytest.fixture
def by_month(org_tree, manager):
    """Per beneficiary, 3,600 a year, at most 18,000 per household, pro rata by month."""
    return services.schedule_save(
        actor=manager,
        mutual=org_tree.mutual,
        data={
            "name": "CMU 2026",
            "kind": ScheduleKind.PER_BENEFICIARY_CAPPED,
            "period": "yearly",
            "amount": D(3600),
            "household_cap": D(18000),
            "pro_rata": "by_month",
        },
    )


def test_a_beneficiary_added_after_generation_is_billed_once_by_the_next_run(
    schedule, make_household, manager, org_tree
):
    hh = make_household(size=2)
    first = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    baby = add_member(hh, joined_on=date(2026, 3, 15))

    second = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    third = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    assert (first.created, second.created, third.created) == (3, 1, 0)
    assert (second.added, third.added) == (1, 0)
    household_due, added_due = contributions(hh)
    assert household_due.amount == D(7000) and household_due.beneficiary_id is None
    # The schedule bills whole periods (no pro rata): 3,500 for the baby.
    assert added_due.amount == D(3500)
    assert added_due.beneficiary_id == baby.pk
    assert added_due.payer_id is None
    assert baby.number in added_due.note and "Awa Ndiaye" in added_due.note
    assert (added_due.period_start, added_due.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert added_due.due_date >= date(2026, 3, 15)
    # No second registration or GA fee for the household.
    assert Due.objects.filter(household=hh).exclude(kind=DueKind.CONTRIBUTION).count() == 2


def test_an_added_beneficiary_pays_pro_rata_by_month_when_the_schedule_says_so(
    by_month, make_household, manager, org_tree
):
    hh = make_household(size=1, joined_on=date(2025, 6, 1))
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    add_member(hh, joined_on=date(2026, 3, 15))

    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    household_due, added_due = contributions(hh)
    assert household_due.amount == D(3600)
    # March to December: 10 months of 12.
    assert added_due.amount == D(3000)
    assert "15/03/2026" in added_due.note


def test_the_household_cap_holds_for_added_beneficiaries(
    by_month, make_household, manager, org_tree
):
    hh = make_household(size=4, joined_on=date(2025, 6, 1))  # 14,400 of the 18,000 cap
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    one = add_member(hh, joined_on=date(2026, 1, 10), name="Awa")
    two = add_member(hh, joined_on=date(2026, 1, 20), name="Fatou")

    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    again = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    assert again.created == 0
    total = sum(d.amount for d in contributions(hh))
    assert total == D(18000)
    added = {d.beneficiary_id: d for d in contributions(hh, beneficiary__isnull=False)}
    # 3,600 left under the cap, shared between the two in proportion to their lines.
    assert {pk: d.amount for pk, d in added.items()} == {one.pk: D(1800), two.pk: D(1800)}
    assert all("plafond" in d.note for d in added.values())

    # Once the cap is reached, a third newcomer adds nothing.
    add_member(hh, joined_on=date(2026, 6, 1), name="Binta")
    later = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    assert later.created == 0
    assert sum(d.amount for d in contributions(hh)) == D(18000)


def test_a_subsidy_pays_its_share_of_an_added_beneficiary(
    schedule, state, make_household, manager, org_tree
):
    services.subsidy_add(
        actor=manager, schedule=schedule, payer=state, share=D(1), category="indigent"
    )
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    poor = add_member(hh, joined_on=date(2026, 2, 1), category="indigent")

    result = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    assert result.created == 1
    (added,) = contributions(hh, beneficiary=poor)
    assert (added.payer_id, added.amount) == (state.pk, D(3500))


def test_people_present_at_generation_are_not_billed_again(
    by_month, make_household, manager, org_tree
):
    hh = make_household(size=1, joined_on=date(2025, 6, 1))
    add_member(hh, joined_on=date(2026, 7, 1))  # registered before the run: billed by it

    first = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    second = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    assert (first.created, second.created, second.added) == (1, 0, 0)
    assert [d.amount for d in contributions(hh)] == [D(5400)]  # 3,600 + 6/12 of it


def test_generation_goes_in_chunks_and_a_rerun_finishes_an_interrupted_run(
    schedule, make_household, manager, org_tree, monkeypatch
):
    households = [make_household(size=1) for _ in range(5)]
    write = dues_module._write_chunk
    calls = {"n": 0}

    def fail_on_the_third_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return write(*args, **kwargs)

    monkeypatch.setattr(dues_module, "_write_chunk", fail_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        dues_generate(actor=manager, mutual=org_tree.mutual, period="2026", chunk=2)
    assert Due.objects.values("household").distinct().count() == 4  # two whole chunks

    monkeypatch.setattr(dues_module, "_write_chunk", write)
    seen = []
    result = dues_generate(
        actor=manager,
        mutual=org_tree.mutual,
        period="2026",
        chunk=2,
        on_progress=lambda done, total: seen.append((done, total)),
    )

    assert (result.created, result.skipped, result.households) == (3, 4, 1)
    assert seen == [(5, 5)]
    for hh in households:
        assert Due.objects.filter(household=hh).count() == 3


def test_the_database_refuses_the_same_due_twice(schedule, make_household, manager, org_tree):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    due = Due.objects.get(household=hh, kind=DueKind.CONTRIBUTION)
    due.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        due.save()


def test_the_command_prints_progress_and_the_added_beneficiaries(schedule, make_household):
    hh = make_household(size=1)
    out = StringIO()
    call_command("generate-dues", "--period", "2026", "--mutual", "MAF", stdout=out)
    add_member(hh, joined_on=date(2026, 5, 2))

    call_command("generate-dues", "--period", "2026", "--mutual", "MAF", stdout=out)

    text = out.getvalue()
    assert "MAF: 1 / 1 households" in text
    assert "MAF: 3 dues created, 0 households already done, 0 added" in text
    assert "MAF: 1 dues created, 1 households already done, 1 added beneficiaries billed" in text


def test_the_household_page_explains_the_due_of_an_added_beneficiary(
    schedule, make_household, manager, clerk_a, clerk_b, org_tree, login
):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    baby = add_member(hh, joined_on=date(2026, 4, 1))
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    page = login(clerk_a).get(f"/contributions/households/{hh.pk}/").content.decode()

    assert f"Bénéficiaire {baby.number} (Awa Ndiaye) ajouté après la génération" in page
    assert "couvert à partir du 01/04/2026" in page
    assert login(clerk_b).get(f"/contributions/households/{hh.pk}/").status_code == 404


def test_households_with_nobody_to_bill_do_not_stop_the_run(
    schedule, make_household, manager, org_tree
):
    gone = [make_household(size=1) for _ in range(3)]
    Membership.objects.filter(household__in=gone).update(status=MembershipStatus.RESIGNED)
    billed = make_household(size=1)

    result = dues_generate(actor=manager, mutual=org_tree.mutual, period="2026", chunk=2)

    assert (result.created, result.households) == (3, 1)
    assert Due.objects.filter(household=billed).count() == 3
