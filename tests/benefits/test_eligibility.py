"""Eligibility through the service: the engine's answer on stored packages and members."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.benefits import services
from mutualis.core.errors import DomainError
from tests.benefits.conftest import ON

pytestmark = pytest.mark.django_db


def check(user, membership, on=ON, **kw):
    return services.eligibility_check(actor=user, number=membership.number, on=on, **kw)


def codes(answer):
    return [r.code.value for r in answer.decision.reasons]


def test_an_active_member_with_cover_is_eligible_with_the_package_ceiling_left(world, clerk_a):
    answer = check(clerk_a, world.head)

    assert answer.decision.eligible
    assert [(x.kind, x.remaining) for x in answer.decision.remaining] == [
        ("ceiling", Decimal(300000))
    ]


def test_a_consultation_is_covered_at_80_percent(world, clerk_a):
    answer = check(clerk_a, world.head, item_code="CONS")

    assert answer.decision.eligible
    assert answer.decision.coverage.rate == Decimal("0.8")


def test_an_indigent_is_exempt_from_the_co_payment(world, clerk_a):
    answer = check(clerk_a, world.indigent, item_code="CONS")

    assert answer.decision.coverage.rate == Decimal(1)


def test_a_suspended_member_is_refused_with_the_reason(world, clerk_a):
    answer = check(clerk_a, world.suspended)

    assert not answer.decision.eligible
    assert codes(answer) == ["not_covered"]
    assert answer.decision.reasons[0].params["membership"] == "suspended"


def test_the_suspension_is_read_at_the_date_asked(world, clerk_a):
    assert check(clerk_a, world.suspended, on=date(2026, 2, 1)).decision.eligible


def test_a_delivery_during_the_waiting_period_is_refused_until_its_end(world, clerk_a):
    answer = check(clerk_a, world.head, item_code="ACC")

    assert codes(answer) == ["waiting_period"]
    assert answer.decision.reasons[0].params["until"] == date(2026, 9, 27)


def test_a_delivery_for_a_man_is_clinically_inapplicable(world, clerk_a):
    answer = check(clerk_a, world.child, on=date(2026, 11, 1), item_code="ACC")

    assert codes(answer) == ["clinical_applicability"]


def test_hospitalisation_without_referral_lists_the_missing_referral(world, clerk_a):
    assert codes(check(clerk_a, world.head, item_code="HOSP")) == ["referral_missing"]
    assert check(clerk_a, world.head, item_code="HOSP", referral=True).decision.eligible


def test_an_excluded_category_is_not_in_the_package(world, clerk_a):
    assert codes(check(clerk_a, world.head, item_code="DENT")) == ["not_in_package"]


def test_an_unknown_item_is_named(world, clerk_a):
    assert codes(check(clerk_a, world.head, item_code="NOPE")) == ["unknown_item"]


def test_no_cover_before_the_coverage_period(world, clerk_a):
    answer = check(clerk_a, world.head, on=date(2025, 12, 15))

    assert codes(answer) == ["not_covered"]
    assert answer.decision.reasons[0].params["cover"] == "none"


def _dues(world, *, paid: Decimal, grace_days: int = 30):
    """A yearly contribution of 12 000 due on 1 April 2026, `paid` of it on 2 April."""
    from mutualis.contributions.models import Allocation, Due, Payment, Schedule

    household = world.head.household
    schedule = Schedule.objects.create(
        mutual=world.mutual, name="Cotisation", kind="flat_person", currency="XOF",
        amount=Decimal(12000), grace_days=grace_days,
    )  # fmt: skip
    due = Due.objects.create(
        mutual=world.mutual, section=household.section, household=household,
        schedule=schedule, kind="contribution", period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31), due_date=date(2026, 4, 1), amount=Decimal(12000),
        currency="XOF",
    )  # fmt: skip
    if paid:
        payment = Payment.objects.create(
            mutual=world.mutual, household=household, amount=paid, currency="XOF",
            method="cash", value_date=date(2026, 4, 2),
            reference="R-1",
        )  # fmt: skip
        Allocation.objects.create(
            payment=payment, due=due, amount=paid, value_date=date(2026, 4, 2)
        )
    return household


def test_arrears_from_contributions_give_the_date(world, clerk_a):
    _dues(world, paid=Decimal(0))

    answer = check(clerk_a, world.head)

    assert codes(answer) == ["not_covered"]
    assert answer.decision.reasons[0].params["arrears_since"] == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("paid", "on"),
    [(Decimal(0), date(2026, 4, 15)), (Decimal(0), ON), (Decimal(12000), ON), (Decimal(500), ON)],
)
def test_the_standing_read_with_the_cover_is_the_contributions_standing(world, paid, on):
    from mutualis.benefits.selectors import _member_facts
    from mutualis.contributions.selectors import household_standings

    household = _dues(world, paid=paid)
    expected = household_standings(household_ids=[household.pk], on=on)[household.pk]

    facts, _stamps = _member_facts([world.head], on)

    assert facts[world.head.pk].dues == services.selectors.dues_facts(expected, on)


def test_a_member_of_another_section_does_not_exist_for_a_clerk(world, clerk_b):
    with pytest.raises(DomainError) as exc:
        check(clerk_b, world.head)

    assert exc.value.status == 404


def test_a_board_member_may_not_check_eligibility(world, board_member):
    with pytest.raises(DomainError) as exc:
        check(board_member, world.head)

    assert exc.value.status == 403


def test_a_provider_agent_checks_members_of_the_mutual(world, provider_agent):
    assert check(provider_agent, world.head).decision.eligible


def test_a_mistyped_number_is_caught_by_its_check_digit(world, clerk_a):
    wrong = world.head.number[:-1] + str((int(world.head.number[-1]) + 1) % 10)

    with pytest.raises(DomainError) as exc:
        services.eligibility_check(actor=clerk_a, number=wrong, on=ON)

    assert exc.value.code == "number_mistyped"


def test_a_scanned_card_link_gives_the_number(world, clerk_a):
    scanned = f"https://mutuelle.example.org/benefits/eligibility/?number={world.head.number}"

    answer = services.eligibility_check(actor=clerk_a, number=scanned, on=ON)

    assert answer.membership.number == world.head.number
