from datetime import date
from decimal import Decimal

import pytest

from mutualis.claims.models import (
    Claim,
    ClaimStatus,
    ConsumptionCounter,
    EventKind,
    LineAppeal,
    LineStatus,
)
from mutualis.claims.services import (
    CorrectionMismatch,
    IdempotencyKeyReused,
    InvalidDate,
    InvalidDiagnosis,
    InvalidLines,
    UnknownBeneficiary,
    UnknownItem,
    batch_close,
    batch_open,
    claim_submit,
    line_appeal,
)
from mutualis.core.errors import Forbidden
from mutualis.core.models import AuditEvent

from .conftest import claim_input

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_covered_claim_is_decided_at_once_with_shares_per_line(submit):
    claim = submit()

    lines = list(claim.lines.order_by("position"))
    assert claim.status == ClaimStatus.ACCEPTED
    assert [ln.status for ln in lines] == ["accepted"] * 3
    assert [ln.mutual_share for ln in lines] == [D(1600), D(800), D(3000)]
    assert [ln.member_share for ln in lines] == [D(400), D(200), D(0)]
    assert (claim.claimed, claim.mutual_share, claim.member_share) == (D(6000), D(5400), D(600))
    assert claim.payee == "provider"
    assert [e.kind for e in claim.events.all()] == [EventKind.ENTERED, EventKind.DECIDED]


def test_an_excluded_item_is_rejected_and_a_price_above_tariff_capped(submit):
    claim = submit(claim_input(lines=[("CONS", 1, 2500), ("COSM", 1, 1000)]))

    cons, cosm = claim.lines.order_by("position")
    assert claim.status == ClaimStatus.PARTIALLY_ACCEPTED
    assert cons.status == LineStatus.ACCEPTED
    assert cons.accepted == D(2000)
    assert cons.notes == [{"code": "tariff", "params": {"tariff": "2000"}}]
    assert cosm.status == LineStatus.REJECTED
    assert cosm.reasons[0]["code"] == "not_in_package"
    assert cosm.mutual_share == 0


def test_a_ceiling_caps_the_mutuals_share_across_claims(submit):
    first = submit(claim_input(lines=[("AMOX", 7, 1500)], start=date(2026, 3, 1)))
    second = submit(claim_input(lines=[("AMOX", 2, 1500)], start=date(2026, 3, 2)))

    assert first.mutual_share == D(8400)
    assert second.mutual_share == D(1600)  # 10 000 ceiling: 1 600 left
    assert second.member_share == D(1400)
    assert second.lines.get().notes[-1]["code"] == "ceiling"
    assert ConsumptionCounter.objects.get(pk=first.household_id).mutual_share == D(10000)


def test_the_same_key_twice_is_one_claim_and_other_data_is_a_conflict(submit):
    first = submit(key="abc-1")
    again = submit(key="abc-1")

    assert again.pk == first.pk and again.replayed
    assert Claim.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        submit(claim_input(lines=[("CONS", 1, 2000)]), key="abc-1")


def test_a_second_identical_claim_without_key_is_rejected_as_duplicate(submit):
    submit()
    second = submit()

    assert second.status == ClaimStatus.REJECTED
    assert {r["code"] for ln in second.lines.all() for r in ln.reasons} == {"duplicate"}


def test_a_correction_replaces_the_original_and_is_not_a_duplicate(submit):
    original = submit()

    fixed = submit(claim_input(lines=[("CONS", 1, 2000)]), corrects=original)

    original.refresh_from_db()
    assert original.status == ClaimStatus.REPLACED
    assert fixed.status == ClaimStatus.ACCEPTED
    assert fixed.corrects_id == original.pk
    assert original.events.last().kind == EventKind.CORRECTED


def test_a_correction_must_be_for_the_same_beneficiary(submit):
    original = submit()

    with pytest.raises(CorrectionMismatch):
        submit(claim_input(card="1000025"), corrects=original)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (claim_input(card="9999999"), UnknownBeneficiary),
        (claim_input(start=date(2026, 3, 17)), InvalidDate),
        (claim_input(lines=[("CONS", -1, 2000)]), InvalidLines),
        (claim_input(lines=[("CONS", 1, -5)]), InvalidLines),
        (claim_input(lines=[("XXX", 1, 2000)]), UnknownItem),
        (claim_input(diagnoses=("QQQ.9",)), InvalidDiagnosis),
        (claim_input(diagnoses=()), InvalidDiagnosis),
    ],
)
def test_bad_claims_get_a_clear_error_and_nothing_is_stored(submit, data, error):
    with pytest.raises(error) as caught:
        submit(data)

    assert caught.value.fields
    assert Claim.objects.count() == 0


def test_a_member_of_another_section_is_unknown_to_a_claims_officer_of_section_a(
    world, provider, org_tree, make_user
):
    from mutualis.core.roles import Role

    officer_a = make_user("officer_a", Role.CLAIMS_OFFICER, org_tree.section_a)

    with pytest.raises(UnknownBeneficiary):
        claim_submit(
            actor=officer_a,
            provider=provider,
            data=claim_input(card="2000019"),
            today=date(2026, 3, 16),
        )


def test_an_agent_cannot_enter_for_another_provider(world, org_tree, provider_agent):
    from mutualis.providers.models import Provider

    other = Provider.objects.create(
        organisation=org_tree.mutual, code="H1", name="Hôpital", kind="district_hospital"
    )

    with pytest.raises(Forbidden):
        claim_submit(
            actor=provider_agent, provider=other, data=claim_input(), today=date(2026, 3, 16)
        )


def test_diagnoses_stay_out_of_history_and_audit(submit):
    claim = submit()

    assert "J06.9" not in str(list(AuditEvent.objects.values("data")))
    assert not hasattr(claim.history.first(), "diagnoses")


def test_a_provider_appeals_a_rejected_line_and_the_claim_goes_to_review(submit, provider_agent):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("COSM", 1, 1000)]))
    cosm = claim.lines.get(item_code="COSM")

    line_appeal(actor=provider_agent, line=cosm, reason="Prescrit par le médecin.")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert LineAppeal.objects.get().status == "open"


def test_a_paper_batch_closes_only_when_its_control_totals_match(
    world, provider, claims_officer, org_tree
):
    batch = batch_open(
        actor=claims_officer,
        provider=provider,
        mutual=org_tree.mutual,
        reference="BR-2026-02",
        period=date(2026, 2, 1),
        received_on=date(2026, 3, 5),
        declared_count=2,
        declared_amount=D(8000),
    )
    for start in (date(2026, 2, 3), date(2026, 2, 4)):
        claim_submit(
            actor=claims_officer,
            provider=provider,
            data=claim_input(lines=[("CONS", 1, 2000)], start=start),
            batch=batch,
            source="paper",
            today=date(2026, 3, 16),
        )

    with pytest.raises(Exception) as caught:
        batch_close(actor=claims_officer, batch=batch)
    assert caught.value.code == "batch_totals_mismatch"
    assert "4" in str(caught.value)


def test_the_replay_lookup_uses_the_key_index_also_as_a_prepared_statement(query_plan):
    from mutualis.claims import services as claim_services

    sql = claim_services._REPLAY_SQL.format(t=Claim._meta.db_table)
    # Without the literal condition, PostgreSQL's generic plan scanned every claim.
    assert "claim_idempotency_key_unique" in query_plan(sql, [1, "key-1"])
