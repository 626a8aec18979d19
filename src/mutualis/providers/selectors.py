"""Reads of the providers app, scoped to the asking user.

A provider is registered by a mutual, a union or a federation; staff see the
providers registered in their subtree or above it (a union's hospital serves
its mutuals). A health-facility agent sees only the own provider.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import FilteredRelation, Q, QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.models import Organisation
from mutualis.core.roles import Perm
from mutualis.core.scope import grants, in_scope, provider_ids, scope_paths
from mutualis.engine import benefits as eb
from mutualis.engine.money import currency

from .models import Agreement, FlatBasis, Provider


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
    """The providers' agreements as the engine's `Agreement`s, in one query.

    With `codes`, only the tariffs of those items are loaded (one claim's lines):
    each agreement comes with its matching tariffs (LEFT JOIN), so a claim reads
    its whole price context in one round trip, always fresh.
    """
    provider_ids = list(provider_ids)
    if not provider_ids:
        return ()
    qs, t = Agreement.objects.filter(provider_id__in=provider_ids), "tariffs"
    if codes is not None:
        t = "claimed_tariffs"
        qs = qs.annotate(
            claimed_tariffs=FilteredRelation(
                "tariffs", condition=Q(tariffs__item_code__in=list(codes))
            )
        )
    rows = qs.values_list(
        "pk",
        "provider_id",
        "valid_from",
        "valid_to",
        "reference_prices",
        "third_party_payment",
        "submission_deadline_days",
        "provider__organisation__currency",
        f"{t}__item_code",
        f"{t}__price",
        f"{t}__flat_rate",
        f"{t}__flat_basis",
    ).order_by("pk")
    heads: dict[int, tuple] = {}
    prices: dict[int, dict] = {}
    flats: dict[int, dict] = {}
    for aid, pid, start, end, ref, tpp, deadline, cur, code, price, flat, basis in rows:
        if aid not in heads:
            heads[aid] = (pid, start, end, ref, tpp, deadline)
            prices[aid], flats[aid] = {}, {}
        if code is None:
            continue
        money = currency(cur)
        if flat is not None:
            flats[aid][code] = eb.FlatRate(
                money.quantize(Decimal(flat)), eb.FlatBasis(basis or FlatBasis.VISIT)
            )
        else:
            prices[aid][code] = money.quantize(Decimal(price))
    return tuple(
        eb.Agreement(
            provider_id=str(pid),
            valid_from=start,
            valid_to=end,
            tariffs=prices[aid],
            flat_rates=flats[aid],
            reference_prices=ref,
            third_party_payment=tpp,
            submission_deadline_days=deadline,
        )
        for aid, (pid, start, end, ref, tpp, deadline) in heads.items()
    )


def provider_mutual(provider: Provider) -> Organisation:
    """The mutual a provider's claims belong to (its registering organisation)."""
    return provider.organisation
