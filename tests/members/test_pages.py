import subprocess
from datetime import date

import pytest
from django.test import Client, override_settings

from mutualis.core.roles import Role
from mutualis.members import services
from mutualis.members.cards import payload_for
from mutualis.members.models import Household, MemberImport, Person, Relationship

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def text(response) -> str:
    return response.content.decode()


def test_the_clerk_finds_a_member_by_a_name_without_accents(household, clerk_a, login):
    response = login(clerk_a).get("/members/", {"q": "ndiaye helene"})

    assert response.status_code == 200
    assert "Hélène NDIAYE" in text(response)
    assert household.number in text(response)


def test_a_mistyped_number_is_explained_in_french(household, clerk_a, login):
    head = household.memberships.get(relationship="head")
    wrong = head.number[:-1] + str((int(head.number[-1]) + 1) % 10)

    response = login(clerk_a).get("/members/", {"q": wrong})

    assert response.status_code == 200
    assert "n’est pas valide" in text(response) or "n'est pas valide" in text(response)


def test_enrolling_a_household_from_the_form(org_tree, clerk_a, login):
    data = {
        "section": org_tree.section_a.pk,
        "joined_on": "2026-02-01",
        "category": "informal",
        "locality": "Pout",
        "activate": "on",
        "p-TOTAL_FORMS": "6",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "12",
        "p-0-last_name": "Sow",
        "p-0-first_name": "Aminata",
        "p-0-sex": "F",
        "p-0-relationship": "head",
        "p-0-birth_year": "1979",
        "p-1-last_name": "Sow",
        "p-1-first_name": "Issa",
        "p-1-sex": "M",
        "p-1-relationship": "child",
        "p-1-birth_year": "2012",
    }

    response = login(clerk_a).post("/members/enrol/", data, follow=True)

    assert response.status_code == 200
    household = Household.objects.get()
    assert household.memberships.count() == 2
    assert "Aminata SOW" in text(response)
    assert household.locality == "Pout"


def test_the_enrol_form_shows_errors_in_french_on_the_row(org_tree, clerk_a, login):
    data = {
        "section": org_tree.section_a.pk,
        "joined_on": "2026-02-01",
        "category": "informal",
        "p-TOTAL_FORMS": "2",
        "p-INITIAL_FORMS": "0",
        "p-0-last_name": "Sow",
        "p-0-first_name": "Aminata",
        "p-0-sex": "F",
        "p-0-phone": "12",
        "p-1-last_name": "Sow",
        "p-1-sex": "M",
        "p-1-relationship": "child",
    }

    response = login(clerk_a).post("/members/enrol/", data)

    assert response.status_code == 200
    assert "pas un numéro de téléphone" in text(response)
    assert Household.objects.count() == 0


def test_the_household_page_shows_history_and_cover_at_a_past_date(household, clerk_a, login):
    head = household.memberships.get(relationship="head")
    services.membership_suspend(actor=clerk_a, membership=head, on=date(2026, 4, 1))
    client = login(clerk_a)

    now = client.get(f"/members/households/{household.pk}/", {"on": "2026-05-01"})
    before = client.get(f"/members/households/{household.pk}/", {"on": "2026-03-01"})

    assert "Suspendu" in text(now)
    assert text(before).count("couvert") >= 4
    assert "Paquet de base" in text(before)


def test_a_clerk_gets_404_for_a_household_of_another_section(household, clerk_b, login):
    client = login(clerk_b)
    head = household.memberships.get(relationship="head")

    assert client.get(f"/members/households/{household.pk}/").status_code == 404
    assert client.get(f"/members/beneficiaries/{head.pk}/card.pdf").status_code == 404
    assert client.post(f"/members/beneficiaries/{head.pk}/card/").status_code == 404
    assert client.get(f"/members/persons/{head.person_id}/edit/").status_code == 404
    assert client.get(f"/members/households/{household.pk}/transfer/").status_code == 404


def test_a_board_member_may_not_see_the_register(household, board_member, login):
    assert login(board_member).get("/members/").status_code == 403
    assert login(board_member).get("/members/enrol/").status_code == 403
    assert login(board_member).get("/members/import/").status_code == 403


