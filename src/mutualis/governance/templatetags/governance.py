"""Template helpers of the governance pages."""

from __future__ import annotations

from fractions import Fraction

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value) -> str:
    """Fraction(13, 20) → "65.0 %" (decimal comma in French); None → "—"."""
    if value is None:
        return "—"
    shown = number_format(round(float(Fraction(value)) * 100, 1), 1, use_l10n=True)
    return f"{shown}\u00a0%"


@register.filter
def days(value) -> str:
    if value is None:
        return "—"
    return number_format(round(float(Fraction(value)), 1), 1, use_l10n=True)
