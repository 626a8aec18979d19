"""Batch adjudication: claims stored to be decided later, then decided by the batch
exactly as the single-claim path would have decided them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from mutualis.claims.batch import claim_defer, claims_adjudicate
from mutualis.claims.models import Claim, ClaimEvent, ClaimLine, ConsumptionCounter
from mutualis.claims.services import ClaimInput, LineInput, claim_submit
from mutualis.core.errors import Forbidden, NotFound, ValidationFailed
from mutualis.core.models import BatchLog
from mutualis.core.roles import Role

from .conftest import TODAY, claim_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("mutualis.claims.services.local_today", lambda org: TODAY)


@pytest.fixture
def defer(world, provider, provider_agent):
    def do(data=None, *, actor=None, today=TODAY, **kw):
        return claim_defer(
            actor=actor or provider_agent,
            provider=provider,
            data=data or claim_input(),
            today=today,
            **kw,
        )

    return do


def decisions(claims) -> list:
    """What a user sees of each claim and line, claim numbers replaced by their rank."""
    rank = {c.pk: i for i, c in enumerate(claims)}

    def params(p):
        if "claims" in p:
            p = {**p, "claims": sorted(rank[int(c)] for c in p["claims"])}
        return p

    out = []
    for c in claims:
        c.refresh_from_db()
        out.append((c.status, c.claimed, c.accepted, c.mutual_share, c.member_share, c.payee))
        for ln in ClaimLine.objects.filter(claim=c).order_by("position"):
            out.append(
                (
                    ln.position, ln.status, ln.accepted_quantity, ln.claimed, ln.accepted,
                    ln.mutual_share, ln.member_share, ln.deductible, ln.payee, ln.package_id,
                    ln.item_rule,
                    [(r["code"], params(r["params"])) for r in ln.reasons],
                    [(n["code"], n["params"]) for n in ln.notes],
                )
            )  # fmt: skip
    return out


def test_a_deferred_claim_waits_then_the_batch_decides_it(defer, claims_officer, org_tree):
    claim = defer()

    assert claim.status == "entered"
    assert claim.claimed == Decimal(2000 + 1000 + 3000)
    assert set(claim.lines.values_list("status", flat=True)) == {""}

    result = claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY)

    claim.refresh_from_db()
    assert (result.claims, result.lines) == (1, 3)
    assert claim.status == "accepted"
    assert claim.mutual_share == Decimal(1600 + 800 + 3000)
    assert claim.decided_at is not None
    assert list(claim.lines.values_list("status", flat=True)) == ["accepted"] * 3
    assert list(claim.events.values_list("kind", flat=True)) == ["entered", "decided"]
    log = BatchLog.objects.get(pk=result.batch_id)
    assert (log.status, log.rows_done, log.rows_total) == ("succeeded", 3, 3)
    counter = ConsumptionCounter.objects.get(pk=claim.household_id)
    assert (counter.claims, counter.mutual_share) == (1, Decimal(5400))


def test_a_second_run_finds_nothing_left(defer, claims_officer, org_tree):
    defer()
    claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY)

    again = claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY)

    assert (again.claims, again.lines) == (0, 0)
    assert ClaimEvent.objects.filter(kind="decided").count() == 1


def test_claims_received_after_the_until_date_keep_waiting(defer, claims_officer, org_tree):
    early = defer(claim_input(start=date(2026, 3, 2)), today=date(2026, 3, 5))
    late = defer(claim_input(start=date(2026, 3, 10)))

    claims_adjudicate(
        actor=claims_officer, mutual=org_tree.mutual, until=date(2026, 3, 9), today=TODAY
    )

    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("accepted", "entered")


def test_the_batch_spends_a_ceiling_in_date_order(defer, claims_officer, org_tree):
    # Medicines: 80%, at most 10 000 per beneficiary and year.
    later = defer(claim_input(lines=[("AMOX", 5, 1500)], start=date(2026, 3, 12)))
    first = defer(claim_input(lines=[("AMOX", 5, 1500)], start=date(2026, 3, 1)))

    claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY)

    first.refresh_from_db()
    later.refresh_from_db()
    assert first.mutual_share == Decimal(6000)
    assert later.mutual_share == Decimal(4000)
    assert later.lines.get().notes[0]["code"] == "ceiling"


def test_a_correction_cannot_wait(defer, submit):
    original = submit()

    with pytest.raises(ValidationFailed) as err:
        defer(corrects=original)

    assert "defer" in err.value.fields


def test_an_auditor_cannot_run_the_batch(make_user, org_tree, world):
    auditor = make_user("audit", Role.AUDITOR, org_tree.mutual)

    with pytest.raises(Forbidden):
        claims_adjudicate(actor=auditor, mutual=org_tree.mutual, today=TODAY)


def test_an_officer_of_another_mutual_cannot_run_the_batch(make_user, org_tree, world):
    stranger = make_user("autre", Role.CLAIMS_OFFICER, org_tree.other_mutual)

    with pytest.raises(NotFound):
        claims_adjudicate(actor=stranger, mutual=org_tree.mutual, today=TODAY)


def _random_inputs(seed: int, n: int) -> list[ClaimInput]:
    """Claims of the world's three members: mixed items, prices around the tariff,
    in- and out-patient, repeats on the same day (duplicates), sorted by date of care."""
    rng = random.Random(seed)
    items = [("CONS", 2000), ("PARA", 500), ("AMOX", 1500), ("NFS", 3000), ("COSM", 1000),
             ("ACC", 25000)]  # fmt: skip
    out = []
    for _ in range(n):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(70))
        lines = []
        for code, price in rng.sample(items, k=rng.randint(1, 4)):
            unit = Decimal(price) * Decimal(rng.choice(["0.5", "1", "1", "1.2"]))
            lines.append(LineInput(code, rng.randint(1, 6), unit.quantize(Decimal(1))))
        out.append(
            ClaimInput(
                card_number=rng.choice(["1000017", "1000017", "1000025", "2000019"]),
                start_on=start,
                lines=tuple(lines),
                care_type=rng.choice(["out_patient", "out_patient", "in_patient"]),
                diagnoses=(rng.choice(["J06.9", "A09", "B54"]),),
            )
        )
    out.sort(key=lambda c: c.start_on)
    return out


def _forget_claims() -> None:
    ClaimEvent.objects.all().delete()
    ClaimLine.objects.all().delete()
    Claim.objects.all().delete()
    ConsumptionCounter.objects.all().delete()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_and_single_paths_decide_alike(seed, world, provider, claims_officer, org_tree):
    inputs = _random_inputs(seed, 40)
    single = [
        claim_submit(actor=claims_officer, provider=provider, data=d, today=TODAY) for d in inputs
    ]
    expected = decisions(single)
    _forget_claims()

    waiting = [
        claim_defer(actor=claims_officer, provider=provider, data=d, today=TODAY) for d in inputs
    ]
    claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY, chunk=7)

    assert decisions(waiting) == expected
    assert len({t[0] for t in expected if isinstance(t[0], str)}) > 1  # a mix of outcomes


def test_a_deferred_claim_posted_through_the_api_waits(world, provider_agent, api_client_for):
    api = api_client_for(provider_agent)
    body = {
        "card_number": "1000017",
        "start_on": "2026-03-10",
        "diagnoses": ["J06.9"],
        "lines": [{"item": "CONS", "quantity": 1, "unit_price": "2000"}],
        "defer": True,
    }

    response = api.post("/api/v1/claims", body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["status"] == "entered"
    assert Claim.objects.get().status == "entered"


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_the_page_counts_the_waiting_claims_and_the_button_decides_them(
    defer, claims_officer, login
):
    claim = defer()
    client = login(claims_officer)

    page = client.get("/claims/adjudicate/")

    assert page.status_code == 200
    assert "En attente de décision : 1 facture(s), 3 ligne(s)." in page.content.decode()

    response = client.post("/claims/adjudicate/", {"until": "2026-03-16"}, follow=True)

    claim.refresh_from_db()
    assert claim.status == "accepted"
    assert response.redirect_chain[-1][0].startswith("/batches/")
    assert "3 lignes sur 3, 0 en échec" in response.content.decode()


def test_many_waiting_claims_are_decided_by_a_queued_task(
    defer, claims_officer, login, monkeypatch, settings
):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr("mutualis.claims.views_batch.INLINE_CLAIMS", 0)
    claim = defer()

    response = login(claims_officer).post("/claims/adjudicate/", {"until": "2026-03-16"})

    claim.refresh_from_db()
    assert response.status_code == 302
    assert claim.status == "accepted"
    assert BatchLog.objects.get().actor == claims_officer


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ACCOUNTANT])
def test_the_page_is_refused_without_the_adjudication_right(role, make_user, org_tree, login):
    user = make_user("sans", role, org_tree.mutual)

    assert login(user).get("/claims/adjudicate/").status_code == 403
    assert login(user).post("/claims/adjudicate/").status_code == 403


def test_a_provider_agent_cannot_open_the_page(provider_agent, login):
    assert login(provider_agent).get("/claims/adjudicate/").status_code == 403


def test_a_paper_batch_claim_keyed_to_decide_later_waits(
    world, provider, claims_officer, org_tree, login
):
    from mutualis.claims.services import batch_open

    paper = batch_open(
        actor=claims_officer, provider=provider, mutual=org_tree.mutual, reference="BR-1",
        period=date(2026, 3, 1), received_on=date(2026, 3, 14), declared_count=1,
        declared_amount=Decimal(2000),
    )  # fmt: skip
    form = {"card_number": "1000017", "start_on": "2026-03-10", "care_type": "out_patient",
            "diagnoses": "J06.9", "item_0": "CONS", "qty_0": "1", "price_0": "2000",
            "defer": "1"}  # fmt: skip

    response = login(claims_officer).post(f"/claims/new/?batch={paper.pk}", form)

    claim = Claim.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (claim.status, claim.batch_id, claim.submitted_on) == (
        "entered",
        paper.pk,
        date(2026, 3, 14),
    )


def test_a_waiting_claim_page_says_it_waits(defer, claims_officer, login):
    claim = defer()

    page = login(claims_officer).get(f"/claims/{claim.pk}/")

    assert page.status_code == 200
    assert "Saisie" in page.content.decode()


def test_the_batch_sends_sampled_claims_to_medical_review(defer, claims_officer, org_tree):
    from mutualis.claims.models import ReviewSettings

    ReviewSettings.objects.update_or_create(
        mutual=org_tree.mutual, defaults={"amount_above": Decimal("5000")}
    )
    big = defer()
    small = defer(claim_input(lines=[("PARA", 1, "500")], start=date(2026, 3, 12)))

    claims_adjudicate(actor=claims_officer, mutual=org_tree.mutual, today=TODAY)

    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == "under_review"  # 6,000 claimed, above the 5,000 of the settings
    assert small.status == "accepted"
    assert big.events.filter(kind="sampled").exists()
