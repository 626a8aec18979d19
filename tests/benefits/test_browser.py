"""A health-facility agent checks two cards on a phone-sized screen."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_types_a_card_number_and_sees_cover_then_the_reasons_of_a_suspended_member(
    page: Page, live_server, world, provider_agent
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/")
    page.get_by_label("Nom d’utilisateur").or_(page.locator("input[name=username]")).first.fill(
        "agent"
    )
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Vérifier les droits").first.click()

    page.get_by_label("Numéro de carte").fill(world.head.number)
    page.get_by_label("Date des soins").fill("2026-06-15")
    page.get_by_label("Code de la prestation (facultatif)").fill("CONS")
    page.get_by_role("button", name="Vérifier").click()

    expect(page.get_by_role("status")).to_have_text("Couvert pour CONS")
    expect(page.get_by_text("Awa DIOP").first).to_be_visible()
    expect(page.locator("dd", has_text="20").first).to_be_visible()
    expect(page.get_by_text("Ticket modérateur")).to_be_visible()
    page.screenshot(path="test-results/eligibility-covered.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Numéro de carte").fill(world.suspended.number)
    page.get_by_label("Code de la prestation (facultatif)").fill("")
    page.get_by_role("button", name="Vérifier").click()

    expect(page.get_by_role("status")).to_have_text("Pas couvert")
    expect(page.get_by_text("Adhésion suspendue à cette date.")).to_be_visible()
    page.screenshot(path="test-results/eligibility-suspended.png", full_page=True)


def test_a_board_member_reads_the_package_in_english(page: Page, live_server, world, make_user):
    from mutualis.core.roles import Role

    make_user("board_en", Role.BOARD, world.mutual, language="en")
    page.goto(f"{live_server.url}/")
    page.locator("input[name=username]").fill("board_en")
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Packages").first.click()
    page.get_by_role("link", name="Paquet de base").click()

    expect(page.get_by_role("heading", name="Paquet de base")).to_be_visible()
    expect(page.get_by_text("Mutual pays 80\u00a0%, member pays 20\u00a0%")).to_be_visible()
    expect(page.get_by_text("270 days")).to_be_visible()
    page.screenshot(path="test-results/package-en.png", full_page=True)
