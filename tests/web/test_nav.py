"""The main menu is grouped by domain so a manager's twenty entries fit on one line."""

import pytest
from django.test import Client
from django.utils import translation

from mutualis.core import demo
from mutualis.web.nav import grouped


def _entry(key, order, active=False):
    return {"key": key, "label": key.title(), "url": f"/{key}/", "order": order, "active": active}


def test_entries_are_grouped_by_the_tens_of_their_order():
    groups = grouped(
        [
            _entry("home", 0),
            _entry("members", 10),
            _entry("eligibility", 15),
            _entry("counter", 20, active=True),
            _entry("providers", 35),
            _entry("claims", 40),
            _entry("audit", 90),
        ]
    )
    assert [[e["key"] for e in g["entries"]] for g in groups] == [
        ["home"],
        ["members", "eligibility"],
        ["counter"],
        ["providers", "claims"],
        ["audit"],
    ]
    # A group of one is shown as its entry alone; a group holding the current page is marked.
    with translation.override("en"):
        labels = [str(g["label"]) if g["label"] else None for g in groups]
    assert labels == [
        None,
        "Member register",
        None,
        "Care and claims",
        None,
    ]
    assert [g["active"] for g in groups] == [False, False, True, False, False]


@pytest.mark.django_db
def test_a_manager_sees_groups_and_a_clerk_a_short_menu():
    demo.load(households=20)
    manager, clerk = Client(), Client()
    manager.login(username="gerant", password=demo.DEMO_PASSWORD)
    clerk.login(username="guichet1", password=demo.DEMO_PASSWORD)
    page = manager.get("/").content.decode()
    assert "<summary>Cotisations</summary>" in page
    assert "<summary>Soins et factures</summary>" in page
    page = clerk.get("/").content.decode()
    assert "<summary>Administration</summary>" not in page
