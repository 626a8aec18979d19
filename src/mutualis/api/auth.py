"""API authentication: per-client bearer tokens (stored as SHA-256) or the web session.

A bearer token is checked in one query: the token, its user and the user's
role assignments (the grants that `core.scope` would load next) come back
together, one row per assignment.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from mutualis.core.audit import current_actor
from mutualis.core.models import ApiToken, User
from mutualis.core.scope import Grant
from mutualis.core.services import token_hash

_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_GRANT_FIELDS = (
    "assignments__role",
    "assignments__organisation_id",
    "assignments__organisation__path",
    "assignments__organisation__is_active",
    "assignments__provider_id",
)


def token_user(token: str):
    """The active user of a valid, unrevoked token with its grants loaded, or None."""
    rows = list(
        User.objects.filter(
            api_tokens__key_hash=token_hash(token),
            api_tokens__revoked_at__isnull=True,
            is_active=True,
        ).values_list(*_USER_FIELDS, "api_tokens__id", "api_tokens__last_used_at", *_GRANT_FIELDS)
    )
    if not rows:
        return None, None, None
    n = len(_USER_FIELDS)
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, rows[0][:n])
    token_id, last_used = rows[0][n], rows[0][n + 1]
    user._mutualis_grants = tuple(
        Grant(role, org_id, path, provider_id)
        for role, org_id, path, active, provider_id in (r[n + 2 :] for r in rows)
        if role is not None and active
    )
    return user, token_id, last_used


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user, token_id, last_used = token_user(token)
        if user is None:
            return None
        now = timezone.now()
        # Touch at most once a minute: no write per request on a busy endpoint.
        if last_used is None or (now - last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        request.user = user
        current_actor.set(user)  # reset by ActorMiddleware after the response
        return user


class SessionUser(SessionAuth):
    """The signed-in web user (CSRF-checked for unsafe methods)."""


AUTH = [TokenAuth(), SessionUser()]
