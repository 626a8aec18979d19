"""Medical review pages and the prior authorisation API: what each user sees, refusals."""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.claims.models import (
    ClaimStatus,
    FeedbackQuestion,
    PriorAuthorisation,
    ReviewSettings,
)
from mutualis.claims.review import LineChoice, review_decide
from mutualis.core.roles import Role
from mutualis.providers.models import Provider

from .conftest import claim_input
from .test_authorisations import imaging  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


@pytest.fixture
def sampled(submit, org_tree):
    ReviewSettings.objects.create(mutual=org_tree.mutual, random_share=100)
    return submit()


def test_the_queue_lists_sampled_claims_oldest_first_for_the_adviser(
    sampled, submit, medical_adviser, login
):
    later = submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, 11)))

    page = login(medical_adviser).get("/claims/review/").content.decode()

    assert page.index(f"#{sampled.pk}<") < page.index(f"#{later.pk}<")
    assert "Tirée au sort" in page


def test_the_queue_filters_appeals(sampled, submit, provider_agent, medical_adviser, login):
    appealed = submit(
        claim_input(lines=[("CONS", 1, 2000), ("COSM", 1, 1000)], start=date(2026, 3, 9))
    )
    login(provider_agent).post(f"/claims/{appealed.pk}/lines/1/appeal/", {"reason": "Prescrit."})

    page = login(medical_adviser).get("/claims/review/?origin=appeal").content.decode()

    assert f"#{appealed.pk}<" in page
    assert f"#{sampled.pk}<" not in page


def test_the_adviser_reduces_a_line_on_the_review_page(sampled, medical_adviser, login):
    client = login(medical_adviser)
    page = client.get(f"/claims/review/{sampled.pk}/").content.decode()
    assert "J06.9" in page  # the adviser sees diagnoses

    response = client.post(
        f"/claims/review/{sampled.pk}/",
        {"action_1": "reduce", "qty_1": "1", "reason_1": "excessive_quantity"},
    )

    sampled.refresh_from_db()
    assert response.status_code == 302
    assert sampled.mutual_share == D(5000)


def test_a_bad_review_form_shows_the_error_on_the_line(sampled, medical_adviser, login):
    response = login(medical_adviser).post(f"/claims/review/{sampled.pk}/", {"action_0": "reject"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    sampled.refresh_from_db()
    assert sampled.status == ClaimStatus.UNDER_REVIEW


def test_the_same_adviser_cannot_approve_on_the_page(
    sampled, medical_adviser, org_tree, make_user, login
):
    ReviewSettings.objects.filter(mutual=org_tree.mutual).update(four_eyes_above=0)
    client = login(medical_adviser)
    client.post(f"/claims/review/{sampled.pk}/", {"action_0": "reject", "reason_0": "other"})

    client.post(f"/claims/review/{sampled.pk}/approve/", {"approve": "1"})
    page = client.get(f"/claims/review/{sampled.pk}/").content.decode()

    assert "adviser" in page.lower() or "médecin" in page.lower() or "conseil" in page.lower()
    sampled.refresh_from_db()
    assert sampled.status == ClaimStatus.UNDER_REVIEW
    second = make_user("medecin2", Role.MEDICAL_ADVISER, org_tree.mutual)
    login(second).post(f"/claims/review/{sampled.pk}/approve/", {"approve": "1"})
    sampled.refresh_from_db()
    assert sampled.status == ClaimStatus.PARTIALLY_ACCEPTED


def test_review_pages_refuse_the_wrong_role_and_other_mutuals(
    sampled, claims_officer, clerk_a, org_tree, make_user, login
):
    elsewhere = make_user("medecin_mj", Role.MEDICAL_ADVISER, org_tree.other_mutual)

    assert login(claims_officer).get("/claims/review/").status_code == 403
    assert login(claims_officer).get(f"/claims/review/{sampled.pk}/").status_code == 403
    assert login(elsewhere).get(f"/claims/review/{sampled.pk}/").status_code == 404
    assert login(elsewhere).post(f"/claims/review/{sampled.pk}/approve/").status_code == 404
    assert login(clerk_a).get("/claims/review/settings/").status_code == 403


def test_the_adviser_and_the_manager_edit_the_settings(org_tree, medical_adviser, manager, login):
    response = login(manager).post(
        "/claims/review/settings/",
        {
            "random_share": "5",
            "seed": "2026",
            "amount_above": "50000",
            "flagged_items": "xray scan",
            "four_eyes_above": "100000",
            "authorisation_days": "5",
            "authorisation_valid_days": "30",
            "feedback_share": "2",
        },
    )

    conf = ReviewSettings.objects.get(mutual=org_tree.mutual)
    assert response.status_code == 302
    assert (conf.random_share, conf.flagged_items, conf.amount_above) == (
        D(5), ["SCAN", "XRAY"], D(50000)
    )  # fmt: skip
    assert login(medical_adviser).get("/claims/review/settings/").status_code == 200


def test_the_member_eob_shows_the_reduced_line_and_why(
    sampled, medical_adviser, member_user, login
):
    review_decide(
        actor=medical_adviser,
        claim=sampled,
        choices=[LineChoice(1, "reduce", quantity=1, reason="excessive_quantity")],
    )

    page = login(member_user).get(f"/claims/{sampled.pk}/eob/").content.decode()

    assert "Payé en partie." in page
    assert "Contrôle médical : la quantité dépasse" in page


def test_the_provider_sees_the_appeal_outcome_on_the_claim_page(
    submit, provider_agent, medical_adviser, login
):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("PARA", 2, 600)]))
    login(provider_agent).post(f"/claims/{claim.pk}/lines/1/appeal/", {"reason": "Générique."})
    review_decide(
        actor=medical_adviser, claim=claim, choices=[LineChoice(1, "keep", reason="price")]
    )

    page = login(provider_agent).get(f"/claims/{claim.pk}/").content.decode()

    assert "Rejeté" in page or "Dismissed" in page
    assert "Montant non justifié" in page or "Amount not justified" in page


