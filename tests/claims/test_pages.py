from datetime import date

import pytest
from django.test import Client

from mutualis.claims.models import Claim

from .conftest import claim_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


def _post_claim(client, **extra):
    data = {
        "card_number": "1000017",
        "start_on": "2026-03-10",
        "care_type": "out_patient",
        "diagnoses": "J06.9",
        "item_0": "cons",
        "qty_0": "1",
        "price_0": "2500",
        "item_1": "COSM",
        "qty_1": "1",
        "price_1": "1000",
        **extra,
    }
    return client.post("/claims/new/", data)


def test_an_agent_enters_a_claim_and_sees_its_decision(world, provider_agent, login):
    client = login(provider_agent)

    response = _post_claim(client)

    claim = Claim.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Partiellement approuvée" in page or "partially" in page.lower()
    assert "COSM" in page
    assert "J06.9" not in page  # an agent does not see diagnoses
    assert claim.source == "web"


def test_a_wrong_card_number_is_shown_on_the_form(world, provider_agent, login):
    response = _post_claim(login(provider_agent), card_number="123")

    assert response.status_code == 200
    assert Claim.objects.count() == 0
    assert 'role="alert"' in response.content.decode()


def test_the_claims_officer_sees_diagnoses_and_the_story(submit, claims_officer, login):
    claim = submit()

    page = login(claims_officer).get(f"/claims/{claim.pk}/").content.decode()

    assert "J06.9" in page
    assert "agent" in page.lower()


def test_the_member_sees_the_eob_of_the_household_only(submit, member_user, login, world):
    mine = submit(claim_input(lines=[("CONS", 1, 2500), ("COSM", 1, 1000)]))
    other = submit(claim_input(card="2000019"))
    client = login(member_user)

    eob = client.get(f"/claims/{mine.pk}/eob/")
    detail = client.get(f"/claims/{mine.pk}/")

    assert eob.status_code == 200
    assert "COSM" in eob.content.decode()
    assert detail.status_code == 302  # a member reads the explanation, not the file
    assert client.get(f"/claims/{other.pk}/eob/").status_code == 404
    assert "J06.9" not in eob.content.decode()


def test_the_eob_pdf_renders(submit, member_user, login):
    claim = submit()

    response = login(member_user).get(f"/claims/{claim.pk}/eob.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_provider_exports_its_claims_to_xlsx(submit, provider_agent, login):
    import io

    import polars as pl

    submit(claim_input(lines=[("CONS", 1, 2500), ("COSM", 1, 1000)]))

    response = login(provider_agent).get("/claims/export.xlsx")

    frame = pl.read_excel(io.BytesIO(response.content))
    assert frame.height == 2
    assert any(
        "forfait" in v or "package" in v or "paquet" in v
        for v in frame[frame.columns[-1]].to_list()
    )


def test_refused_access(submit, clerk_b, org_tree, make_user, login):
    from mutualis.core.roles import Role

    claim = submit()
    officer_b = make_user("officer_b", Role.CLAIMS_OFFICER, org_tree.section_b)

    assert login(officer_b).get(f"/claims/{claim.pk}/").status_code == 404
    assert login(clerk_b).get("/claims/new/").status_code == 403
    assert login(clerk_b).get("/claims/review/").status_code == 403
    assert Client().get("/claims/").status_code == 302


def test_the_review_list_shows_appealed_claims(submit, provider_agent, medical_adviser, login):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("COSM", 1, 1000)]))
    login(provider_agent).post(f"/claims/{claim.pk}/lines/1/appeal/", {"reason": "Prescrit."})

    page = login(medical_adviser).get("/claims/review/").content.decode()

    assert f"#{claim.pk}" in page


def test_a_paper_batch_is_registered_and_keyed(world, provider, claims_officer, login):
    client = login(claims_officer)

    response = client.post(
        "/claims/batches/",
        {
            "provider": provider.pk,
            "reference": "BR-02",
            "period": "2026-02-01",
            "received_on": "2026-03-05",
            "declared_count": "1",
            "declared_amount": "2000",
        },
    )
    batch_url = response["Location"]
    batch_id = batch_url.rstrip("/").split("/")[-1]
    _post_claim(Client(), card_number="1000017")  # anonymous: ignored
    keyed = client.post(
        f"/claims/new/?batch={batch_id}",
        {
            "card_number": "1000017",
            "start_on": "2026-02-10",
            "care_type": "out_patient",
            "diagnoses": "A09",
            "item_0": "CONS",
            "qty_0": "1",
            "price_0": "2000",
        },
    )
    closed = client.post(batch_url, follow=True)

    assert keyed.status_code == 302
    assert Claim.objects.get().source == "paper"
    assert "Closed" in closed.content.decode() or "Clos" in closed.content.decode()
