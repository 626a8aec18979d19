"""Done when (issue 7, batch): a claims officer decides the waiting claims with the
button of the batch adjudication page, follows the run to the end on its progress
page, and a decided claim's page shows its decision."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mutualis.claims.batch import claim_defer
from mutualis.core.roles import Role
from tests.conftest import PASSWORD

from .conftest import claim_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: TODAY)


def test_an_officer_decides_the_waiting_claims_from_the_button(
    page: Page, live_server, world, org_tree, provider, make_user
):
    officer = make_user("officer_en", Role.CLAIMS_OFFICER, org_tree.mutual, language="en")
    waiting = [
        claim_defer(actor=officer, provider=provider, data=claim_input(start=day), today=TODAY)
        for day in (date(2026, 3, 2), date(2026, 3, 9))
    ]
    claim_defer(
        actor=officer,
        provider=provider,
        data=claim_input(lines=[("COSM", 1, 1000)], start=date(2026, 3, 10)),
        today=TODAY,
    )

    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("officer_en")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"), timeout=20_000)
    page.locator(".menu summary", has_text="Care and claims").click()
    page.get_by_role("navigation").get_by_role("link", name="Batch adjudication").click()
    expect(page.get_by_text("Waiting for a decision: 3 claims, 7 lines.")).to_be_visible()
    page.get_by_role("button", name="Decide the waiting claims").click()

    expect(page).to_have_url(re.compile(r"/batches/\d+/"))
    expect(page.get_by_text("Succeeded")).to_be_visible()
    expect(page.get_by_text("7 of 7 rows, 0 failed")).to_be_visible()
    page.screenshot(path="test-results/claims-batch-progress.png", full_page=True)

    page.goto(f"{live_server.url}/claims/{waiting[0].pk}/")
    expect(page.get_by_role("heading", name="Claim #")).to_contain_text("Approved")
    expect(page.locator("table").first).to_contain_text("Accepted")
    page.goto(f"{live_server.url}/claims/adjudicate/")
    expect(page.get_by_text("Waiting for a decision: 0 claims, 0 lines.")).to_be_visible()
