"""Demo agreements: the health centre and the regional hospital, both in third-party
payment from 2026-01-01, with negotiated tariffs for the demo catalogue (at the
catalogue's reference price; the hospital has every item, the health centre the
first-level ones). Skips the tariffs if the benefits demo made no catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .models import Agreement, NegotiatedTariff

HOSPITAL_ONLY = {"CONS-MG", "CONS-SPE", "ACC-CESAR", "CHIR-HERN", "HOSP-JOUR"}


def load(ctx) -> None:
    providers = ctx.extra.get("providers") or []
    try:
        from mutualis.benefits.models import CatalogueItem

        items = list(
            CatalogueItem.objects.filter(mutual=ctx.mutual, is_active=True).values_list(
                "code", "reference_price"
            )
        )
    except ImportError:  # pragma: no cover - without the benefits app
        items = []
    for n, provider in enumerate(providers):
        agreement = Agreement.objects.create(
            provider=provider,
            reference=f"CONV-{provider.code}-2026",
            valid_from=date(2026, 1, 1),
            payment_terms_days=30,
            third_party_payment=True,
            note="Convention de tiers payant signée avec la mutuelle.",
        )
        hospital = provider.level > 1 or n > 0
        NegotiatedTariff.objects.bulk_create(
            [
                NegotiatedTariff(agreement=agreement, item_code=code, price=Decimal(price))
                for code, price in items
                if hospital or code not in HOSPITAL_ONLY
            ]
        )
