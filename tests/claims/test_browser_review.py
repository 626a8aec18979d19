"""Done when (issue 7): a batch is run from the button with its progress shown; a sampled
claim appears in the review queue; the adviser reduces a line; above the threshold a
second adviser confirms; the member's explanation of benefits shows the reduced line with
its reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from mutualis.claims.batch import claim_defer
from mutualis.claims.models import ReviewSettings
from mutualis.core.roles import Role
from tests.conftest import PASSWORD

from .conftest import TODAY, claim_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: TODAY)


def _sign_in(page, url, username):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"), timeout=20_000)


def test_a_sampled_claim_is_reduced_confirmed_by_a_second_adviser_and_explained(
    page: Page, live_server, world, org_tree, provider, provider_agent, make_user
):
    ReviewSettings.objects.create(mutual=org_tree.mutual, random_share=100, four_eyes_above=1000)
    make_user("dr_one", Role.MEDICAL_ADVISER, org_tree.mutual, language="en")
    make_user("dr_two", Role.MEDICAL_ADVISER, org_tree.mutual, language="en")
    member = make_user("awa", Role.MEMBER, org_tree.section_a, language="fr")
    world.awa.person.user = member
    world.awa.person.save(update_fields=["user"])
    make_user("officer_en", Role.CLAIMS_OFFICER, org_tree.mutual, language="en")
    # CONS 2 000, PARA 2 × 500, NFS 3 000 (the mutual pays 5 400), stored for the batch.
    claim = claim_defer(actor=provider_agent, provider=provider, data=claim_input(), today=TODAY)

    _sign_in(page, live_server.url, "officer_en")
    page.goto(f"{live_server.url}/claims/adjudicate/")
    page.get_by_role("button", name="Decide the waiting claims").click()
    expect(page).to_have_url(re.compile(r"/batches/\d+/"))
    expect(page.get_by_text("Succeeded")).to_be_visible()
    expect(page.get_by_text("3 of 3 rows, 0 failed")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "under_review"  # sampled by the batch (100 % at random)

    _sign_in(page, live_server.url, "dr_one")
    page.goto(f"{live_server.url}/claims/review/")
    expect(page.get_by_role("heading", name="Claims awaiting review")).to_be_visible()
    page.get_by_role("link", name=f"#{claim.pk}").click()
    expect(page.get_by_text("Drawn at random (100 % of claims).")).to_be_visible()
    expect(page.get_by_text("J06.9")).to_be_visible()  # the adviser sees diagnoses
    line = page.get_by_role("group", name="Line 2")
    line.get_by_label("Decision").select_option(label="Reduce")
    line.get_by_label("Accepted quantity").fill("1")
    line.get_by_label("Reason").select_option(label="Quantity above the need")
    page.get_by_role("button", name="Record the review decision").click()
    expect(page.get_by_text("the decision awaits a second approval")).to_be_visible()
    expect(page.get_by_text("Another adviser must approve it.")).to_be_visible()
    page.screenshot(path="test-results/review-pending.png", full_page=True)

    _sign_in(page, live_server.url, "dr_two")
    page.goto(f"{live_server.url}/claims/review/?state=pending")
    page.get_by_role("link", name=f"#{claim.pk}").click()
    page.get_by_role("button", name="Approve the decision").click()
    expect(page.get_by_text("Approved: the review decision takes effect.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Review of claim"))).to_contain_text(
        "Partially approved"
    )

    _sign_in(page, live_server.url, "awa")
    page.goto(f"{live_server.url}/claims/{claim.pk}/eob/")
    expect(page.get_by_role("heading", name="Décompte de prestations")).to_be_visible()
    row = page.locator("tbody tr").nth(1)
    expect(row).to_contain_text("PARA × 2")
    expect(row).to_contain_text("Payé en partie.")
    expect(row).to_contain_text("Contrôle médical : la quantité dépasse ce que le traitement")
    expect(row).to_contain_text("400\u00a0XOF")  # the mutual pays 1 box at 80 %
    expect(page.locator("tfoot")).to_contain_text("5\u00a0000\u00a0XOF")
    page.screenshot(path="test-results/eob-reviewed.png", full_page=True)
