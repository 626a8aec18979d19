"""A package version in plain words (board members, members' PDF), in the active language."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from mutualis.members.models import MemberCategory
from mutualis.web.templatetags.mutualis import money

from .categories import category_label
from .models import CareType, LimitKind, LimitScope, Sex


def percent(rate: Decimal) -> str:
    value = (Decimal(rate) * 100).quantize(Decimal("0.1")).normalize()
    return f"{value:f}\u00a0%"


def coverage_text(rate, copay, cur: str) -> str:
    if rate is not None:
        if Decimal(rate) == 1:
            return _("Paid in full by the mutual")
        return _("Mutual pays {rate}, member pays {share}").format(
            rate=percent(rate), share=percent(1 - Decimal(rate))
        )
    if copay is not None:
        if Decimal(copay) == 0:
            return _("Paid in full by the mutual")
        return _("Member pays {amount} per visit").format(amount=money(copay, cur))
    return ""


def window_text(limit) -> str:
    if limit.scope in (LimitScope.ACT, LimitScope.VISIT, LimitScope.EPISODE):
        return ""
    if limit.window == "rolling_days":
        return _("per {days} days").format(days=limit.window_days)
    if limit.window == "cover_period":
        return _("per cover period")
    return _("per calendar year")


def limit_text(limit, cur: str) -> str:
    scope = str(LimitScope(limit.scope).label)
    window = window_text(limit)
    care = "" if limit.care_type == CareType.BOTH else f" ({CareType(limit.care_type).label})"
    if limit.kind == LimitKind.CEILING:
        text = _("Ceiling {amount} {scope}").format(amount=money(limit.amount, cur), scope=scope)
    elif limit.kind == LimitKind.FREQUENCY:
        text = _("At most {max} {scope}").format(max=limit.max_count, scope=scope)
    else:
        unit = _("visits") if limit.unit == "visits" else _("units")
        text = _("At most {max} {unit} {scope}").format(max=limit.max_count, unit=unit, scope=scope)
    return " ".join(p for p in (text, window) if p) + care


def applies_text(rule) -> str:
    parts = []
    if rule.applicable_sex:
        parts.append(str(Sex(rule.applicable_sex).label))
    if rule.min_age is not None and rule.max_age is not None:
        parts.append(_("aged {low} to {high}").format(low=rule.min_age, high=rule.max_age))
    elif rule.min_age is not None:
        parts.append(_("aged {low} or more").format(low=rule.min_age))
    elif rule.max_age is not None:
        parts.append(_("aged {high} or less").format(high=rule.max_age))
    return ", ".join(parts)


def rule_rows(rules, cur: str) -> list[dict]:
    """One row per rule, every field in words."""
    rows = []
    for r in rules:
        conditions = []
        if r.referral_required:
            conditions.append(_("referral required"))
        if r.authorisation_required:
            conditions.append(_("prior authorisation required"))
        if r.care_type != CareType.BOTH:
            conditions.append(str(CareType(r.care_type).label))
        applies = applies_text(r)
        if applies:
            conditions.append(_("only for {who}").format(who=applies))
        exceptions = [
            _("{category}: {cover}").format(
                category=MemberCategory(c.member_category).label
                if c.member_category in MemberCategory.values
                else c.member_category,
                cover=coverage_text(c.rate, c.fixed_copay, cur),
            )
            for c in r.category_coverages.all()
        ]
        rows.append(
            {
                "category": category_label(r.category.code, r.category.name),
                "item": r.item,
                "covered": r.covered,
                "coverage": coverage_text(r.rate, r.fixed_copay, cur) if r.covered else "",
                "exceptions": exceptions,
                "limits": [limit_text(lim, cur) for lim in r.limits.all()],
                "waiting_days": r.waiting_days,
                "conditions": conditions,
            }
        )
    return rows
