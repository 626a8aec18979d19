"""A section clerk signs in with the keyboard, switches language, and is refused elsewhere."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_signs_in_with_the_keyboard_switches_language_and_is_refused_another_section(
    page: Page, live_server, org_tree, clerk_a
):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()

    # Keyboard only: the user name field has the focus; Tab to the password; Enter submits.
    expect(page.get_by_label("Nom d'utilisateur")).to_be_focused()
    page.keyboard.type("clerk_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Bienvenue, Clerk_A")).to_be_visible()
    expect(page.get_by_text("Agent de section")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Welcome, Clerk_A")).to_be_visible()
    expect(page.get_by_text("Section clerk")).to_be_visible()
    page.screenshot(path="test-results/home-en.png", full_page=True)

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Bienvenue, Clerk_A")).to_be_visible()

    page.get_by_role("link", name="Section A").click()
    expect(page.get_by_role("heading", name="Section A")).to_be_visible()

    response = page.goto(f"{live_server.url}/organisation/{org_tree.section_b.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Introuvable")).to_be_visible()
    expect(page.get_by_text("Section B")).to_have_count(0)
