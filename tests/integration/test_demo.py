"""The whole demo that `make run` loads: every app's part, together, in one go."""

import pytest

from mutualis.core import demo

pytestmark = pytest.mark.django_db


def test_the_demo_mutual_loads_with_every_apps_data():
    from mutualis.claims.models import Claim
    from mutualis.contributions.models import Due, Payment
    from mutualis.governance.models import Assembly
    from mutualis.members.models import Household

    ctx = demo.load(households=120)

    assert demo.is_loaded()
    assert Household.objects.filter(mutual=ctx.mutual).count() >= 100
    assert Due.objects.exists() and Payment.objects.exists()
    assert Claim.objects.exists()
    assert Assembly.objects.exists()
    assert {u for u in demo.DEMO_USERS} <= set(ctx.users) | {"adherent"}
