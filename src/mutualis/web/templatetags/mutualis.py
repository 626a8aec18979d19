"""Template helpers available in every template (settings: builtins)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from mutualis.engine.money import UnknownCurrency, currency

register = template.Library()


@register.filter
def money(amount, code: str = "XOF") -> str:
    """12500 → "12 500 XOF" (fr) / "12,500 XOF" (en); no decimals for XOF."""
    if amount is None or amount == "":
        return ""
    try:
        cur = currency(code)
    except UnknownCurrency:
        return str(amount)
    value = cur.quantize(amount if isinstance(amount, Decimal) else Decimal(str(amount)))
    shown = number_format(value, cur.minor_unit, use_l10n=True, force_grouping=True)
    return f"{shown}\u00a0{cur.code}"


@register.simple_tag(takes_context=True)
def can(context, perm: str, on=None) -> bool:
    from mutualis.core.scope import has_perm

    user = context.get("user")
    return bool(user and user.is_authenticated and has_perm(user, perm, on=on))


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()
