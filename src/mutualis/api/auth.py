"""API authentication: per-client bearer tokens (stored as SHA-256) or the web session.

A bearer token is checked in one query: the token, its user and the user's
role assignments (the grants that `core.scope` would load next) come back
together, one row per assignment.
"""

from __future__ import annotations

from datetime import UTC

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja.security import HttpBearer, SessionAuth

from mutualis.core.audit import current_actor
from mutualis.core.models import ApiToken, User
from mutualis.core.scope import Grant
from mutualis.core.services import token_hash

_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_DATETIMES = {
    i for i, f in enumerate(User._meta.concrete_fields) if f.get_internal_type() == "DateTimeField"
}
_SQL: list[str] = []
_TEMPLATE = (  # table and column names from the models only
    "SELECT {cols}, t.id, t.last_used_at, g.role, g.organisation_id, o.path, o.is_active,"
    " g.provider_id FROM {token} t JOIN {user} u ON u.id = t.user_id"
    " LEFT JOIN {grant} g ON g.user_id = u.id LEFT JOIN {org} o ON o.id = g.organisation_id"
    " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s"
)


def _sql() -> str:
    """The token, its user and the user's grants in active organisations (a plain
    query: compiling it with the ORM cost more than running it)."""
    if not _SQL:
        from mutualis.core.models import Organisation, RoleAssignment

        _SQL.append(
            _TEMPLATE.format(
                cols=", ".join(f"u.{f.column}" for f in User._meta.concrete_fields),
                token=ApiToken._meta.db_table,
                user=User._meta.db_table,
                grant=RoleAssignment._meta.db_table,
                org=Organisation._meta.db_table,
            )
        )
    return _SQL[0]


def _aware(value):
    """SQLite hands back naive UTC datetimes through a plain cursor."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def token_user(token: str):
    """(user with grants loaded, token id, token's last use) for a valid, unrevoked
    token of an active user, in one query; (None, None, None) otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [token_hash(token), True])
        rows = cursor.fetchall()
    if not rows:
        return None, None, None
    n = len(_USER_FIELDS)
    values = [_aware(v) if i in _DATETIMES else v for i, v in enumerate(rows[0][:n])]
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, values)
    token_id, last_used = rows[0][n], _aware(rows[0][n + 1])
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
