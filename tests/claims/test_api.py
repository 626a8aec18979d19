from datetime import date

import pytest
from django.test import Client

from mutualis.claims.models import Claim

pytestmark = pytest.mark.django_db

BODY = {
    "card_number": "1000017",
    "start_on": "2026-03-10",
    "diagnoses": ["J06.9"],
    "lines": [
        {"item": "CONS", "quantity": 1, "unit_price": "2500"},
        {"item": "PARA", "quantity": 2, "unit_price": "500"},
        {"item": "COSM", "quantity": 1, "unit_price": "1000"},
    ],
}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


@pytest.fixture
def agent_api(world, provider_agent, api_client_for):
    return api_client_for(provider_agent)


def test_a_claim_posted_by_an_agent_is_decided_at_once(agent_api):
    response = agent_api.post(
        "/api/v1/claims", BODY, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "partially_accepted"
    assert [ln["status"] for ln in body["lines"]] == ["accepted", "accepted", "rejected"]
    assert body["lines"][0]["accepted"] == "2000"
    assert (
        body["lines"][0]["notes"][0]["message"]
        == "Prix ramené au tarif convenu de 2\u00a0000\u00a0XOF par unité."
    )
    assert body["lines"][2]["reasons"][0]["code"] == "not_in_package"
    assert body["mutual_share"] == "2400"


def test_the_same_key_posted_twice_is_one_claim(agent_api):
    first = agent_api.post(
        "/api/v1/claims", BODY, content_type="application/json", headers={"Idempotency-Key": "k2"}
    )
    second = agent_api.post(
        "/api/v1/claims", BODY, content_type="application/json", headers={"Idempotency-Key": "k2"}
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"card_number": "0000000"}, "unknown_beneficiary", "card_number"),
        ({"start_on": "2026-04-01"}, "invalid_date", "start_on"),
        (
            {"lines": [{"item": "CONS", "quantity": -2, "unit_price": "1"}]},
            "invalid_claim",
            "lines.0.quantity",
        ),
        (
            {"lines": [{"item": "ZZZ", "quantity": 1, "unit_price": "1"}]},
            "unknown_item",
            "lines.0.item",
        ),
        ({"diagnoses": ["XYZ"]}, "invalid_diagnosis", "diagnoses.0"),
        ({"start_on": "not a date"}, "invalid", "start_on"),
    ],
)
def test_bad_claims_get_a_clear_400(agent_api, change, code, field):
    response = agent_api.post("/api/v1/claims", {**BODY, **change}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert Claim.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(agent_api):
    response = agent_api.post("/api/v1/claims", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}


def test_anonymous_callers_are_refused(world):
    assert Client().post("/api/v1/claims", BODY, content_type="application/json").status_code == 401


def test_a_clerk_cannot_submit_claims(world, clerk_a, api_client_for, provider):
    response = api_client_for(clerk_a).post(
        "/api/v1/claims", {**BODY, "provider_id": provider.pk}, content_type="application/json"
    )

    assert response.status_code in (403, 404)


def test_claims_of_another_section_are_not_found_for_its_clerk_and_agents_see_their_own(
    agent_api, world, org_tree, make_user, api_client_for
):
    from mutualis.core.roles import Role

    claim_id = agent_api.post("/api/v1/claims", BODY, content_type="application/json").json()["id"]
    officer_b = make_user("officer_b", Role.CLAIMS_OFFICER, org_tree.section_b)

    assert api_client_for(officer_b).get(f"/api/v1/claims/{claim_id}").status_code == 404
    assert agent_api.get(f"/api/v1/claims/{claim_id}").status_code == 200
    assert [c["id"] for c in agent_api.get("/api/v1/claims").json()] == [claim_id]


def test_an_agent_appeals_a_rejected_line(agent_api):
    claim_id = agent_api.post("/api/v1/claims", BODY, content_type="application/json").json()["id"]

    response = agent_api.post(
        f"/api/v1/claims/{claim_id}/lines/3/appeal",
        {"reason": "Soin prescrit."},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert agent_api.get(f"/api/v1/claims/{claim_id}").json()["status"] == "under_review"


def test_a_claim_is_submitted_in_a_fixed_number_of_queries(
    agent_api, world, django_assert_max_num_queries
):
    agent_api.post("/api/v1/claims", BODY, content_type="application/json")
    body = {**BODY, "card_number": "1000025", "start_on": "2026-03-11"}

    # token with grants, provider, beneficiary with catalogue items, household lock,
    # idempotency key, rights (cover, history, versions, dues and payments in one),
    # consumption, agreements with tariffs, then the writes: on PostgreSQL one statement
    # (claim, its history row, lines, events, audit event, counter: core.rows.
    # insert_family), elsewhere six; the mutual's review settings (medical-review
    # sampling); plus the transaction's savepoint and release.
    from django.db import connection

    with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 17):
        response = agent_api.post(
            "/api/v1/claims",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "q"},
        )

    assert response.status_code == 201
    assert [ln["status"] for ln in response.json()["lines"]] == ["accepted", "accepted", "rejected"]
