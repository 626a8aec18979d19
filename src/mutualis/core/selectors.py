"""Reads of the core app, always scoped to the asking user."""

from __future__ import annotations

from django.db.models import QuerySet

from .errors import NotFound
from .models import AuditEvent, BatchLog, Organisation, OrgKind, RoleAssignment, User
from .roles import Perm
from .scope import in_scope, org_scope_q, require


def organisation_list(*, user, kind: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(org_scope_q(user)).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def organisation_get(*, user, organisation_id) -> Organisation:
    try:
        return organisation_list(user=user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def section_list(*, user) -> QuerySet[Organisation]:
    return organisation_list(user=user, kind=OrgKind.SECTION)


def user_list(*, user) -> QuerySet[User]:
    """Users holding at least one role inside the asking manager's scope."""
    require(user, Perm.USER_MANAGE)
    assignments = RoleAssignment.objects.filter(in_scope(user, "organisation", Perm.USER_MANAGE))
    return (
        User.objects.filter(pk__in=assignments.values("user_id"))
        .prefetch_related("assignments__organisation")
        .order_by("username")
    )


def user_get(*, user, user_id) -> User:
    try:
        return user_list(user=user).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def assignment_get(*, user, assignment_id) -> RoleAssignment:
    qs = RoleAssignment.objects.filter(in_scope(user, "organisation", Perm.USER_MANAGE))
    try:
        return qs.select_related("organisation", "user").get(pk=assignment_id)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def audit_event_list(*, user) -> QuerySet[AuditEvent]:
    require(user, Perm.AUDIT_VIEW)
    return AuditEvent.objects.filter(
        in_scope(user, "organisation", Perm.AUDIT_VIEW)
    ).select_related("actor", "organisation")


def batch_log_list(*, user) -> QuerySet[BatchLog]:
    require(user, Perm.AUDIT_VIEW)
    return BatchLog.objects.filter(in_scope(user, "organisation", Perm.AUDIT_VIEW)).select_related(
        "actor", "organisation"
    )


def batch_log_get(*, user, batch_id) -> BatchLog:
    """A batch the user started, or one in the scope of their audit right."""
    qs = BatchLog.objects.filter(actor_id=user.pk) | BatchLog.objects.filter(
        in_scope(user, "organisation", Perm.AUDIT_VIEW)
    )
    try:
        return qs.distinct().get(pk=batch_id)
    except (BatchLog.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# Models whose row history (django-simple-history) an auditor browses, with the field
# that places a row in the organisation tree. Diagnoses are never in these tables.
AUDITED_HISTORY = [
    ("core.Organisation", "pk"),
    ("core.RoleAssignment", "organisation"),
    ("members.Person", "mutual"),
    ("members.Household", "section"),
    ("members.Membership", "section"),
    ("members.CoveragePeriod", "household__section"),
]


def history_list(*, user, limit: int = 100) -> list[dict]:
    """The latest changes to audited rows in the user's scope: who, when, what, which fields."""
    from django.apps import apps

    require(user, Perm.AUDIT_VIEW)
    changes = []
    for label, field in AUDITED_HISTORY:
        model = apps.get_model(label)
        history = model.history.model
        in_tree = model.objects.filter(in_scope(user, field, Perm.AUDIT_VIEW)).values("pk")
        rows = (
            history.objects.filter(**{f"{model._meta.pk.attname}__in": in_tree})
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        for row in rows:
            previous = row.prev_record
            fields = []
            if previous is not None:
                fields = [c.field for c in row.diff_against(previous).changes]
            changes.append(
                {
                    "at": row.history_date,
                    "who": row.history_user,
                    "kind": row.get_history_type_display(),
                    "model": model._meta.verbose_name,
                    "object": str(row.instance),
                    "fields": fields,
                }
            )
    changes.sort(key=lambda c: c["at"], reverse=True)
    return changes[:limit]
