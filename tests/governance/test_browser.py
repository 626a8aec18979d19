"""A General Assembly in the browser: convocation, check-in and proxies until quorum,
a resolution adopted, a board election with two seats, the minutes PDF checked."""

import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "test-results"


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def check_in(page: Page, number: str) -> None:
    page.get_by_label("Numéro de carte (saisi ou scanné)").fill(number)
    page.keyboard.press("Enter")


def test_a_general_assembly_from_convocation_to_signed_minutes(
    page: Page, live_server, registry, org_tree, manager, tmp_path
):
    sign_in(page, live_server.url, "manager")
    page.locator(".menu summary", has_text="Vie démocratique").click()
    page.get_by_role("navigation").get_by_role("link", name="Gouvernance").click()
    page.get_by_role("link", name="Nouvelle Assemblée générale").click()

    # Convocation: the GA, then the sending date (checked against the notice).
    page.get_by_label("Intitulé").fill("AG ordinaire 2026")
    page.locator("#id_held_on").fill("2026-06-13")
    page.get_by_label("Lieu").fill("Salle des fêtes de Thiès")
    page.get_by_label("Ordre du jour").fill("Approbation des comptes 2025\nÉlection du conseil")
    page.get_by_label("Date d'arrêté pour être à jour").fill("2026-05-31")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="AG ordinaire 2026")).to_be_visible()

    page.get_by_label("Convocation envoyée le").fill("2026-06-01")
    page.get_by_role("button", name="Enregistrer l'envoi").click()
    expect(page.get_by_text("au moins 15 jours avant l'Assemblée générale")).to_be_visible()
    page.get_by_label("Convocation envoyée le").fill("2026-05-25")
    page.get_by_role("button", name="Enregistrer l'envoi").click()
    expect(page.get_by_text("Convocation envoyée le 25/05/2026")).to_be_visible()

    page.get_by_role("button", name="Arrêter la liste des votants").click()
    expect(page.get_by_text("La liste des votants est arrêtée : 10 votants.")).to_be_visible()

    # Check-in: numbers typed or scanned, a proxy, a refused second proxy, until quorum.
    page.get_by_role("link", name="Accueil et émargement").click()
    check_in(page, registry.n(0))
    expect(page.get_by_text("est enregistré(e) comme présent(e)")).to_be_visible()
    check_in(page, f"{registry.n(1)}|MAF|1|signature")
    check_in(page, registry.n(2))
    check_in(page, registry.n(2))
    expect(page.get_by_role("alert")).to_contain_text("déjà enregistré(e)")
    check_in(page, registry.n(3))
    expect(page.get_by_text("1 membre de plus requis")).to_be_visible()
    page.get_by_label("Numéro du membre absent qui donne procuration").fill(registry.n(5))
    page.get_by_label("Numéro du membre présent qui la reçoit").fill(registry.n(0))
    page.get_by_role("button", name="Enregistrer la procuration").click()
    expect(page.get_by_text("Quorum atteint")).to_be_visible()
    page.get_by_label("Numéro du membre absent qui donne procuration").fill(registry.n(6))
    page.get_by_label("Numéro du membre présent qui la reçoit").fill(registry.n(0))
    page.get_by_role("button", name="Enregistrer la procuration").click()
    expect(page.get_by_role("alert")).to_contain_text("les statuts en permettent 1")
    check_in(page, registry.n(4))
    expect(page.locator('[data-figure="present"]')).to_have_text("5")
    expect(page.locator('[data-figure="represented"]')).to_have_text("1")
    page.screenshot(path=f"{SHOTS}/governance-checkin.png", full_page=True)

    # A resolution adopted by the statute's majority.
    page.get_by_role("link", name="AG ordinaire 2026").click()
    page.get_by_text("Ajouter une résolution").click()
    page.locator("#id_r-kind").select_option("accounts")
    page.get_by_label("Résolution").fill("Approbation des comptes 2025")
    page.get_by_role("button", name="Ajouter la résolution").click()
    page.get_by_label("Pour").fill("5")
    page.get_by_label("Contre").fill("1")
    page.get_by_label("Abstentions").fill("0")
    page.get_by_role("button", name="Enregistrer le vote").click()
    expect(page.locator("[data-result]")).to_have_text("Adoptée")

    # A board election with two seats: candidates, one polling station, results.
    page.get_by_role("link", name="AG ordinaire 2026").click()
    page.get_by_text("Ouvrir une élection").click()
    page.get_by_label("Poste").select_option(str(registry.board.pk))
    page.get_by_role("button", name="Ouvrir l'élection").click()
    for i in (0, 1, 2):
        page.get_by_label("Numéro du candidat").fill(registry.n(i))
        page.get_by_role("button", name="Ajouter le candidat").click()
    page.get_by_label("Numéro du candidat").fill(registry.suspended.number)
    page.get_by_role("button", name="Ajouter le candidat").click()
    expect(page.get_by_role("alert").first).to_contain_text("pas à jour de ses cotisations")
    names = [str(m.person) for m in registry.adherents[:3]]
    page.get_by_label("Bureau de vote").fill("Bureau 1")
    page.get_by_label("Bulletins dans l'urne").fill("6")
    page.get_by_label(f"Voix pour {names[0]}").fill("5")
    page.get_by_label(f"Voix pour {names[1]}").fill("4")
    page.get_by_label(f"Voix pour {names[2]}").fill("3")
    page.get_by_role("button", name="Enregistrer le dépouillement").click()
    page.get_by_role("button", name="Proclamer les résultats").click()
    expect(page.get_by_text("Élu(e)", exact=True)).to_have_count(2)
    page.screenshot(path=f"{SHOTS}/governance-election.png", full_page=True)

    # Close the session and download the minutes.
    page.get_by_role("link", name="AG ordinaire 2026").click()
    page.get_by_label("Président(e) de séance").fill("Awa Diop")
    page.get_by_label("Secrétaire de séance").fill("Fatou Sarr")
    page.get_by_role("button", name="Clore l'Assemblée générale").click()
    expect(page.get_by_text("Le procès-verbal est prêt à signer")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/governance-assembly.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Procès-verbal (PDF, prêt à signer)").click()
    path = tmp_path / "pv.pdf"
    info.value.save_as(path)

    minutes = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Procès-verbal de l'Assemblée générale" in minutes
    assert "AG ordinaire 2026" in minutes
    assert "Tenue le 13/06/2026 à Salle des fêtes de Thiès" in minutes
    assert "Approbation des comptes 2025" in minutes
    assert "Adoptée" in minutes
    assert "Administrateur" in minutes
    assert minutes.count("Élu(e)") == 2
    assert "Awa Diop" in minutes and "Fatou Sarr" in minutes
    assert "PROJET" not in minutes
    quorum_lines = [line for line in minutes.splitlines() if "Présents" in line]
    assert quorum_lines and quorum_lines[0].split()[-1] == "5"
