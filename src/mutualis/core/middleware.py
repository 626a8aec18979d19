"""Request plumbing: the user's language, the acting user, domain errors on pages."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from .audit import current_actor
from .errors import DomainError, NotAuthenticated

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


class UserLanguageMiddleware:
    """Activate the signed-in user's language, else the cookie, else French.

    Placed before authentication, it reads the user lazily after the view's
    middleware chain has set it; the cookie is kept in step on every switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(LANGUAGE_COOKIE)
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language_from_request(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ActorMiddleware:
    """Make the signed-in user the actor of every write (audit, history)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and user.language and user.language != translation.get_language():
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        # Always set (None for anonymous), so an API token's user set later in
        # this request is discarded by the reset and never leaks to the next one.
        token = current_actor.set(user if signed_in else None)
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)


class DomainErrorMiddleware:
    """A DomainError raised by a page is shown as a page with its status, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotAuthenticated):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return render(request, "web/error.html", {"error": exception}, status=exception.status)
