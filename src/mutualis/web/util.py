"""Small helpers shared by the web views of every app."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator

from mutualis.core.errors import DomainError

# Refusals are never shown as a form error: the page answers 401/403/404 instead
# (DomainErrorMiddleware), so an object outside the user's scope stays invisible.
ACCESS_STATUSES = (401, 403, 404)


def form_errors_from(form, error: DomainError) -> None:
    """Show a DomainError on a Django form: field errors on fields, the rest on top.

    Access refusals (401, 403, 404) are raised again, not shown on the form.
    """
    if error.status in ACCESS_STATUSES:
        raise error
    placed = False
    for field, message in error.fields.items():
        if field in form.fields:
            form.add_error(field, str(message))
            placed = True
    if not placed or not error.fields:
        form.add_error(None, str(error))


def paginate(request, queryset, per_page: int = 25):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def flash_error(request, error: DomainError) -> None:
    if error.status in ACCESS_STATUSES:
        raise error
    messages.error(request, str(error))
