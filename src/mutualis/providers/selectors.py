"""Reads of the providers app, scoped to the asking user.

A provider is registered by a mutual, a union or a federation; staff see the
providers registered in their subtree or above it (a union's hospital serves
its mutuals). A health-facility agent sees only the own provider.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from mutualis.core import rows
from mutualis.core.errors import NotFound
from mutualis.core.models import Organisation
from mutualis.core.roles import Perm
from mutualis.core.scope import grants, in_scope, provider_ids, scope_paths
from mutualis.engine import benefits as eb
from mutualis.engine.money import currency

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
    if isinstance(provider_id, int) and provider_id in provider_ids(user):
        # A facility agent's own provider (every claim it posts): one plain SELECT.
        provider = rows.get(Provider, "id", provider_id)
        if provider is not None:
            return provider
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


# Agreements of providers with their tariffs (only those of `codes` when given).
_AGREEMENTS_SQL = (
    "SELECT a.id, a.provider_id, a.valid_from, a.valid_to, a.reference_prices,"
    " a.third_party_payment, a.submission_deadline_days, o.currency, t.item_code,"
    " CAST(t.price AS TEXT), CAST(t.flat_rate AS TEXT), t.flat_basis"
    " FROM {agreement} a JOIN {provider} p ON p.id = a.provider_id"
    " JOIN {org} o ON o.id = p.organisation_id"
    " LEFT JOIN {tariff} t ON t.agreement_id = a.id{codes}"
    " WHERE a.provider_id IN ({providers}) ORDER BY a.id"
)


def agreement_facts(provider_ids: list[int], codes=None) -> tuple[eb.Agreement, ...]:
    """The providers' agreements as the engine's `Agreement`s, in one query.

    With `codes`, only the tariffs of those items are loaded (one claim's lines):
    each agreement comes with its matching tariffs (LEFT JOIN), so a claim reads
    its whole price context in one round trip, always fresh.
    """
    from django.db import connection

    provider_ids = list(provider_ids)
    if not provider_ids:
        return ()
    codes = None if codes is None else sorted(set(codes))
    only = ""
    if codes is not None:
        only = f" AND t.item_code IN ({', '.join(['%s'] * len(codes))})" if codes else " AND 1 = 0"
    sql = _AGREEMENTS_SQL.format(
        agreement=Agreement._meta.db_table,
        provider=Provider._meta.db_table,
        org=Organisation._meta.db_table,
        tariff=NegotiatedTariff._meta.db_table,
        providers=", ".join(["%s"] * len(provider_ids)),
        codes=only,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(codes or []), *provider_ids])
        rows = cursor.fetchall()
    heads: dict[int, tuple] = {}
    prices: dict[int, dict] = {}
    flats: dict[int, dict] = {}
    for aid, pid, start, end, ref, tpp, deadline, cur, code, price, flat, basis in rows:
        if aid not in heads:
            heads[aid] = (pid, _day(start), end and _day(end), bool(ref), bool(tpp), deadline)
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


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def provider_mutual(provider: Provider) -> Organisation:
    """The mutual a provider's claims belong to (its registering organisation)."""
    return provider.organisation
