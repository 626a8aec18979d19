"""The demo part runs after the members demo and leaves a realistic mix."""

from types import SimpleNamespace

import pytest

from mutualis.contributions import demo
from mutualis.contributions.models import Due, MobileMoneyLine, Payment
from mutualis.members.models import Membership

pytestmark = pytest.mark.django_db


def test_the_demo_bills_2026_and_most_households_paid(
    org_tree, manager, clerk_a, package, make_household
):
    households = [make_household(size=1 + i % 4, phone=f"+22177000{i:04d}") for i in range(40)]
    ctx = SimpleNamespace(
        mutual=org_tree.mutual,
        users={"gerant": manager, "guichet1": clerk_a},
        sections=[org_tree.section_a, org_tree.section_b],
        seed=2026,
        extra={},
    )

    demo.load(ctx)

    assert Due.objects.filter(household__in=households, payer__isnull=True).count() >= 40 * 3
    assert Payment.objects.filter(method="mobile_money").count() >= 20
    assert MobileMoneyLine.objects.filter(status="unmatched").count() == 8
    assert Membership.objects.filter(status="active").exists()
    assert Payment.objects.filter(method="collector", receipt_number__startswith="RB-").exists()
