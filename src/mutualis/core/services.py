"""Writes of the core app: organisations, users, roles, tokens, sign-in, audit, batches.

Every service is keyword-only, takes the acting user first, runs in a
transaction, checks rights with `require`, and leaves an audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.engine.money import CURRENCIES

from . import rows
from .audit import acting_as
from .errors import Conflict, DomainError, Forbidden, ValidationFailed
from .models import (
    ALLOWED_PARENTS,
    ApiToken,
    AuditEvent,
    BatchLog,
    BatchStatus,
    Organisation,
    OrgKind,
    RoleAssignment,
    User,
)
from .roles import Perm, Role
from .scope import forget_grants, require


class AccountLocked(DomainError):
    status = 403
    code = "account_locked"
    message = _("Too many failed sign-in attempts. Try again after {minutes} minutes.")


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"
    message = _("Unknown user name or wrong password.")


def audit_record(
    *, actor, action: str, target=None, organisation=None, data: dict | None = None
) -> AuditEvent:
    """Write one audit event. Never put health data (diagnoses) in `data`."""
    event = audit_event(
        actor=actor, action=action, target=target, organisation=organisation, data=data
    )
    rows.insert([event])  # on every write path: no query compiler (core.rows)
    return event


def audit_event(
    *, actor, action: str, target=None, target_type: str = "", organisation=None, data=None
) -> AuditEvent:
    """The unsaved audit event of `audit_record`, for a writer that stores it with the
    target it creates (`core.rows.insert_family`: `target_type` given, `target_id`
    filled from the new row's key)."""
    return rows.new(
        AuditEvent,
        {
            "actor": actor if getattr(actor, "pk", None) else None,
            "organisation": organisation,
        },
        action=action,
        target_type=target._meta.label_lower if target is not None else target_type,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


# --- Organisations -------------------------------------------------------------


def _check_org_fields(*, kind, parent, name, code, currency_code) -> None:
    errors = {}
    if kind not in OrgKind.values:
        errors["kind"] = _("Unknown kind of organisation.")
    elif (parent.kind if parent else None) not in ALLOWED_PARENTS[OrgKind(kind)]:
        errors["parent"] = _("A {kind} cannot be placed under this parent.").format(
            kind=OrgKind(kind).label
        )
    if not name.strip():
        errors["name"] = _("The name is required.")
    if not code.strip():
        errors["code"] = _("The code is required.")
    elif Organisation.objects.filter(code=code.strip()).exists():
        errors["code"] = _("This code is already used.")
    if currency_code not in CURRENCIES:
        errors["currency"] = _("Unknown currency.")
    if errors:
        raise ValidationFailed(fields=errors)


def organisation_place(org: Organisation) -> None:
    """Store the node's place in the tree ("/1/4/9/") once it has its id."""
    parent = org.parent
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])


@transaction.atomic
def organisation_create(
    *,
    actor,
    kind: str,
    name: str,
    code: str,
    parent=None,
    currency: str | None = None,
    country: str | None = None,
    time_zone: str | None = None,
    address: str = "",
) -> Organisation:
    """Create a node. Sections inherit the currency, country and zone of their mutual."""
    if parent is not None:
        require(actor, Perm.ORG_MANAGE, on=parent)
    elif not getattr(actor, "is_superuser", False):
        raise Forbidden()  # only a superuser creates a new root
    currency = currency or (parent.currency if parent else "XOF")
    _check_org_fields(kind=kind, parent=parent, name=name, code=code, currency_code=currency)
    with acting_as(actor):
        org = Organisation.objects.create(
            kind=kind,
            name=name.strip(),
            code=code.strip(),
            parent=parent,
            currency=currency,
            country=(country or (parent.country if parent else "SN")).upper(),
            time_zone=time_zone or (parent.time_zone if parent else settings.TIME_ZONE),
            address=address,
        )
        organisation_place(org)
    audit_record(actor=actor, action="organisation.create", target=org, organisation=org)
    return org


@transaction.atomic
def organisation_update(
    *,
    actor,
    organisation: Organisation,
    name: str | None = None,
    address: str | None = None,
    is_active: bool | None = None,
) -> Organisation:
    require(actor, Perm.ORG_MANAGE, on=organisation)
    changed = {}
    if name is not None:
        if not name.strip():
            raise ValidationFailed(fields={"name": _("The name is required.")})
        changed["name"] = name.strip()
    if address is not None:
        changed["address"] = address
    if is_active is not None:
        changed["is_active"] = is_active
    with acting_as(actor):
        for key, value in changed.items():
            setattr(organisation, key, value)
        organisation.save()
    audit_record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        organisation=organisation,
        data={"fields": sorted(changed)},
    )
    return organisation


