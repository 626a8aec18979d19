"""The package as a PDF for members (WeasyPrint; DejaVu/Liberation fonts only)."""

from __future__ import annotations

from mutualis.core.documents import render_pdf


def package_pdf(context: dict) -> bytes:
    return render_pdf("benefits/package_pdf.html", context)