# --- Prior authorisations ----------------------------------------------------------


@pytest.mark.usefixtures("imaging")
def test_an_agent_asks_on_the_page_and_the_adviser_approves(
    provider_agent,
    medical_adviser,
    login,
):
    agent = login(provider_agent)
    response = agent.post(
        "/claims/authorisations/",
        {
            "card_number": "1000017",
            "items": "XRAY",
            "planned_on": "2026-03-20",
            "justification": "Chute.",
        },
    )
    pa = PriorAuthorisation.objects.get()
    assert response.status_code == 302

    queue = login(medical_adviser).get("/claims/review/").content.decode()
    assert f"#{pa.pk}<" in queue
    login(medical_adviser).post(f"/claims/authorisations/{pa.pk}/", {"decision": "approve"})

    pa.refresh_from_db()
    page = agent.get(f"/claims/authorisations/{pa.pk}/").content.decode()
    assert pa.status == "approved"
    assert pa.reference in page


def test_an_overdue_request_is_highlighted_in_the_queue(ask, medical_adviser, login):
    pa = ask()  # asked on 2 March, due 7 March

    page = login(medical_adviser).get("/claims/review/").content.decode()

    assert f'class="overdue"><td><a href="/claims/authorisations/{pa.pk}/"' in page


def test_authorisation_pages_refuse_other_providers_and_the_wrong_role(
    ask,
    org_tree,
    make_user,
    clerk_a,
    provider_agent,
    login,
):
    pa = ask()
    other = Provider.objects.create(
        organisation=org_tree.mutual, code="H2", name="Hôpital", kind="district_hospital"
    )
    agent2 = make_user("agent2", Role.PROVIDER_AGENT, org_tree.mutual, provider=other)

    assert login(agent2).get(f"/claims/authorisations/{pa.pk}/").status_code == 404
    assert f"#{pa.pk}<" not in login(agent2).get("/claims/authorisations/").content.decode()
    assert login(clerk_a).get("/claims/authorisations/").status_code == 403
    assert (
        login(provider_agent).post(f"/claims/authorisations/{pa.pk}/", {"decision": "approve"})
    ).status_code == 404
    pa.refresh_from_db()
    assert pa.status == "requested"


@pytest.mark.usefixtures("imaging")
def test_the_prior_authorisation_api(
    provider_agent,
    org_tree,
    make_user,
    api_client_for,
):
    api = api_client_for(provider_agent)
    body = {
        "card_number": "1000017",
        "items": ["XRAY"],
        "planned_on": "2026-12-20",
        "justification": "Chute.",
    }

    created = api.post("/api/v1/prior-authorisations", body, content_type="application/json")
    bad = api.post(
        "/api/v1/prior-authorisations", {**body, "items": []}, content_type="application/json"
    )

    assert created.status_code == 201
    pa_id = created.json()["id"]
    assert created.json()["status"] == "requested"
    assert api.get(f"/api/v1/prior-authorisations/{pa_id}").json()["items"] == ["XRAY"]
    assert bad.status_code == 400 and "items" in bad.json()["fields"]
    other = Provider.objects.create(
        organisation=org_tree.mutual, code="H2", name="Hôpital", kind="district_hospital"
    )
    agent2 = make_user("agent2", Role.PROVIDER_AGENT, org_tree.mutual, provider=other)
    assert api_client_for(agent2).get(f"/api/v1/prior-authorisations/{pa_id}").status_code == 404


# --- Feedback ------------------------------------------------------------------------


@pytest.fixture
def asked(submit, org_tree):
    ReviewSettings.objects.create(mutual=org_tree.mutual, feedback_share=100)
    return submit().feedback


def test_the_member_answers_on_the_own_page_and_the_provider_page_counts_it(
    asked, member_user, manager, provider, login
):
    client = login(member_user)
    assert f"/claims/feedback/{asked.pk}/" in client.get("/claims/feedback/").content.decode()

    response = client.post(
        f"/claims/feedback/{asked.pk}/",
        {"care_received": "no", "extra_charged": "yes", "extra_amount": "1000"},
    )

    assert response.status_code == 302
    assert FeedbackQuestion.objects.get().care_received is False
    page = login(manager).get(f"/providers/{provider.pk}/").content.decode()
    assert "100 %" in page


def test_feedback_pages_refuse_other_sections_and_the_wrong_role(
    asked, clerk_b, board_member, login
):
    assert login(clerk_b).get(f"/claims/feedback/{asked.pk}/").status_code == 404
    assert login(board_member).get("/claims/feedback/").status_code == 403


@pytest.fixture
def ask(request, provider, provider_agent):
    from mutualis.claims.authorisations import authorisation_request

    request.getfixturevalue("imaging")

    def do():
        return authorisation_request(
            actor=provider_agent,
            provider=provider,
            card_number="1000017",
            items=["XRAY"],
            planned_on=date(2026, 3, 5),
            justification="Chute.",
            today=date(2026, 3, 2),
        )

    return do
