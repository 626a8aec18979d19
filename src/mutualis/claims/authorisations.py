"""Prior authorisation (FR: entente préalable), DOMAIN §7 `referral_missing`.

A provider's agent asks before a costly act (beneficiary by card number,
items, planned date, justification); the medical adviser approves or refuses
it within the mutual's deadline (`ReviewSettings.authorisation_days`). An
approved request gets a reference number, valid from the request until
`valid_until`. A claim quoting a reference is checked here, in the service
layer (`authorisation_reference`): it must exist, be approved, be for the same
beneficiary and provider and be valid on the date of care; otherwise the
engine is told there is no authorisation, and the lines that need one are
rejected with `referral_missing`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, NotFound, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import in_scope, provider_ids, require, scope_paths
from mutualis.core.services import audit_record, sequence_reserve

from . import facts
from .models import AuthorisationStatus, PriorAuthorisation
from .review import settings_for


class AlreadyAnswered(Conflict):
    code = "authorisation_answered"
    message = _("This request was already answered.")


def authorisation_reference(reference: str, *, membership_id, provider_id, on: date) -> str | None:
    """The reference if it authorises this beneficiary at this provider on `on`, else None."""
    reference = (reference or "").strip()
    if not reference:
        return None
    ok = PriorAuthorisation.objects.filter(
        reference=reference,
        status=AuthorisationStatus.APPROVED,
        membership_id=membership_id,
        provider_id=provider_id,
        requested_on__lte=on,
        valid_until__gte=on,
    ).exists()
    return reference if ok else None


@transaction.atomic
def authorisation_request(
    *,
    actor,
    provider,
    card_number: str,
    items: list[str],
    planned_on: date,
    justification: str,
    today: date | None = None,
) -> PriorAuthorisation:
    """A provider asks the mutual's leave to give these items to this beneficiary."""
    from .services import _check_actor, _find_membership, local_today

    membership, _items = _find_membership(card_number)
    _check_actor(actor, provider, membership)
    mutual = membership.mutual
    today = today or local_today(mutual)
    codes = sorted({c.strip().upper() for c in items if c.strip()})
    errors = {}
    known = facts.catalogue(mutual.pk, codes) if codes else {}
    unknown = [c for c in codes if c not in known]
    if not codes:
        errors["items"] = _("Name at least one item.")
    elif unknown:
        errors["items"] = str(_("Unknown item code {code}.")).format(code=", ".join(unknown))
    if planned_on < today:
        errors["planned_on"] = _("The planned date is in the past.")
    if not justification.strip():
        errors["justification"] = _("Say why the act is needed.")
    if errors:
        raise ValidationFailed(fields=errors)
    conf = settings_for(mutual)
    with acting_as(actor):
        pa = PriorAuthorisation.objects.create(
            mutual=mutual,
            section=membership.section,
            provider=provider,
            membership=membership,
            items=codes,
            planned_on=planned_on,
            justification=justification.strip(),
            requested_on=today,
            due_on=today + timedelta(days=conf.authorisation_days),
            requested_by=actor,
        )
    audit_record(
        actor=actor,
        action="authorisation.request",
        target=pa,
        organisation=membership.section,
        data={"items": codes, "planned_on": planned_on.isoformat()},
    )
    return pa


@transaction.atomic
def authorisation_decide(
    *,
    actor,
    authorisation: PriorAuthorisation,
    approve: bool,
    answer: str = "",
    valid_until: date | None = None,
) -> PriorAuthorisation:
    """The medical adviser approves (a reference number is given) or refuses a request."""
    require(actor, Perm.CLAIM_REVIEW, on=authorisation.section)
    pa = PriorAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if pa.status != AuthorisationStatus.REQUESTED:
        raise AlreadyAnswered()
    if not approve and not answer.strip():
        raise ValidationFailed(fields={"answer": _("Say why the request is refused.")})
    if approve:
        conf = settings_for(pa.mutual)
        valid_until = valid_until or pa.planned_on + timedelta(days=conf.authorisation_valid_days)
        if valid_until < pa.planned_on:
            raise ValidationFailed(
                fields={"valid_until": _("The authorisation must be valid on the planned date.")}
            )
        number = sequence_reserve(key=f"authorisation:{pa.mutual_id}")
        pa.reference = f"EP-{pa.mutual_id}-{number:06d}"
        pa.valid_until = valid_until
    pa.status = AuthorisationStatus.APPROVED if approve else AuthorisationStatus.REFUSED
    pa.answer = answer.strip()
    pa.decided_by, pa.decided_at = actor, timezone.now()
    with acting_as(actor):
        pa.save()
    audit_record(
        actor=actor,
        action="authorisation.approve" if approve else "authorisation.refuse",
        target=pa,
        organisation=pa.section,
        data={"reference": pa.reference},
    )
    return pa


# --- Reads ---------------------------------------------------------------------------


def authorisation_list(*, user) -> QuerySet[PriorAuthorisation]:
    """Staff: the requests of their subtree; an agent: the own provider's only."""
    qs = PriorAuthorisation.objects.select_related("provider", "membership__person")
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(provider_id__in=list(provider_ids(user)))
    if scope_paths(user, Perm.CLAIM_VIEW):
        q |= in_scope(user, "section", Perm.CLAIM_VIEW)
    return qs.filter(q)


def authorisation_get(*, user, authorisation_id) -> PriorAuthorisation:
    try:
        return authorisation_list(user=user).get(pk=authorisation_id)
    except (PriorAuthorisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
