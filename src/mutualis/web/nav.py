"""The main menu: each app registers its entries in AppConfig.ready().

from mutualis.web.nav import register
register("members", _("Members"), "members:list", perm=Perm.MEMBER_VIEW, order=10)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    perm: str | None
    order: int
    roles: tuple[str, ...] = ()


_ENTRIES: dict[str, NavEntry] = {}


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
        out.append({"key": entry.key, "label": entry.label, "url": url})
    return out
