"""Scope: what part of the organisation tree a user may see, and with which rights.

One way for every app (STYLE.md "Selectors and scope"):

    qs.filter(in_scope(user, "section"))              # rows of the user's subtrees
    require(user, Perm.MEMBER_EDIT, on=section)       # NotFound / Forbidden

Outside scope is NotFound (404), never a hint that the object exists; in
scope without the right is Forbidden (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from .errors import Forbidden, NotAuthenticated, NotFound
from .roles import ROLE_PERMS, Perm, Role


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    path: str
    provider_id: int | None


def grants(user) -> tuple[Grant, ...]:
    """The user's role assignments, loaded once per user object (per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_mutualis_grants", None)
    if cached is None:
        from .models import RoleAssignment

        rows = RoleAssignment.objects.filter(
            user_id=user.pk, organisation__is_active=True
        ).values_list("role", "organisation_id", "organisation__path", "provider_id")
        cached = tuple(Grant(*row) for row in rows)
        user._mutualis_grants = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_mutualis_grants"):
        del user._mutualis_grants


def _tree_grants(user, perm: Perm | None = None) -> list[Grant]:
    out = []
    for g in grants(user):
        if g.role in (Role.PROVIDER_AGENT, Role.MEMBER):
            continue
        if perm is None or perm in ROLE_PERMS[g.role]:
            out.append(g)
    return out


def _roots(paths: list[str]) -> list[str]:
    """Drop paths already inside another one."""
    paths = sorted(set(paths))
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def scope_paths(user, perm: Perm | None = None) -> list[str]:
    return _roots([g.path for g in _tree_grants(user, perm)])


def org_scope_q(user, perm: Perm | None = None, prefix: str = "") -> Q:
    """Q over Organisation rows (or a relation to them via `prefix`) in scope."""
    paths = scope_paths(user, perm)
    if getattr(user, "is_superuser", False) and perm is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def in_scope(user, field: str, perm: Perm | None = None) -> Q:
    """Q restricting a queryset to rows whose `field` (an Organisation FK) is in scope."""
    from .models import Organisation

    if getattr(user, "is_superuser", False) and perm is None:
        return Q()
    orgs = Organisation.objects.filter(org_scope_q(user, perm)).values("pk")
    return Q(**{f"{field}__in": orgs})


def in_scope_or_above(user, field: str, perm: Perm | None = None) -> Q:
    """Like `in_scope`, plus rows of the organisations above the user's subtrees.

    For what a whole mutual shares with its sections (its General Assemblies, their
    resolutions and elections): a section clerk reads the mutual's GA. Reading only:
    services still `require` the right on the row's organisation."""
    ancestors = set()
    for g in _tree_grants(user, perm):
        parts = [p for p in g.path.strip("/").split("/") if p]
        ancestors.update("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts)))
    q = in_scope(user, field, perm)
    if ancestors:
        q |= Q(**{f"{field}__path__in": sorted(ancestors)})
    return q


def provider_ids(user) -> set[int]:
    """Providers whose claims the user sees as a health-facility agent."""
    return {g.provider_id for g in grants(user) if g.role == Role.PROVIDER_AGENT and g.provider_id}


def has_perm(user, perm: Perm, on=None) -> bool:
    """Does any assignment grant `perm` (over `on`, an Organisation, if given)?"""
    if getattr(user, "is_superuser", False):
        return True
    for g in grants(user):
        if perm not in ROLE_PERMS[g.role]:
            continue
        if on is None or on.path.startswith(g.path):
            return True
    return False


def sees(user, org) -> bool:
    """Is `org` inside one of the user's tree assignments?"""
    if getattr(user, "is_superuser", False):
        return True
    return any(org.path.startswith(g.path) for g in _tree_grants(user))


def require(user, perm: Perm, on=None) -> None:
    """Raise NotFound outside scope, Forbidden in scope without the right."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    if has_perm(user, perm, on=on):
        return
    if on is not None and not sees(user, on):
        raise NotFound()
    raise Forbidden()


def roles_of(user) -> set[str]:
    if getattr(user, "is_superuser", False):
        return set(Role.values)
    return {g.role for g in grants(user)}
