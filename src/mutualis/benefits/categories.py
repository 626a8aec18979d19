"""The usual categories of care (DOMAIN §4), with labels in the user's language.

A mutual may add its own categories; those show the name it typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STANDARD_CATEGORIES: dict[str, object] = {
    "consultation": _("Consultations"),
    "hospitalisation": _("Hospitalisation"),
    "maternity": _("Maternity"),
    "pharmacy": _("Medicines (pharmacy)"),
    "laboratory": _("Laboratory tests"),
    "imaging": _("Imaging"),
    "surgery": _("Surgery"),
    "dental": _("Dental care"),
    "optical": _("Optical (glasses)"),
    "transport": _("Medical transport"),
    "prevention": _("Prevention and vaccination"),
}


def category_label(code: str, name: str = ""):
    """The translated label of a standard category, else the mutual's own name."""
    return STANDARD_CATEGORIES.get(code) or name or code
