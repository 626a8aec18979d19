"""Pages: facility check, package page and PDF, catalogue import; refused access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mutualis.benefits.models import CatalogueItem

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_facility_page_shows_cover_and_co_payment(world, provider_agent, login):
    page = login(provider_agent).get(
        "/benefits/eligibility/", {"number": world.head.number, "on": "2026-06-15", "item": "CONS"}
    )

    body = text(page)
    assert page.status_code == 200
    assert "Couvert pour CONS" in body
    assert "Awa DIOP" in body
    assert "H1" in body
    assert "Ticket modérateur" in body and "20&nbsp;%" in body
    assert len(page.content) < 100_000


def test_the_facility_page_lists_the_reasons_of_a_suspended_member(world, provider_agent, login):
    page = login(provider_agent).get(
        "/benefits/eligibility/", {"number": world.suspended.number, "on": "2026-06-15"}
    )

    assert "Pas couvert" in text(page)
    assert "Adhésion suspendue à cette date." in text(page)


def test_the_facility_page_says_when_a_number_is_unknown(world, provider_agent, login):
    page = login(provider_agent).get(
        "/benefits/eligibility/", {"number": "0000000010", "on": "2026-06-15"}
    )

    assert "mal saisi" in text(page)


def test_the_facility_page_defaults_to_today(world, provider_agent, login):
    page = login(provider_agent).get("/benefits/eligibility/")

    assert page.status_code == 200
    assert "Vérifier les droits" in text(page)


def test_a_clerk_of_another_section_is_told_the_number_does_not_exist(world, clerk_b, login):
    page = login(clerk_b).get(
        "/benefits/eligibility/", {"number": world.head.number, "on": "2026-06-15"}
    )

    assert "Aucun bénéficiaire avec le numéro" in text(page)
    assert "Awa" not in text(page)


def test_the_facility_page_refuses_a_board_member_and_anonymous(world, board_member, login):
    from django.test import Client

    assert login(board_member).get("/benefits/eligibility/").status_code == 403
    assert Client().get("/benefits/eligibility/").status_code == 302


def test_a_board_member_reads_the_package(world, board_member, login):
    page = login(board_member).get(f"/benefits/packages/{world.package.pk}/")

    body = text(page)
    assert page.status_code == 200
    assert "Paquet de base" in body
    assert "La mutuelle paie 80\u00a0%, le membre paie 20\u00a0%" in body
    assert "Indigent (subventionné) : Pris en charge à 100 % par la mutuelle" in body
    assert "270 jours" in body
    assert "référence exigée" in body
    assert "Au plus 1 par bénéficiaire par période de 730 jours" in body
    assert "Le membre paie 200\u00a0XOF par visite" in body
    assert "Plafond de 300\u00a0000\u00a0XOF par bénéficiaire par année civile" in body


def test_the_package_page_is_in_english_too(world, make_user, login):
    from mutualis.core.roles import Role

    board = make_user("board_en", Role.BOARD, world.mutual, language="en")
    client = login(board)
    client.cookies["django_language"] = "en"

    body = text(client.get(f"/benefits/packages/{world.package.pk}/"))

    assert "Mutual pays 80\u00a0%, member pays 20\u00a0%" in body
    assert "Waiting period" in body


def test_the_package_pdf_is_a_pdf(world, board_member, login):
    response = login(board_member).get(f"/benefits/packages/{world.package.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_package_of_another_mutual_is_a_404(world, org_tree, make_user, login):
    from mutualis.core.roles import Role

    other = make_user("board_c", Role.BOARD, org_tree.other_mutual)

    assert login(other).get(f"/benefits/packages/{world.package.pk}/").status_code == 404
    assert login(other).get(f"/benefits/packages/{world.package.pk}/pdf/").status_code == 404


def test_the_package_list_refuses_anonymous(world):
    from django.test import Client

    assert Client().get("/benefits/").status_code == 302


def test_a_manager_imports_a_catalogue_file(world, manager, login):
    upload = SimpleUploadedFile(
        "items.csv", b"code,name,category,reference_price\nRX,Radio,imaging,10000\n"
    )

    response = login(manager).post("/benefits/catalogue/", {"file": upload}, follow=True)

    assert "1 articles ajoutés, 0 mis à jour." in text(response)
    assert CatalogueItem.objects.filter(code="RX").exists()


def test_a_bad_catalogue_file_shows_every_bad_line(world, manager, login):
    upload = SimpleUploadedFile(
        "items.csv", b"code,name,category,reference_price\nA,A,consultation,-1\nB,B,x,1\n"
    )

    body = text(login(manager).post("/benefits/catalogue/", {"file": upload}))

    assert "2 lignes ne sont pas valides ; rien n&#x27;a été importé." in body
    assert "Catégorie inconnue : x." in body
    assert not CatalogueItem.objects.filter(code__in=["A", "B"]).exists()


def test_a_board_member_cannot_import(world, board_member, login):
    upload = SimpleUploadedFile("items.csv", b"code,name,category,reference_price\n")

    assert login(board_member).post("/benefits/catalogue/", {"file": upload}).status_code == 403


def test_a_manager_creates_and_publishes_a_version(world, manager, login):
    client = login(manager)

    client.post(
        f"/benefits/packages/{world.package.pk}/versions/",
        {"effective_from": "2099-01-01", "note": "Nouveau taux"},
    )
    version = world.package.versions.get(effective_from="2099-01-01")
    page = client.post(f"/benefits/versions/{version.pk}/publish/", follow=True)

    version.refresh_from_db()
    assert version.status == "published"
    assert "Version publiée." in text(page)


def test_a_board_member_cannot_publish(world, board_member, manager, login):
    from datetime import date

    from mutualis.benefits import services

    version = services.version_create(
        actor=manager,
        package=world.package,
        effective_from=date(2099, 1, 1),
        today=date(2026, 1, 1),
    )

    assert login(board_member).post(f"/benefits/versions/{version.pk}/publish/").status_code == 403


def test_the_admin_shows_a_published_version_read_only(world, root_user, login):
    client = login(root_user)

    page = client.get(f"/admin/benefits/packageversion/{world.version.pk}/change/")
    listing = client.get("/admin/benefits/catalogueitem/")

    assert page.status_code == 200
    assert b'name="effective_from"' not in page.content
    assert listing.status_code == 200
