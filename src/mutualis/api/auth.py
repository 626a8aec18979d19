"""API authentication: per-client bearer tokens (stored as SHA-256) or the web session."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from mutualis.core.audit import current_actor
from mutualis.core.models import ApiToken
from mutualis.core.services import token_hash


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        # Touch at most once a minute: no write per request on a busy endpoint.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        current_actor.set(row.user)  # reset by ActorMiddleware after the response
        return row.user


class SessionUser(SessionAuth):
    """The signed-in web user (CSRF-checked for unsafe methods)."""


AUTH = [TokenAuth(), SessionUser()]
