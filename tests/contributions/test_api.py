"""API: POST /payments (idempotent) and GET /households/{id}/statement, scoped."""

from datetime import date

import pytest
from django.test import Client

from mutualis.contributions.dues import dues_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(schedule, make_household, manager, org_tree):
    hh = make_household(size=1)
    dues_generate(actor=manager, mutual=org_tree.mutual, period="2026")
    return hh


def test_a_payment_is_recorded_once_per_idempotency_key(household, clerk_a, api_client_for):
    client = api_client_for(clerk_a)
    body = {"household_id": household.pk, "amount": "5000", "value_date": "2026-02-01"}

    first = client.post(
        "/api/v1/payments",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "pay-1"},
    )
    again = client.post(
        "/api/v1/payments",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "pay-1"},
    )
    other = client.post(
        "/api/v1/payments",
        {**body, "amount": "4000"},
        content_type="application/json",
        headers={"Idempotency-Key": "pay-1"},
    )

    assert first.status_code == 201
    assert first.json()["receipt_number"] == "MAF-2026-000001"
    assert [a["amount"] for a in first.json()["allocations"]] == ["1000.00", "500.00", "3500.00"]
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"


def test_bad_input_gets_the_one_error_shape(household, clerk_a, api_client_for):
    client = api_client_for(clerk_a)

    negative = client.post(
        "/api/v1/payments",
        {"household_id": household.pk, "amount": "-1", "value_date": "2026-02-01"},
        content_type="application/json",
    )
    currency = client.post(
        "/api/v1/payments",
        {
            "household_id": household.pk,
            "amount": "10",
            "value_date": "2026-02-01",
            "currency": "ABC",
        },
        content_type="application/json",
    )

    assert negative.status_code == 400
    assert negative.json()["code"] == "payment_invalid"
    assert "amount" in negative.json()["fields"]
    assert currency.status_code == 400
    assert "ABC" in currency.json()["message"]


def test_the_statement_shows_dues_payments_and_standing(household, clerk_a, api_client_for):
    client = api_client_for(clerk_a)
    client.post(
        "/api/v1/payments",
        {"household_id": household.pk, "amount": "5000", "value_date": "2026-02-01"},
        content_type="application/json",
    )

    body = client.get(f"/api/v1/households/{household.pk}/statement?on=2026-03-01").json()

    assert body["balance"] == "0.00"
    assert body["standing"]["in_good_standing"] is True
    assert body["standing"]["paid_until"] == "2026-12-31"
    assert len(body["dues"]) == 3 and len(body["payments"]) == 1


def test_the_api_refuses_other_sections_wrong_roles_and_anonymous(
    household, clerk_b, board_member, api_client_for
):
    body = {"household_id": household.pk, "amount": "5000", "value_date": "2026-02-01"}

    other = api_client_for(clerk_b).post("/api/v1/payments", body, content_type="application/json")
    board = api_client_for(board_member).get(f"/api/v1/households/{household.pk}/statement")
    anonymous = Client().get(f"/api/v1/households/{household.pk}/statement")

    assert other.status_code == 404
    assert board.status_code == 403
    assert anonymous.status_code == 401
    assert date(2026, 1, 1)  # fixed dates only
