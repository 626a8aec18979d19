"""Governance pages: what the board, the manager and the clerk see, and refusals."""

import subprocess
from datetime import date

import pytest
from django.test import Client

from mutualis.core.roles import Role
from mutualis.governance import services
from mutualis.governance.models import Complaint

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_governance_home_lists_the_assemblies(assembly, board_member, login):
    response = login(board_member).get("/governance/")

    assert response.status_code == 200
    assert "AG ordinaire 2026" in text(response)
    assert 'href="/governance/"' in text(response)  # the menu entry


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get("/governance/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_another_mutual_gets_404_for_the_assembly_pages(assembly, board_c, login):
    client = login(board_c)

    for url in (
        f"/governance/assemblies/{assembly.pk}/",
        f"/governance/assemblies/{assembly.pk}/checkin/",
        f"/governance/assemblies/{assembly.pk}/minutes.pdf",
        f"/governance/assemblies/{assembly.pk}/electorate/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_provider_agent_is_refused_governance(provider_agent, login):
    assert login(provider_agent).get("/governance/").status_code == 403


def test_a_clerk_may_not_create_a_ga(clerk_a, login):
    assert login(clerk_a).get("/governance/assemblies/new/").status_code == 403


def test_a_manager_creates_a_ga_from_the_page(registry, org_tree, manager, login):
    response = login(manager).post(
        "/governance/assemblies/new/",
        {
            "organisation": org_tree.mutual.pk,
            "kind": "ordinary",
            "title": "AG 2027",
            "held_on": "2027-06-12",
            "place": "Thiès",
            "agenda": "Comptes",
            "cutoff_on": "2027-05-31",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "AG 2027" in text(response)


def test_a_late_convocation_is_explained_in_french(registry, org_tree, manager, login):
    ga = services.assembly_create(
        actor=manager,
        organisation=org_tree.mutual,
        title="AG",
        held_on=date(2026, 6, 13),
        place="Thiès",
        agenda="Comptes",
        cutoff_on=date(2026, 5, 31),
    )

    response = login(manager).post(
        f"/governance/assemblies/{ga.pk}/convene/", {"v-sent_on": "2026-06-05"}, follow=True
    )

    assert "au moins 15 jours" in text(response)
    assert "29/05/2026" in text(response)


def test_the_check_in_desk_refuses_a_second_check_in_in_french(assembly, registry, manager, login):
    client = login(manager)
    url = f"/governance/assemblies/{assembly.pk}/checkin/"
    client.post(url, {"c-number": registry.n(0)})

    response = client.post(url, {"c-number": registry.n(0)})

    assert "déjà enregistré" in text(response)
    assert assembly.attendances.count() == 1


def test_the_check_in_desk_refuses_a_proxy_above_the_limit(assembly, registry, manager, login):
    client = login(manager)
    url = f"/governance/assemblies/{assembly.pk}/checkin/"
    client.post(url, {"c-number": registry.n(0)})
    client.post(url, {"p-giver": registry.n(1), "p-holder": registry.n(0)})

    response = client.post(url, {"p-giver": registry.n(2), "p-holder": registry.n(0)})

    assert "les statuts en permettent 1" in text(response)


def test_the_chair_screen_shows_live_quorum(assembly, registry, manager, board_member, login):
    for i in range(5):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))

    response = login(board_member).get(f"/governance/assemblies/{assembly.pk}/screen/")

    assert 'http-equiv="refresh"' in text(response)
    assert "Quorum atteint" in text(response)
    assert 'data-figure="present">5<' in text(response)


def test_the_electorate_is_printable_and_letters_and_sms_are_downloadable(
    assembly, registry, org_tree, manager, login, tmp_path
):
    client = login(manager)

    listing = client.get(f"/governance/assemblies/{assembly.pk}/electorate/")
    page = text(client.get(f"/governance/assemblies/{assembly.pk}/"))
    letters = client.get(
        f"/governance/assemblies/{assembly.pk}/letters.pdf?section={org_tree.section_a.pk}&part=1"
    )
    sms = client.get(f"/governance/assemblies/{assembly.pk}/sms.csv")

    assert registry.n(0) in text(listing)
    assert f"section={org_tree.section_a.pk}&amp;part=1" in page
    assert letters["Content-Type"] == "application/pdf"
    path = tmp_path / "letters.pdf"
    path.write_bytes(letters.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "Pages:           6" in info  # one letter per voter of section A
    body = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Convocation à l'Assemblée générale" in body
    assert registry.n(0) in body
    lines = sms.content.decode().splitlines()
    assert lines[0] == "phone;number;name;message"
    assert len(lines) == 11
    assert "Salle des fêtes de Thiès" in lines[1]


def test_the_minutes_pdf_shows_what_was_recorded(assembly, registry, manager, login, tmp_path):
    for i in range(6):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))
    resolution = services.resolution_add(
        actor=manager, assembly=assembly, kind="accounts", title="Approbation des comptes 2025"
    )
    services.resolution_record(
        actor=manager, resolution=resolution, votes_for=5, against=1, abstain=0
    )
    services.assembly_close(
        actor=manager, assembly=assembly, chair="Awa Diop", secretary="Fatou Sarr"
    )

    response = login(manager).get(f"/governance/assemblies/{assembly.pk}/minutes.pdf")

    path = tmp_path / "pv.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    minutes = out.stdout
    assert "Procès-verbal de l'Assemblée générale" in minutes
    assert "Approbation des comptes 2025" in minutes
    assert "Adoptée" in minutes
    assert "Awa Diop" in minutes
    assert "PROJET" not in minutes


def test_a_clerk_records_a_complaint_and_another_section_cannot_see_it(
    registry, org_tree, clerk_a, clerk_b, login
):
    response = login(clerk_a).post(
        "/governance/complaints/",
        {
            "section": org_tree.section_a.pk,
            "kind": "complaint",
            "number": registry.n(0),
            "subject": "Médicament manquant",
            "description": "La pharmacie n'avait pas le médicament.",
            "received_on": "2026-03-02",
        },
        follow=True,
    )
    complaint = Complaint.objects.get()

    assert "Médicament manquant" in text(response)
    assert complaint.due_on == date(2026, 4, 1)
    assert login(clerk_b).get(f"/governance/complaints/{complaint.pk}/").status_code == 404


def test_the_indicators_page_shows_the_attendance_rate(assembly, registry, manager, login):
    for i in range(5):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))
    services.assembly_close(actor=manager, assembly=assembly, chair="A", secretary="B")

    response = login(manager).get("/governance/indicators/?year=2026")

    assert "50,0" in text(response)


