"""Prior authorisation API: a provider asks (`POST /prior-authorisations`), then reads
the answer and its reference number (`GET /prior-authorisations/{id}`)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from ninja import Schema, Status

from mutualis.core.errors import ValidationFailed
from mutualis.core.scope import provider_ids
from mutualis.providers.selectors import provider_get

from . import authorisations
from .api import router


class AuthorisationIn(Schema):
    card_number: str
    items: list[str]
    planned_on: date
    justification: str
    provider_id: int | None = None


class AuthorisationOut(Schema):
    id: int
    status: str
    status_label: str
    reference: str
    provider_id: int
    card_number: str
    items: list[str]
    planned_on: date
    requested_on: date
    due_on: date
    valid_until: date | None
    answer: str


def authorisation_out(pa) -> dict:
    return {
        "id": pa.pk,
        "status": pa.status,
        "status_label": str(pa.get_status_display()),
        "reference": pa.reference,
        "provider_id": pa.provider_id,
        "card_number": pa.membership.number,
        "items": pa.items,
        "planned_on": pa.planned_on,
        "requested_on": pa.requested_on,
        "due_on": pa.due_on,
        "valid_until": pa.valid_until,
        "answer": pa.answer,
    }


@router.post(
    "/prior-authorisations",
    response={201: AuthorisationOut},
    summary="Ask the mutual for a prior authorisation",
)
def request_authorisation(request, payload: AuthorisationIn):
    user = request.auth
    provider_id = payload.provider_id
    if provider_id is None:
        mine = sorted(provider_ids(user))
        if len(mine) != 1:
            raise ValidationFailed(fields={"provider_id": _("Say which provider asks.")})
        provider_id = mine[0]
    pa = authorisations.authorisation_request(
        actor=user,
        provider=provider_get(user=user, provider_id=provider_id),
        card_number=payload.card_number,
        items=payload.items,
        planned_on=payload.planned_on,
        justification=payload.justification,
    )
    return Status(201, authorisation_out(pa))


@router.get("/prior-authorisations/{authorisation_id}", response=AuthorisationOut)
def get_authorisation(request, authorisation_id: int):
    return authorisation_out(
        authorisations.authorisation_get(user=request.auth, authorisation_id=authorisation_id)
    )
