"""The REST API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Every error answers `{"code", "message", "fields"}`: domain errors with their
status, ninja's schema errors as 400, unknown paths as 404.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mutualis import __version__
from mutualis.core.errors import DomainError

from .auth import AUTH

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Mutualis API",
    version=__version__,
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
    description="Members, eligibility, contributions, claims and governance of mutual "
    "health societies. Authenticate with `Authorization: Bearer <token>`.",
)


def _error(request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    body = exc.as_dict()
    return _error(request, exc.status, body["code"], body["message"], body["fields"])


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields = {}
    for err in exc.errors:
        fields.setdefault(_field_name(err.get("loc", ())), err.get("msg", _("Invalid value.")))
    return _error(request, 400, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "not_authenticated", _("Please sign in."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    # Log the type and where, never the request body (health data).
    log.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "server_error", _("An unexpected error occurred."))


from mutualis.core.api import router as core_router  # noqa: E402

api.add_router("", core_router)
for _app in (
    "members",
    "benefits",
    "contributions",
    "providers",
    "claims",
    "accounting",
    "indicators",
    "governance",
):
    module = __import__(f"mutualis.{_app}.api", fromlist=["router"])
    api.add_router("", module.router)

__all__ = ["api"]
