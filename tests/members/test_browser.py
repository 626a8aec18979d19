"""A clerk enrols a household of 4 with the keyboard, finds it again and prints a card."""

import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mutualis.members import services
from mutualis.members.models import Household
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = [
    # last name, first names, sex, relationship (typed), year of birth
    ("Ndiaye", "Hélène", "F", None, "1984"),
    ("Ndiaye", "Mamadou", "M", "Conj", "1980"),
    ("Ndiaye", "Awa", "F", "Enf", "2012"),
    ("Ndiaye", "Cheikh", "M", "Enf", "2016"),
]


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login/?next=/members/enrol/")
    expect(page.get_by_label("Nom d'utilisateur")).to_be_focused()
    page.keyboard.type("clerk_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inscrire un ménage")).to_be_visible()


def test_a_clerk_enrols_a_household_with_the_keyboard_finds_it_and_prints_a_card(
    page: Page, live_server, org_tree, clerk_a, package, tmp_path
):
    sign_in(page, live_server.url)
    expect(page.get_by_role("heading", name="Inscrire un ménage")).to_be_visible()
    expect(page.locator("#id_p-0-last_name")).to_be_focused()

    # Keyboard only: the head's family name has the focus; Tab walks the grid.
    for i, (last, first, sex, relationship, year) in enumerate(FAMILY):
        page.keyboard.type(last)
        page.keyboard.press("Tab")
        page.keyboard.type(first)
        page.keyboard.press("Tab")
        page.keyboard.type(sex)
        page.keyboard.press("Tab")
        if relationship:
            page.keyboard.type(relationship)
            page.keyboard.press("Tab")
        page.keyboard.type(year)
        page.keyboard.press("Tab")  # national ID
        page.keyboard.press("Tab")  # phone
        if i < len(FAMILY) - 1:
            page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_text("inscrit avec 4 personnes")).to_be_visible()
    household = Household.objects.get()
    assert household.memberships.count() == 4
    assert household.head.first_name == "Hélène"
    services.coverage_period_open(
        actor=clerk_a,
        household=household,
        package=package,
        start_on=date(2026, 1, 1),
        expiry_on=date(2026, 12, 31),
    )
    page.screenshot(path="test-results/members-household.png", full_page=True)

    page.goto(f"{live_server.url}/members/")
    expect(page.get_by_role("searchbox")).to_be_focused()
    page.keyboard.type("ndiaye helene")
    page.keyboard.press("Enter")
    expect(page.get_by_role("cell", name="Hélène NDIAYE")).to_be_visible()
    page.screenshot(path="test-results/members-search.png", full_page=True)
    page.get_by_role("link", name=household.memberships.get(relationship="head").number).click()

    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer la carte").first.click()
    pdf = tmp_path / "card.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Hélène NDIAYE" in text
    assert "Mutuelle And Fagaru" in text
    assert "Section A" in text
    assert "31/12/2026" in text


IMPORT = """id_menage;id_personne;lien;nom;prenoms;sexe;date_naissance;section
H1;P1;chef;Diop;Awa;F;1980-01-02;MAF-A
H1;P2;enfant;Diop;Modou;M;2010;
H1;P3;enfant;Diop;Binta;X;2011;
H2;P4;chef;Fall;Ousmane;M;1975;NOWHERE
H2;P5;conjoint;Fall;Coumba;F;31/02/1980;
H3;P6;chef;Sarr;Ibrahima;M;1969;MAF-A
"""


def test_an_import_with_three_bad_rows_imports_the_others_and_returns_the_three(
    page: Page, live_server, org_tree, clerk_a, tmp_path
):
    path = tmp_path / "membres.csv"
    path.write_text(IMPORT, encoding="utf-8")
    sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/members/import/")
    page.get_by_label("Fichier (CSV ou XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Terminé")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Écrivez F ou M.")
    expect(rows.nth(1)).to_contain_text("Code de section inconnu")
    expect(rows.nth(2)).to_contain_text("date_naissance")
    page.screenshot(path="test-results/members-import.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le rapport d’erreurs").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert report.count("\n") == 4  # header + the 3 bad rows
    from mutualis.members.models import Person

    assert sorted(Person.objects.values_list("external_id", flat=True)) == ["P1", "P2", "P6"]
