"""Reads of the providers app, scoped to the asking user.

A provider is registered by a mutual, a union or a federation; staff see the
providers registered in their subtree or above it (a union's hospital serves
its mutuals). A health-facility agent sees only the own provider.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.models import Organisation
from mutualis.core.roles import Perm
from mutualis.core.scope import grants, in_scope, provider_ids, scope_paths
from mutualis.engine import benefits as eb

from .models import Agreement, FlatBasis, NegotiatedTariff, Provider


def _visible_q(user, perm: Perm | None = None) -> Q:
    if getattr(user, "is_superuser", False):
        return Q()
    q = Q(pk__in=list(provider_ids(user)))
    paths = scope_paths(user, perm)
    if paths:
        q |= in_scope(user, "organisation", perm)
        ancestors = {int(p) for path in paths for p in path.strip("/").split("/") if p}
        q |= Q(organisation_id__in=ancestors)
    return q


def provider_list(*, user, perm: Perm | None = None) -> QuerySet[Provider]:
    if not grants(user) and not getattr(user, "is_superuser", False):
        return Provider.objects.none()
    return Provider.objects.filter(_visible_q(user, perm)).select_related("organisation")


def provider_get(*, user, provider_id, perm: Perm | None = None) -> Provider:
    try:
        return provider_list(user=user, perm=perm).get(pk=provider_id)
    except (Provider.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def agreement_get(*, user, agreement_id) -> Agreement:
    try:
        return Agreement.objects.select_related("provider__organisation").get(
            pk=agreement_id, provider__in=provider_list(user=user)
        )
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def agreement_in_force(*, provider: Provider, on: date) -> Agreement | None:
    return (
        provider.agreements.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def agreement_facts(provider_ids: list[int], codes=None) -> tuple[eb.Agreement, ...]:
    """The providers' agreements as the engine's `Agreement`s (two queries).

    With `codes`, only the tariffs of those items are loaded (one claim's lines).
    """
    agreements = list(
        Agreement.objects.filter(provider_id__in=provider_ids).select_related(
            "provider__organisation"
        )
    )
    if not agreements:
        return ()
    tariffs = NegotiatedTariff.objects.filter(agreement__in=[a.pk for a in agreements])
    if codes is not None:
        tariffs = tariffs.filter(item_code__in=list(codes))
    money = {a.pk: a.provider.organisation.money for a in agreements}
    prices: dict[int, dict] = {a.pk: {} for a in agreements}
    flats: dict[int, dict] = {a.pk: {} for a in agreements}
    for aid, code, price, flat, basis in tariffs.values_list(
        "agreement_id", "item_code", "price", "flat_rate", "flat_basis"
    ):
        if flat is not None:
            flats[aid][code] = eb.FlatRate(
                money[aid].quantize(Decimal(flat)), eb.FlatBasis(basis or FlatBasis.VISIT)
            )
        else:
            prices[aid][code] = money[aid].quantize(Decimal(price))
    return tuple(
        eb.Agreement(
            provider_id=str(a.provider_id),
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            tariffs=prices[a.pk],
            flat_rates=flats[a.pk],
            reference_prices=a.reference_prices,
            third_party_payment=a.third_party_payment,
        )
        for a in agreements
    )


def provider_mutual(provider: Provider) -> Organisation:
    """The mutual a provider's claims belong to (its registering organisation)."""
    return provider.organisation
