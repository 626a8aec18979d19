"""Reads of the claims app, scoped to the asking user (DOMAIN §7).

Staff see the claims of beneficiaries in their subtree (`Perm.CLAIM_VIEW`); a
health-facility agent sees the claims of the own provider; a member sees the
claims of the own household (explanations of benefits). Diagnoses are shown
only to those holding `Perm.DIAGNOSIS_VIEW` over the claim's section.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mutualis.core.errors import NotFound
from mutualis.core.roles import Perm, Role
from mutualis.core.scope import grants, has_perm, in_scope, provider_ids, scope_paths

from .models import Claim, ClaimBatch, ClaimLine


def _member_household_ids(user) -> list[int]:
    if not any(g.role == Role.MEMBER for g in grants(user)):
        return []
    from mutualis.members.models import Membership

    return list(
        Membership.objects.filter(person__user=user, left_on__isnull=True).values_list(
            "household_id", flat=True
        )
    )


def claim_scope_q(user) -> Q:
    if getattr(user, "is_superuser", False):
        return Q()
    q = Q(pk__in=[])
    if scope_paths(user, Perm.CLAIM_VIEW):
        q |= in_scope(user, "section", Perm.CLAIM_VIEW)
    agent_of = provider_ids(user)
    if agent_of:
        q |= Q(provider_id__in=agent_of)
    households = _member_household_ids(user)
    if households:
        q |= Q(household_id__in=households)
    return q


def claim_list(*, user) -> QuerySet[Claim]:
    return Claim.objects.filter(claim_scope_q(user)).select_related(
        "provider", "membership__person", "section"
    )


def claim_get(*, user, claim_id) -> Claim:
    try:
        return claim_list(user=user).get(pk=claim_id)
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def line_get(*, user, claim_id, position) -> ClaimLine:
    claim = claim_get(user=user, claim_id=claim_id)
    try:
        return claim.lines.select_related("claim").get(position=int(position))
    except (ClaimLine.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sees_diagnoses(user, claim: Claim) -> bool:
    return has_perm(user, Perm.DIAGNOSIS_VIEW, on=claim.section)


def is_member_reader(user, claim: Claim) -> bool:
    """Does the user read this claim only as a member of its household?"""
    return claim.household_id in _member_household_ids(user) and not has_perm(
        user, Perm.CLAIM_VIEW, on=claim.section
    )


def batch_list(*, user) -> QuerySet[ClaimBatch]:
    if not scope_paths(user, Perm.CLAIM_ADJUDICATE) and not getattr(user, "is_superuser", False):
        return ClaimBatch.objects.none()
    return ClaimBatch.objects.filter(
        in_scope(user, "mutual", Perm.CLAIM_ADJUDICATE)
    ).select_related("provider")


def batch_get(*, user, batch_id) -> ClaimBatch:
    try:
        return batch_list(user=user).get(pk=batch_id)
    except (ClaimBatch.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
