"""The package as a PDF for members (WeasyPrint; DejaVu/Liberation fonts only)."""

from __future__ import annotations

from django.template.loader import render_to_string


def package_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("benefits/package_pdf.html", context)
    return HTML(string=html).write_pdf()
