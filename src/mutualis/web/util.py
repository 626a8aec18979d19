"""Small helpers shared by the web views of every app."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator

from mutualis.core.errors import DomainError


def form_errors_from(form, error: DomainError) -> None:
    """Show a DomainError on a Django form: field errors on fields, the rest on top."""
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
    messages.error(request, str(error))