def test_the_pages_of_the_register_render(assembly, board_member, login):
    client = login(board_member)

    for url in ("/governance/mandates/", "/governance/meetings/", "/governance/decisions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) < 100_000


def test_the_election_page_shows_seats_and_station_counts(assembly, registry, manager, login):
    for i in range(5):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))
    election = services.election_open(actor=manager, assembly=assembly, position=registry.board)
    a = services.candidate_add(actor=manager, election=election, number=registry.n(0))
    services.station_tally_record(
        actor=manager,
        election=election,
        station="Bureau de Khombole",
        ballots=5,
        blank_or_spoilt=1,
        votes={a.pk: 4},
    )
    services.election_decide(actor=manager, election=election)

    page = text(login(manager).get(f"/governance/elections/{election.pk}/"))

    assert "2 sièges" in page
    assert "Bureau de Khombole" in page
    assert "Élu(e)" in page


def test_the_board_saves_the_statutes_and_another_mutual_gets_404(
    registry, org_tree, board_member, board_c, login
):
    url = f"/governance/statutes/{org_tree.mutual.pk}/"
    data = {
        "s-mandate_years": 4,
        "s-term_limit": "",
        "s-quorum_ordinary_first": "1/3",
        "s-quorum_ordinary_second": "0",
        "s-quorum_extraordinary_first": "2/3",
        "s-quorum_extraordinary_second": "1/2",
        "s-majority_ordinary": "absolute",
        "s-majority_statutes": "two_thirds",
        "s-abstentions_count": "on",
        "s-max_proxies": 2,
        "s-notice_days": 21,
        "s-tie_break": "seniority",
        "s-ga_deadline_month": 6,
        "s-complaint_days": 15,
        "s-youth_age": 35,
    }

    response = login(board_member).post(url, data, follow=True)

    assert "Les statuts ont été enregistrés." in text(response)
    statutes = org_tree.mutual.statutes
    statutes.refresh_from_db()
    assert (statutes.mandate_years, statutes.term_limit, statutes.max_proxies) == (4, None, 2)
    assert statutes.majority_ordinary == "absolute"
    assert login(board_c).get(url).status_code == 404


def test_a_clerk_sees_the_statutes_page_refused(registry, org_tree, clerk_a, login):
    # A section clerk has no right over the mutual's statutes: the mutual is outside
    # the section's subtree, so it is not found.
    assert login(clerk_a).get(f"/governance/statutes/{org_tree.mutual.pk}/").status_code == 404


