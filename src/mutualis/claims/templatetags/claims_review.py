"""Review panels shown on pages of other apps: the provider's feedback counts, and a
claim's appeal outcomes and review link on the claim page."""

from __future__ import annotations

from django import template

from mutualis.core.roles import Perm
from mutualis.core.scope import has_perm

register = template.Library()


@register.inclusion_tag("claims/_provider_feedback.html")
def provider_feedback(provider):
    from mutualis.claims.feedback import provider_feedback as stats

    return {"stats": stats(provider)}


@register.inclusion_tag("claims/_review_panel.html", takes_context=True)
def review_panel(context, claim):
    from mutualis.claims.models import AppealStatus, LineAppeal
    from mutualis.claims.reasons import REVIEW_REASONS

    user = context["request"].user
    appeals = []
    for appeal in LineAppeal.objects.filter(line__claim=claim).select_related("line"):
        review = appeal.reviews.order_by("-pk").first() if appeal.status != "open" else None
        appeals.append(
            {
                "appeal": appeal,
                "upheld": appeal.status == AppealStatus.UPHELD,
                "why": REVIEW_REASONS.get(review.reason, "") if review else "",
            }
        )
    return {
        "claim": claim,
        "appeals": appeals,
        "can_review": claim.status == "under_review"
        and has_perm(user, Perm.CLAIM_REVIEW, on=claim.section),
    }
