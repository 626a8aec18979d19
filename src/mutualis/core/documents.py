"""PDF documents (cards, receipts, statements, EOBs, minutes): one way to render them.

WeasyPrint renders HTML from a template; the machine has only DejaVu and
Liberation fonts, so templates set `font-family` to them.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported late: heavy, and only needed here

    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template to PDF; with a request, relative URLs resolve against the site."""
    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return html_to_pdf(html, base_url=base_url)


def pdf_response(pdf: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