# --- Users and roles -----------------------------------------------------------


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(fields={"password": " ".join(exc.messages)}) from None


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "fr",
    role: str | None = None,
    organisation: Organisation | None = None,
    provider=None,
) -> User:
    """Create a user, optionally with a first role assignment inside the actor's scope."""
    if organisation is not None:
        require(actor, Perm.USER_MANAGE, on=organisation)
    elif not getattr(actor, "is_superuser", False):
        require(actor, Perm.USER_MANAGE)
    username = username.strip()
    if not username:
        raise ValidationFailed(fields={"username": _("The user name is required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": _("This user name is already taken.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(fields={"language": _("Unknown language.")})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    _validate_password(password, user)
    user.set_password(password)
    with acting_as(actor):
        user.save()
    audit_record(actor=actor, action="user.create", target=user, organisation=organisation)
    if role:
        if organisation is None:
            raise ValidationFailed(fields={"organisation": _("Choose where the role applies.")})
        role_assign(actor=actor, user=user, role=role, organisation=organisation, provider=provider)
    return user


@transaction.atomic
def role_assign(
    *, actor, user: User, role: str, organisation: Organisation, provider=None
) -> RoleAssignment:
    require(actor, Perm.USER_MANAGE, on=organisation)
    if role not in Role.values:
        raise ValidationFailed(fields={"role": _("Unknown role.")})
    if role == Role.PROVIDER_AGENT and provider is None:
        raise ValidationFailed(fields={"provider": _("A health-facility agent needs a provider.")})
    if RoleAssignment.objects.filter(user=user, role=role, organisation=organisation).exists():
        raise Conflict(_("This user already has this role here."))
    with acting_as(actor):
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            organisation=organisation,
            provider=provider if role == Role.PROVIDER_AGENT else None,
        )
    forget_grants(user)
    audit_record(
        actor=actor,
        action="role.assign",
        target=assignment,
        organisation=organisation,
        data={"user": user.pk, "role": role},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    require(actor, Perm.USER_MANAGE, on=assignment.organisation)
    audit_record(
        actor=actor,
        action="role.revoke",
        target=assignment,
        organisation=assignment.organisation,
        data={"user": assignment.user_id, "role": assignment.role},
    )
    with acting_as(actor):
        assignment.delete()
    forget_grants(assignment.user)


@transaction.atomic
def user_set_language(*, actor, user: User, language: str) -> User:
    if actor.pk != user.pk:
        raise ValidationFailed(fields={"language": _("You can only change your own language.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(fields={"language": _("Unknown language.")})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> User:
    if actor.pk != user.pk:
        require(actor, Perm.USER_MANAGE)
    _validate_password(password, user)
    user.set_password(password)
    with acting_as(actor):
        user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password", target=user)
    return user


# --- Sign-in with lockout ------------------------------------------------------


def login_check(*, username: str, password: str) -> User:
    """The user for these credentials, counting failures and locking after too many."""
    now = timezone.now()
    user = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if user is None:
        # Same work as a real check, so timing does not reveal user names.
        User().set_password(password)
        raise BadCredentials()
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AccountLocked(minutes=minutes)
    if not user.check_password(password):
        failures = user.failed_logins + 1
        locked = None
        if failures >= settings.LOGIN_MAX_FAILURES:
            locked = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            failures = 0
        User.objects.filter(pk=user.pk).update(failed_logins=failures, locked_until=locked)
        audit_record(
            actor=None, action="login.failed", target=user, data={"locked": locked is not None}
        )
        if locked:
            raise AccountLocked(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        raise BadCredentials()
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    return user


# --- API tokens ----------------------------------------------------------------


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the clear key is returned once and never stored."""
    if actor.pk != user.pk:
        require(actor, Perm.USER_MANAGE)
    if not name.strip():
        raise ValidationFailed(fields={"name": _("Give the token a name.")})
    key = "mut_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=key[4:12], key_hash=token_hash(key)
    )
    audit_record(actor=actor, action="token.create", target=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    if actor.pk != token.user_id:
        require(actor, Perm.USER_MANAGE)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="token.revoke", target=token)


# --- Batch log -----------------------------------------------------------------


class BatchProgress:
    """Handle given to a batch: report progress with `advance`, failures with `fail_rows`."""

    def __init__(self, log: BatchLog):
        self.log = log

    def set_total(self, total: int) -> None:
        self.log.rows_total = total
        BatchLog.objects.filter(pk=self.log.pk).update(rows_total=total)

    def advance(self, done: int = 1, failed: int = 0) -> None:
        self.log.rows_done += done
        self.log.rows_failed += failed
        BatchLog.objects.filter(pk=self.log.pk).update(
            rows_done=F("rows_done") + done, rows_failed=F("rows_failed") + failed
        )


@contextmanager
def batch_run(
    *, actor, kind: str, organisation=None, parameters: dict | None = None, total: int = 0
) -> Iterator[BatchProgress]:
    """Log a bulk operation: started, progress, then succeeded or failed with the error."""
    log = BatchLog.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=organisation,
        parameters=parameters or {},
        rows_total=total,
    )
    progress = BatchProgress(log)
    try:
        yield progress
    except BaseException as exc:
        BatchLog.objects.filter(pk=log.pk).update(
            status=BatchStatus.FAILED,
            finished_at=timezone.now(),
            message=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    else:
        log.refresh_from_db(fields=["rows_done", "rows_failed", "rows_total"])
        BatchLog.objects.filter(pk=log.pk).update(
            status=BatchStatus.SUCCEEDED,
            finished_at=timezone.now(),
        )
        log.status = BatchStatus.SUCCEEDED


# --- Sequences -----------------------------------------------------------------


@transaction.atomic
def sequence_reserve(*, key: str, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of the counter `key`; returns the first.

    One locked row update, so a bulk import reserves a whole block at once.
    """
    from .models import Sequence

    if count < 1:
        raise ValueError("count must be positive")
    Sequence.objects.get_or_create(key=key)
    seq = Sequence.objects.select_for_update().get(key=key)
    first = seq.value + 1
    Sequence.objects.filter(pk=seq.pk).update(value=F("value") + count)
    return first
