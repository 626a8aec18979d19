"""Core endpoints: who am I, the organisation tree, a trivial ping for benchmarks."""

from __future__ import annotations

from ninja import Router, Schema

from . import selectors

router = Router(tags=["core"])


class GrantOut(Schema):
    role: str
    organisation_id: int
    provider_id: int | None = None


class MeOut(Schema):
    id: int
    username: str
    name: str
    language: str
    roles: list[GrantOut]


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None
    currency: str
    country: str
    time_zone: str


@router.get("/ping", response={200: dict}, summary="Trivial authenticated endpoint")
def ping(request):
    return {"ok": True}


@router.get("/me", response=MeOut)
def me(request):
    from .scope import grants

    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "language": user.language,
        "roles": [
            {"role": g.role, "organisation_id": g.organisation_id, "provider_id": g.provider_id}
            for g in grants(user)
        ],
    }


@router.get("/organisations", response=list[OrganisationOut])
def organisations(request, kind: str | None = None):
    return list(selectors.organisation_list(user=request.auth, kind=kind))


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def organisation(request, organisation_id: int):
    return selectors.organisation_get(user=request.auth, organisation_id=organisation_id)
