"""Who did what, when: the acting user of the current request or command.

Services run under `acting_as(actor)` (the web and API middleware set it from
the signed-in user), so django-simple-history records the right user on every
historical row, and `audit_record` writes an explicit audit event.
Health data (diagnoses) never goes into an audit event's data.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords

current_actor: ContextVar = ContextVar("mutualis_current_actor", default=None)


@contextmanager
def acting_as(actor):
    token = current_actor.set(actor if getattr(actor, "pk", None) else None)
    try:
        yield actor
    finally:
        current_actor.reset(token)


def _history_user(instance=None, request=None, **kwargs):
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    return current_actor.get()


def history(**kwargs) -> HistoricalRecords:
    """HistoricalRecords that attribute each change to the acting user."""
    return HistoricalRecords(get_user=_history_user, **kwargs)
