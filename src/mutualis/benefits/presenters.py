"""An eligibility answer as plain data for the API and the pages (reasons translated)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm

from .reasons import json_params, reason_message


def photo_url(membership, user) -> str | None:
    """The photo's address, for those allowed to check eligibility or see members."""
    person = membership.person
    if not person.photo:
        return None
    if not (
        has_perm(user, Perm.ELIGIBILITY_CHECK, on=membership.section)
        or has_perm(user, Perm.MEMBER_VIEW, on=membership.section)
    ):
        return None
    try:
        return reverse("members:photo", args=[membership.pk])
    except NoReverseMatch:
        try:
            return person.photo.url
        except ValueError:
            return None


def _window(w) -> str:
    return f"{w.days}_days" if w.days is not None else w.kind.value


def left_label(left, cur: str) -> str:
    """One remaining limit in words, e.g. "Ceiling: 300 000 XOF of 300 000 XOF left per
    beneficiary per calendar year"."""
    from django.utils.translation import gettext as _

    from mutualis.web.templatetags.mutualis import money

    from .models import LimitScope

    kinds = {
        "ceiling": _("Ceiling"),
        "deductible": _("Deductible"),
        "frequency": _("Frequency"),
        "count_limit": _("Count limit"),
    }
    scope = str(LimitScope(left.scope.value).label)
    w = left.window
    if left.scope.value in ("act", "visit", "episode"):
        window = ""
    elif w.days is not None:
        window = _("per {days} days").format(days=w.days)
    elif w.kind.value == "cover_period":
        window = _("per cover period")
    else:
        window = _("per calendar year")
    if left.kind in ("ceiling", "deductible"):
        amounts = _("{left} of {limit} left").format(
            left=money(left.remaining, cur), limit=money(left.limit, cur)
        )
    else:
        amounts = _("{left} of {limit} left").format(
            left=int(left.remaining), limit=int(left.limit)
        )
    head = _("{kind}: {amounts}").format(kind=kinds.get(left.kind, left.kind), amounts=amounts)
    return " ".join(p for p in (head, scope, window) if p)


def answer_dict(answer, *, user) -> dict:
    d = answer.decision
    m = answer.membership
    cur = answer.currency
    coverage = None
    if d.coverage is not None:
        c = d.coverage
        coverage = {
            "rate": str(c.rate) if c.rate is not None else None,
            "member_rate": str(Decimal(1) - c.rate) if c.rate is not None else None,
            "fixed_copay": str(c.fixed_copay) if c.fixed_copay is not None else None,
            "currency": cur,
        }
    return {
        "eligible": d.eligible,
        "on": answer.on,
        "reasons": [
            {
                "code": r.code.value,
                "message": reason_message(r, cur),
                "params": json_params(r.params),
            }
            for r in d.reasons
        ],
        "package": answer.packages.get(d.package_id) if d.package_id else None,
        "coverage": coverage,
        "remaining": [
            {
                "kind": left.kind,
                "level": left.level,
                "scope": left.scope.value,
                "window": _window(left.window),
                "limit": str(left.limit),
                "used": str(left.used),
                "remaining": str(left.remaining),
                "care_type": left.care_type.value,
                "unit": left.unit.value if left.unit is not None else None,
                "label": left_label(left, cur),
            }
            for left in d.remaining
        ],
        "beneficiary": {
            "number": m.number,
            "name": str(m.person),
            "sex": m.person.sex,
            "household_number": m.household.number,
            "category": m.category,
            "photo_url": photo_url(m, user),
        },
        "item": answer.item.code if answer.item is not None else None,
    }
