"""Corrections from the web: the entry form pre-filled with the original claim;
submitting it replaces the original, with links both ways (DOMAIN §7)."""

from datetime import date

import pytest

from mutualis.claims.models import Claim, ClaimStatus
from mutualis.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


def _form(page_data: dict, **changes) -> dict:
    return {**page_data, **changes}


BASE = {
    "start_on": "2026-03-10",
    "care_type": "out_patient",
    "diagnoses": "J06.9",
    "item_0": "CONS",
    "qty_0": "1",
    "price_0": "2000",
    "item_1": "PARA",
    "qty_1": "2",
    "price_1": "500",
    "item_2": "NFS",
    "qty_2": "1",
    "price_2": "3000",
}


def test_the_agent_sees_the_form_filled_with_the_claim(submit, provider_agent, login):
    original = submit()

    page = login(provider_agent).get(f"/claims/{original.pk}/correct/").content.decode()

    assert f"Correction de la facture n°{original.pk}" in page
    assert 'value="1000017"' in page and 'value="NFS"' in page
    assert 'value="J06.9"' not in page  # agents do not read diagnoses: they type them again


def test_the_officer_gets_the_diagnoses_in_the_form(submit, claims_officer, login):
    original = submit()

    page = login(claims_officer).get(f"/claims/{original.pk}/correct/").content.decode()

    assert 'value="J06.9"' in page


def test_a_correction_replaces_the_original_with_links_both_ways(submit, provider_agent, login):
    original = submit()
    client = login(provider_agent)

    response = client.post(
        f"/claims/{original.pk}/correct/", _form(BASE, qty_1="1", item_2=""), follow=True
    )

    correction = Claim.objects.exclude(pk=original.pk).get()
    original.refresh_from_db()
    assert original.status == ClaimStatus.REPLACED
    assert correction.corrects_id == original.pk
    assert [ln.item_code for ln in correction.lines.all()] == ["CONS", "PARA"]
    page = response.content.decode()
    assert f'href="/claims/{original.pk}/"' in page
    old_page = client.get(f"/claims/{original.pk}/").content.decode()
    assert "Remplacée par une correction" in old_page
    assert f'href="/claims/{correction.pk}/"' in old_page
    assert "Corriger cette facture" not in old_page


def test_the_officer_corrects_a_claim_of_the_section(submit, claims_officer, login):
    original = submit()

    login(claims_officer).post(f"/claims/{original.pk}/correct/", BASE)

    original.refresh_from_db()
    assert original.status == ClaimStatus.REPLACED
    assert Claim.objects.get(corrects=original).entered_by == claims_officer


def test_a_replaced_claim_cannot_be_corrected_again(submit, provider_agent, login):
    original = submit()
    client = login(provider_agent)
    client.post(f"/claims/{original.pk}/correct/", BASE)

    again = client.post(f"/claims/{original.pk}/correct/", BASE)

    assert again.status_code == 409
    assert "déjà été remplacée" in again.content.decode()
    assert Claim.objects.count() == 2


def test_bad_lines_are_shown_on_the_correction_form(submit, provider_agent, login):
    original = submit()

    response = login(provider_agent).post(f"/claims/{original.pk}/correct/", _form(BASE, qty_0="0"))

    assert response.status_code == 200
    assert "La quantité" in response.content.decode()
    assert Claim.objects.get().status != ClaimStatus.REPLACED


def test_refused_access(submit, org_tree, make_user, provider, medical_adviser, login):
    from mutualis.providers.models import Provider

    original = submit()
    other = Provider.objects.create(
        organisation=org_tree.mutual, code="CS2", name="Centre B", kind="health_centre"
    )
    other_agent = make_user("agent_b", Role.PROVIDER_AGENT, org_tree.mutual, provider=other)
    accountant = make_user("compta", Role.ACCOUNTANT, org_tree.mutual)

    assert login(other_agent).get(f"/claims/{original.pk}/correct/").status_code == 404
    assert login(medical_adviser).get(f"/claims/{original.pk}/correct/").status_code == 403
    assert login(accountant).post(f"/claims/{original.pk}/correct/", BASE).status_code == 403
    assert Claim.objects.count() == 1


def test_the_api_refuses_to_correct_a_replaced_claim(submit, provider_agent, api_client_for):
    original = submit()
    api = api_client_for(provider_agent)
    body = {
        "card_number": "1000017",
        "start_on": "2026-03-10",
        "diagnoses": ["J06.9"],
        "lines": [{"item": "CONS", "quantity": 1, "unit_price": "2000"}],
        "corrects_id": original.pk,
    }
    assert api.post("/api/v1/claims", body, content_type="application/json").status_code == 201

    again = api.post("/api/v1/claims", body, content_type="application/json")

    assert again.status_code == 409
    assert again.json()["code"] == "already_replaced"
