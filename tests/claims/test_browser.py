"""Done when (issue 6): an agent keys a claim with one excluded item and one price above
tariff; the member's explanation of benefits shows the accepted, capped and rejected
lines with their reasons, in the member's language (French)."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from mutualis.core.roles import Role
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: date(2026, 3, 16))


def _sign_in(page, url, username):
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"), timeout=20_000)


def test_an_agent_keys_a_claim_and_the_member_reads_why_each_line_was_paid_or_not(
    page: Page, live_server, world, org_tree, provider, make_user
):
    make_user("agent_en", Role.PROVIDER_AGENT, org_tree.mutual, provider=provider, language="en")
    member = make_user("awa", Role.MEMBER, org_tree.section_a, language="fr")
    world.awa.person.user = member
    world.awa.person.save(update_fields=["user"])

    _sign_in(page, live_server.url, "agent_en")
    page.goto(f"{live_server.url}/claims/new/")
    # Keyboard entry: the card number has the focus, fields follow in Tab order.
    expect(page.get_by_label("Card number")).to_be_focused()
    page.keyboard.type("1000017")
    page.get_by_label("Date of care").fill("2026-03-10")
    page.get_by_label("Diagnoses (ICD-10)").fill("J06.9")
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_role("status")).to_contain_text("Covered")
    rows = page.locator("table.lines tbody tr")
    for i, (item, qty, price) in enumerate(
        [("CONS", "1", "2500"), ("PARA", "2", "500"), ("COSM", "1", "1000")]
    ):
        rows.nth(i).locator("input").nth(0).fill(item)
        rows.nth(i).locator("input").nth(1).fill(qty)
        rows.nth(i).locator("input").nth(2).fill(price)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Claim #")).to_contain_text("Partially approved")
    expect(page.get_by_text("Price reduced to the agreed tariff")).to_be_visible()
    expect(page.get_by_text("not covered by the member's benefit package")).to_be_visible()
    expect(page.get_by_text("J06.9")).to_have_count(0)  # agents do not see diagnoses
    page.screenshot(path="test-results/claim-agent.png", full_page=True)
    claim_url = page.url

    page.context.clear_cookies()
    _sign_in(page, live_server.url, "awa")
    page.goto(claim_url)  # a member is sent to the explanation of benefits
    expect(page.get_by_role("heading", name="Décompte de prestations")).to_be_visible()
    table = page.locator("table")
    expect(table).to_contain_text("Payé.")
    expect(table).to_contain_text("Prix ramené au tarif convenu de 2\u00a0000\u00a0XOF")
    expect(table).to_contain_text("Non payé par la mutuelle.")
    expect(table).to_contain_text("n'est pas couvert par le paquet de garanties")
    expect(page.locator("tfoot")).to_contain_text("4\u00a0500\u00a0XOF")  # 2500 + 1000 + 1000
    expect(page.locator("tfoot")).to_contain_text("2\u00a0400\u00a0XOF")  # paid by the mutual
    expect(page.get_by_text("Votre part")).to_contain_text("1\u00a0600\u00a0XOF")  # 600 + COSM
    expect(page.get_by_text("au-dessus des tarifs convenus")).to_contain_text("500\u00a0XOF")
    page.screenshot(path="test-results/eob-member.png", full_page=True)


def test_an_agent_corrects_a_claim_from_its_page(
    page: Page, live_server, world, org_tree, provider, make_user
):
    make_user("agent_fix", Role.PROVIDER_AGENT, org_tree.mutual, provider=provider, language="en")
    _sign_in(page, live_server.url, "agent_fix")
    page.goto(f"{live_server.url}/claims/new/")
    expect(page.get_by_label("Card number")).to_be_focused()  # before typing into it
    page.keyboard.type("1000017")
    page.get_by_label("Date of care").fill("2026-03-10")
    page.get_by_label("Diagnoses (ICD-10)").fill("J06.9")
    rows = page.locator("table.lines tbody tr")
    for i, (item, qty, price) in enumerate([("CONS", "1", "2000"), ("COSM", "1", "1000")]):
        rows.nth(i).locator("input").nth(0).fill(item)
        rows.nth(i).locator("input").nth(1).fill(qty)
        rows.nth(i).locator("input").nth(2).fill(price)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Claim #")).to_contain_text("Partially approved")
    original_url = page.url

    page.get_by_role("link", name="Correct this claim").click()
    expect(page.get_by_role("heading", name="Correction of claim #")).to_be_visible()
    expect(rows.nth(1).locator("input").nth(0)).to_have_value("COSM")  # filled from the claim
    page.get_by_label("Diagnoses (ICD-10)").fill("J06.9")  # agents type diagnoses again
    rows.nth(1).locator("input").nth(0).fill("")
    page.get_by_role("button", name="Submit the correction").click()

    expect(page.get_by_role("heading", name="Claim #")).to_contain_text("Approved")
    page.get_by_role("link", name=re.compile(r"^#\d+$")).click()  # "Correction of #n"
    expect(page).to_have_url(original_url)
    expect(page.get_by_role("heading", name="Claim #")).to_contain_text("Replaced by a correction")
    expect(page.get_by_role("link", name="Correct this claim")).to_have_count(0)
    page.screenshot(path="test-results/claim-corrected.png", full_page=True)
