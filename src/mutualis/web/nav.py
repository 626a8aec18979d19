"""The main menu: each app registers its entries in AppConfig.ready().

from mutualis.web.nav import register
register("members", _("Members"), "members:list", perm=Perm.MEMBER_VIEW, order=10)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    perm: str | None
    order: int
    roles: tuple[str, ...] = ()


_ENTRIES: dict[str, NavEntry] = {}

# The menu is grouped by the tens of an entry's order, so an app places its entries
# in a group just by their number: 10-19 register, 20-29 money, 30-69 care, 70-79
# governance, 80+ administration. Entries below 10 (home) stand alone.
GROUPS: tuple[tuple[int, object], ...] = (
    (10, _("Member register")),
    (20, _("Contributions")),
    (30, _("Care and claims")),
    (70, _("Democratic life")),
    (80, _("Administration")),
)


def _group_of(order: int):
    label = None
    for start, name in GROUPS:
        if order >= start:
            label = name
    return label


def register(
    key: str,
    label,
    url_name: str,
    *,
    perm: str | None = None,
    order: int = 50,
    roles: tuple[str, ...] = (),
) -> None:
    _ENTRIES[key] = NavEntry(key, label, url_name, perm, order, roles)


def entries_for(user) -> list[dict]:
    from mutualis.core.scope import has_perm, roles_of

    out = []
    user_roles = roles_of(user)
    for entry in sorted(_ENTRIES.values(), key=lambda e: (e.order, e.key)):
        if entry.perm and not has_perm(user, entry.perm):
            continue
        if entry.roles and not (user_roles & set(entry.roles)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        out.append({"key": entry.key, "label": entry.label, "url": url, "order": entry.order})
    return out


def grouped(entries: list[dict]) -> list[dict]:
    """The entries in menu groups: ``[{"label", "entries", "active"}]``.

    A group with a single entry is shown as that entry alone (``label`` None)."""
    groups: list[dict] = []
    for entry in entries:
        label = _group_of(entry["order"])
        if label is None or not groups or groups[-1]["key"] != str(label):
            groups.append(
                {"key": str(label) if label else entry["key"], "label": label, "entries": []}
            )
        groups[-1]["entries"].append(entry)
    for group in groups:
        group["active"] = any(e.get("active") for e in group["entries"])
        if len(group["entries"]) == 1:
            group["label"] = None
    return groups
