"""Issue 5's flow across apps: arrears → cash at the counter → covered at the facility."""

import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mutualis.contributions.dues import dues_generate
from mutualis.contributions.status import daily_run
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bienvenue", exact=False)).to_be_visible()


def check_card(page: Page, base: str, number: str) -> None:
    page.goto(f"{base}/benefits/eligibility/")
    page.get_by_label("Numéro de carte").fill(number)
    page.get_by_label("Date des soins").fill("2026-06-15")
    page.get_by_label("Code de la prestation (facultatif)").fill("CONS")
    page.get_by_role("button", name="Vérifier").click()


def test_a_cash_payment_at_the_counter_restores_cover_at_the_facility(
    page: Page, live_server, org_tree, manager, clerk_a, provider_agent, world, schedule
):
    base = live_server.url
    household = world.head.household
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 3, 1))  # arrears: suspended

    # The facility first turns the member away, and says why.
    sign_in(page, base, "agent")
    check_card(page, base, world.head.number)
    expect(page.get_by_role("status")).to_have_text("Pas couvert")
    page.get_by_role("button", name="Se déconnecter").click()

    # The clerk takes the arrears in cash and prints the receipt.
    sign_in(page, base, "clerk_a")
    page.goto(f"{base}/contributions/")
    page.get_by_label("Numéro de ménage ou de bénéficiaire").fill(household.number)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#standing")).to_contain_text("Pas à jour")
    page.get_by_label("Montant reçu").fill("30000")
    page.get_by_label("Date de valeur").fill("2026-03-10")
    page.get_by_role("button", name="Enregistrer le paiement").click()
    expect(page.get_by_text("Paiement enregistré, reçu", exact=False)).to_be_visible()
    href = page.get_by_role("link", name="Imprimer le reçu (PDF)").get_attribute("href")
    pdf = page.context.request.get(f"{base}{href}")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    assert household.number in text
    assert "30 000" in text.replace("\u202f", " ").replace("\u00a0", " ")
    page.get_by_role("button", name="Se déconnecter").click()

    # Back at the facility: covered, with the member's 20 % co-payment.
    sign_in(page, base, "agent")
    check_card(page, base, world.head.number)
    expect(page.get_by_role("status")).to_have_text("Couvert pour CONS")
    expect(page.get_by_text("Ticket modérateur")).to_be_visible()
    expect(page.get_by_text("20\u00a0%").first).to_be_visible()
    page.screenshot(path="test-results/integration-covered-after-payment.png", full_page=True)
