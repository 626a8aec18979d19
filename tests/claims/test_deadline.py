"""A claim received after its agreement's submission deadline is rejected (DOMAIN §7,
`invalid_date`, late), and says so in the reader's language."""

from datetime import date

import pytest

from mutualis.claims.models import ClaimStatus

from .conftest import claim_input

pytestmark = pytest.mark.django_db

BODY = {
    "card_number": "1000017",
    "start_on": "2026-01-20",
    "diagnoses": ["J06.9"],
    "lines": [{"item": "CONS", "quantity": 1, "unit_price": "2000"}],
}


@pytest.fixture
def deadline(world):
    world.agreement.submission_deadline_days = 30
    world.agreement.save(update_fields=["submission_deadline_days"])
    return world.agreement


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


def test_a_claim_within_the_deadline_is_paid(deadline, submit):
    claim = submit(claim_input(start=date(2026, 2, 20)))

    assert claim.status == ClaimStatus.ACCEPTED


def test_a_claim_after_the_deadline_is_rejected_on_every_line(deadline, submit):
    claim = submit(claim_input(start=date(2026, 1, 20)))

    assert claim.status == ClaimStatus.REJECTED
    reasons = [r for ln in claim.lines.all() for r in ln.reasons]
    assert {r["code"] for r in reasons} == {"invalid_date"}
    assert reasons[0]["params"] == {"reason": "late", "deadline": "2026-02-19"}


def test_without_a_deadline_an_old_claim_is_paid(world, submit):
    assert submit(claim_input(start=date(2026, 1, 20))).status == ClaimStatus.ACCEPTED


def test_a_paper_batch_counts_from_its_received_date(deadline, world, claims_officer, submit):
    from mutualis.claims.services import batch_open

    batch = batch_open(
        actor=claims_officer,
        provider=world.agreement.provider,
        mutual=world.awa.mutual,
        reference="B-01",
        period=date(2026, 1, 1),
        received_on=date(2026, 2, 10),
        declared_count=1,
        declared_amount=2000,
    )

    claim = submit(claim_input(start=date(2026, 1, 20)), actor=claims_officer, batch=batch)

    assert claim.status == ClaimStatus.ACCEPTED


def test_the_api_says_why_a_late_claim_is_refused(deadline, provider_agent, api_client_for):
    response = api_client_for(provider_agent).post(
        "/api/v1/claims", BODY, content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "rejected"
    reason = body["lines"][0]["reasons"][0]
    assert reason["code"] == "invalid_date"
    assert reason["message"] == "La facture est arrivée après le délai (19/02/2026)."


def test_the_member_reads_the_late_reason_on_the_explanation_of_benefits(
    deadline, submit, member_user, login
):
    claim = submit(claim_input(start=date(2026, 1, 20)))

    page = login(member_user).get(f"/claims/{claim.pk}/eob/").content.decode()

    assert "La facture est arrivée après le délai (19/02/2026)." in page
