"""Two claims of one household decided at the same time cannot both spend the same
remaining ceiling: the household's counter row is locked while a claim is decided."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections

from mutualis.claims.models import Claim
from mutualis.claims.services import claim_submit

from .conftest import claim_input

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_claims_of_one_household_share_the_ceiling_once(world, provider, provider_agent):
    barrier = threading.Barrier(2)
    errors = []

    def submit(start, member):
        try:
            barrier.wait(timeout=10)
            claim_submit(
                actor=provider_agent,
                provider=provider,
                data=claim_input(card=member, lines=[("AMOX", 7, 1500)], start=start),
                today=date(2026, 3, 16),
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(date(2026, 3, 2), "1000017")),
        threading.Thread(target=submit, args=(date(2026, 3, 3), "1000017")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    shares = sorted(Claim.objects.values_list("mutual_share", flat=True))
    assert shares == [Decimal(1600), Decimal(8400)]  # 10 000 ceiling, spent once
