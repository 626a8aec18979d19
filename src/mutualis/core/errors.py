"""The DomainError family: one error, one code, one translated message.

`NotFound` (404) covers both "missing" and "outside the user's scope", so an
object's existence is never leaked. `Forbidden` (403): in scope, role lacks the
right. `Conflict` (409): state forbids it (already paid, period closed, key
reused with other data). Anything else is 400.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    message = _("Invalid request.")

    def __init__(self, message=None, *, fields: dict[str, str] | None = None, **params):
        if message is not None:
            self.message = message
        self.fields = fields or {}
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        try:
            return text.format(**self.params) if self.params else text
        except (KeyError, IndexError, ValueError):
            return text

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    code = "invalid"
    message = _("Some fields are not valid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = _("You do not have the right to do this.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    message = _("Please sign in.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = _("This conflicts with the current state.")
