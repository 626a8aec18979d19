"""A clerk takes a cash payment at the counter for a household in arrears."""

import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mutualis.contributions.dues import dues_generate
from mutualis.contributions.status import daily_run
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_records_a_cash_payment_prints_the_receipt_and_the_household_is_covered_again(
    page: Page, live_server, org_tree, clerk_a, manager, schedule, make_household
):
    household = make_household(size=2, status="active")
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    daily_run(actor=manager, mutual=org_tree.mutual, on=date(2026, 3, 1))  # suspended: arrears

    page.goto(f"{live_server.url}/login/?next=/contributions/")
    page.get_by_label("Nom d'utilisateur").fill("clerk_a")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Numéro de ménage ou de bénéficiaire").fill(household.number)
    page.get_by_role("button", name="Rechercher").click()

    expect(page.get_by_role("heading", name=f"Ménage {household.number}")).to_be_visible()
    expect(page.locator("#standing")).to_contain_text("Pas à jour")
    expect(page.locator("td.status").first).to_have_text("Suspendu")
    page.get_by_label("Montant reçu").fill("8500")
    page.get_by_role("button", name="Enregistrer le paiement").click()

    expect(page.get_by_text("Paiement enregistré, reçu MAF-2026-000001.")).to_be_visible()
    href = page.get_by_role("link", name="Imprimer le reçu (PDF)").get_attribute("href")
    pdf = page.context.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    assert "Reçu MAF-2026-000001" in text
    assert household.number in text
    assert "8 500" in text.replace("\u202f", " ").replace("\u00a0", " ")

    page.get_by_role("link", name=household.number).click()
    expect(page.locator("#standing")).to_contain_text("À jour")
    expect(page.locator("td.status").first).to_have_text("Actif")
    expect(page.locator("td.cover").first).to_have_text("Actif")
    page.screenshot(path="test-results/contributions-household.png", full_page=True)


def _sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_section_issues_a_receipt_book_a_collector_uses_it_and_hands_the_cash_over(
    page: Page,
    browser,
    live_server,
    org_tree,
    clerk_a,
    manager,
    schedule,
    make_household,
    make_user,
):
    from mutualis.core.roles import Role

    make_user("awa", Role.CLERK, org_tree.section_a)
    household = make_household(size=1, status="active")
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")

    _sign_in(page, live_server.url, "clerk_a")
    page.locator(".menu summary", has_text="Cotisations").click()
    page.get_by_role("link", name="Carnets de reçus et remise des espèces").click()
    page.get_by_label("Collecteur").select_option(label="Awa")
    page.get_by_label("Premier numéro de reçu").fill("1")
    page.get_by_label("Dernier numéro de reçu").fill("50")
    page.get_by_label("Taux de commission").fill("0.05")
    page.get_by_role("button", name="Remettre le carnet").click()
    expect(page.get_by_text("Carnet de reçus 1–50 remis à Awa.")).to_be_visible()
    expect(page.locator("#books td.remaining")).to_have_text("50")

    field = browser.new_page(locale="fr-FR", timezone_id="Africa/Dakar")
    _sign_in(field, live_server.url, "awa")
    if field.locator(".menu summary", has_text="Cotisations").count():
        field.locator(".menu summary", has_text="Cotisations").click()
    field.get_by_role("link", name="Paiement sur le terrain").click()
    field.get_by_label("Numéro de ménage ou de bénéficiaire").fill(household.number)
    field.get_by_label("Numéro du reçu dans votre carnet").fill("7")
    field.get_by_label("Montant reçu").fill("5000")
    field.get_by_label("Date de réception").fill("2026-11-20")
    field.get_by_role("button", name="Enregistrer le paiement").click()
    expect(field.get_by_text("Paiement enregistré sur le reçu 7 de votre carnet.")).to_be_visible()
    field.go_back()
    field.get_by_role("button", name="Enregistrer le paiement").click()
    expect(field.get_by_text("Ce reçu a déjà été utilisé.")).to_be_visible()
    field.close()

    page.reload()
    expect(page.locator("#books td.used")).to_have_text("1")
    page.get_by_role("link", name="Remise des espèces", exact=True).click()
    expect(page.locator("#pending td.expected")).to_contain_text("5")
    page.get_by_label("Espèces comptées pour Awa").fill("4500")
    page.get_by_role("button", name="Confirmer la remise").click()
    expect(page.get_by_text("enregistrée.")).to_be_visible()
    expect(page.locator("#difference")).to_contain_text("-500")
    href = page.get_by_role("link", name="Imprimer le bordereau de remise (PDF)").get_attribute(
        "href"
    )
    pdf = page.context.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    assert "Bordereau de remise des espèces" in text
    page.screenshot(path="test-results/contributions-handover.png", full_page=True)