def test_an_auditor_reads_but_may_not_change(household, auditor, login):
    client = login(auditor)

    assert client.get(f"/members/households/{household.pk}/").status_code == 200
    assert client.get(f"/members/households/{household.pk}/resign/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in ("/members/", "/members/enrol/", "/members/mine/", "/members/import/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_card_pdf_has_the_name_number_and_mutual(household, clerk_a, login, tmp_path):
    head = household.memberships.get(relationship="head")
    client = login(clerk_a)

    issued = client.post(f"/members/beneficiaries/{head.pk}/card/", follow=True)

    assert issued.status_code == 200
    assert issued["Content-Type"] == "application/pdf"
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(b"".join(issued.streaming_content) if issued.streaming else issued.content)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Hélène NDIAYE" in out
    assert "Mutuelle And Fagaru" in out
    assert head.number[:4] in out.replace(" ", "")[:0] or head.number[:4] in out


def test_the_verify_page_tells_anonymous_only_genuine_and_valid(household, clerk_a):
    head = household.memberships.get(relationship="head")
    card = services.card_issue(actor=clerk_a, membership=head, on=date(2026, 3, 1))

    with override_settings(TIME_ZONE="Africa/Dakar"):
        response = Client().get(f"/verify/{payload_for(card)}/")

    assert response.status_code == 200
    assert "NDIAYE" not in text(response)
    assert "Carte authentique" in text(response) or "authentique" in text(response)
    forged = Client().get(f"/verify/{payload_for(card)[:-2]}AA/")
    assert "pas authentique" in text(forged)


def test_a_provider_agent_also_sees_name_and_status(household, clerk_a, provider_agent, login):
    head = household.memberships.get(relationship="head")
    card = services.card_issue(actor=clerk_a, membership=head, on=date(2026, 3, 1))

    response = login(provider_agent).get(f"/verify/{payload_for(card)}/")

    assert "Hélène NDIAYE" in text(response)
    assert "Actif" in text(response)


def test_the_member_sees_the_own_household(household, make_user, org_tree, login):
    user = make_user("adherent", Role.MEMBER, org_tree.mutual)
    Person.objects.filter(pk=household.head_id).update(user=user)

    response = login(user).get("/members/mine/")

    assert response.status_code == 200
    assert household.number in text(response)
    assert "Imprimer la carte" not in text(response)
    assert login(user).get(f"/members/households/{household.pk}/").status_code == 403


def test_a_photo_is_served_only_to_those_who_may_see_the_member(household, clerk_b, login):
    from django.core.files.base import ContentFile

    head = household.memberships.get(relationship="head")
    head.person.photo.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"), save=True)

    assert login(clerk_b).get(f"/members/beneficiaries/{head.pk}/photo/").status_code == 404
    assert Client().get(f"/members/beneficiaries/{head.pk}/photo/").status_code == 302


@override_settings(TASKS=IMMEDIATE)
def test_the_import_page_imports_and_offers_the_error_report(org_tree, clerk_a, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        b"id_menage,id_personne,lien,nom,prenoms,sexe,section\n"
        b"H1,P1,chef,Diop,Awa,F,MAF-A\n"
        b"H1,P2,enfant,Diop,Modou,Z,\n"
    )
    client = login(clerk_a)

    response = client.post(
        "/members/import/",
        {"mutual": org_tree.mutual.pk, "file": SimpleUploadedFile("m.csv", content)},
        follow=True,
    )

    job = MemberImport.objects.get()
    assert (job.rows_imported, job.rows_failed) == (1, 1)
    assert "Télécharger le rapport d’erreurs" in text(response) or "rapport" in text(response)
    report = client.get(f"/members/import/{job.pk}/errors.csv")
    assert "Modou" in report.content.decode("utf-8-sig")


def test_the_import_template_downloads_with_french_headers(clerk_a, login):
    response = login(clerk_a).get("/members/import/template.csv", {"lang": "fr"})

    assert response.content.decode().startswith("id_menage,id_personne,lien,nom,prenoms")


def test_a_status_change_from_the_page(household, clerk_a, login):
    child = household.memberships.filter(relationship=Relationship.CHILD).first()

    response = login(clerk_a).post(
        f"/members/beneficiaries/{child.pk}/status/",
        {"action": "remove", "on": "2026-06-01", "note": "mariage"},
        follow=True,
    )

    assert response.status_code == 200
    child.refresh_from_db()
    assert child.status == "resigned"