def test_a_mandate_is_recorded_and_listed_with_its_end(registry, org_tree, manager, login):
    client = login(manager)

    response = client.post(
        "/governance/mandates/",
        {
            "position": registry.president.pk,
            "number": registry.n(2),
            "start_on": "2026-06-13",
            "end_on": "",
        },
        follow=True,
    )

    page = text(response)
    assert "Le mandat a été enregistré." in page
    assert str(registry.adherents[2].person) in text(client.get("/governance/mandates/?show=all"))


def test_a_board_meeting_is_recorded_with_its_decisions(registry, org_tree, manager, login):
    response = login(manager).post(
        "/governance/meetings/",
        {
            "organisation": org_tree.mutual.pk,
            "body": "board",
            "held_on": "2026-09-05",
            "place": "Siège",
            "decisions": "Campagne de recouvrement en octobre.\nRenégocier la convention.",
        },
        follow=True,
    )

    page = text(response)
    assert "La réunion a été enregistrée." in page
    assert "Campagne de recouvrement en octobre." in page
    register = text(login(manager).get("/governance/decisions/"))
    assert "Renégocier la convention." in register


def test_a_complaint_is_answered_from_its_page(registry, org_tree, clerk_a, login):
    complaint = services.complaint_submit(
        actor=clerk_a,
        section=org_tree.section_a,
        subject="Carte perdue",
        description="Le membre a perdu sa carte.",
        received_on=date(2026, 3, 2),
    )
    client = login(clerk_a)

    client.post(f"/governance/complaints/{complaint.pk}/", {"a-on": "2026-03-03"})
    response = client.post(
        f"/governance/complaints/{complaint.pk}/",
        {"r-answer": "Nouvelle carte imprimée.", "r-on": "2026-03-04"},
        follow=True,
    )

    assert "Nouvelle carte imprimée." in text(response)
    assert "Répondue" in text(response)
    complaint.refresh_from_db()
    assert complaint.acknowledged_on == date(2026, 3, 3)


@pytest.fixture
def member_user(registry, org_tree, make_user):
    user = make_user("awa", Role.MEMBER, org_tree.section_a)
    person = registry.adherents[0].person
    person.user = user
    person.save()
    return user


def test_a_member_sees_the_ga_and_writes_to_the_mutual(assembly, member_user, login):
    client = login(member_user)

    page = text(client.get("/governance/", follow=True))
    response = client.post(
        "/governance/mine/",
        {
            "membership": member_user.person.memberships.get().pk,
            "kind": "suggestion",
            "subject": "Ouvrir le samedi",
            "description": "Le guichet pourrait ouvrir le samedi matin.",
        },
        follow=True,
    )

    assert "AG ordinaire 2026" in page
    assert "Salle des fêtes de Thiès" in page
    assert "Ouvrir le samedi" in text(response)
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.kind) == ("member_account", "suggestion")


def test_a_member_reads_the_signed_minutes_but_not_the_draft_nor_the_desk(
    assembly, registry, manager, member_user, login
):
    client = login(member_user)
    draft = client.get(f"/governance/assemblies/{assembly.pk}/minutes.pdf")
    for i in range(5):
        services.check_in(actor=manager, assembly=assembly, number=registry.n(i))
    services.assembly_close(actor=manager, assembly=assembly, chair="A", secretary="B")

    signed = client.get(f"/governance/assemblies/{assembly.pk}/minutes.pdf")

    assert draft.status_code == 404
    assert signed.status_code == 200
    assert signed.content.startswith(b"%PDF")
    assert client.get(f"/governance/assemblies/{assembly.pk}/checkin/").status_code == 404


def test_a_user_without_a_member_record_gets_404_on_the_member_page(clerk_a, login):
    assert login(clerk_a).get("/governance/mine/").status_code == 404


def test_a_section_clerk_reads_the_mutuals_ga_but_neither_manages_it_nor_lists_its_voters(
    assembly, clerk_a, login
):
    client = login(clerk_a)

    home = text(client.get("/governance/"))
    assert "AG ordinaire 2026" in home
    page = client.get(f"/governance/assemblies/{assembly.pk}/")
    assert page.status_code == 200
    assert "AG ordinaire 2026" in text(page)
    assert f"/governance/assemblies/{assembly.pk}/electorate/" not in text(page)
    assert f"/governance/assemblies/{assembly.pk}/convene/" not in text(page)
    # The lists of members of the whole mutual and the chair's tools stay outside the
    # section's scope, and so does every change.
    for url in (
        f"/governance/assemblies/{assembly.pk}/checkin/",
        f"/governance/assemblies/{assembly.pk}/electorate/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/governance/assemblies/{assembly.pk}/convene/", {"v-sent_on": "2026-03-01"}
    )
    assert response.status_code == 404
