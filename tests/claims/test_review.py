"""Medical review (issue 7): sampling rules, per-line decisions, four-eyes, appeals."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutualis.claims.models import (
    Claim,
    ClaimStatus,
    ConsumptionCounter,
    EventKind,
    LineAppeal,
    LineStatus,
    ReviewCase,
    ReviewSettings,
    ReviewState,
)
from mutualis.claims.review import (
    LineChoice,
    NotPayable,
    SameReviewer,
    review_approve,
    review_decide,
    review_return,
    sample_for_review,
)
from mutualis.claims.services import line_appeal
from mutualis.core.errors import Forbidden, NotFound, ValidationFailed
from mutualis.core.models import AuditEvent
from mutualis.core.roles import Role
from mutualis.engine.review import drawn

from .conftest import claim_input

pytestmark = pytest.mark.django_db
D = Decimal


def configure(org_tree, **values):
    return ReviewSettings.objects.update_or_create(mutual=org_tree.mutual, defaults=values)[0]


def reasons_of(claim):
    return [r["code"] for r in claim.reviews.get().reasons]


# --- Sampling --------------------------------------------------------------------------


def test_without_settings_nothing_is_sampled(submit):
    assert submit().status == ClaimStatus.ACCEPTED


def test_a_full_random_share_samples_every_decided_claim(submit, org_tree):
    configure(org_tree, random_share=100)

    claim = submit()

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert reasons_of(claim) == ["random"]
    assert claim.events.last().kind == EventKind.SAMPLED
    case = claim.reviews.get()  # opened in the submission's own statements
    assert case.state == ReviewState.OPEN and case.opened_at is not None


def test_the_random_draw_is_reproducible_from_the_seed_and_the_claim_id():
    picks = [drawn("seed-a", i, D(30)) for i in range(1, 2001)]

    assert picks == [drawn("seed-a", i, D(30)) for i in range(1, 2001)]
    assert 500 < sum(picks) < 700  # about 30 %
    assert picks != [drawn("seed-b", i, D(30)) for i in range(1, 2001)]


def test_a_claim_above_the_amount_is_sampled_and_one_below_is_not(submit, org_tree):
    configure(org_tree, amount_above=D(5000))

    big = submit()  # 6 000 claimed
    small = submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, 11)))

    assert big.status == ClaimStatus.UNDER_REVIEW
    assert reasons_of(big) == ["amount"]
    assert small.status == ClaimStatus.ACCEPTED


def test_a_rejected_claim_is_not_sampled(submit, org_tree):
    configure(org_tree, random_share=100)

    claim = submit(claim_input(lines=[("COSM", 1, 1000)]))

    assert claim.status == ClaimStatus.REJECTED
    assert not ReviewCase.objects.exists()


def test_a_rejected_claim_gets_no_feedback_question(submit, org_tree):
    from mutualis.claims.models import FeedbackQuestion

    configure(org_tree, feedback_share=100)

    rejected = submit(claim_input(lines=[("COSM", 1, 1000)]))
    accepted = submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, 11)))

    assert rejected.status == ClaimStatus.REJECTED
    assert list(FeedbackQuestion.objects.values_list("claim_id", flat=True)) == [accepted.pk]


def test_a_rarely_used_item_samples_the_claim(submit, org_tree):
    for day in (1, 2, 3):
        submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, day)))
    configure(org_tree, rare_below=3)

    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("NFS", 1, 3000)]))

    assert claim.status == ClaimStatus.UNDER_REVIEW
    rare = claim.reviews.get().reasons
    assert rare == [{"code": "rare_act", "params": {"items": ["NFS"], "below": 3}}]


def test_a_flagged_item_samples_the_claim(submit, org_tree):
    configure(org_tree, flagged_items=["PARA"])

    flagged = submit()
    plain = submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, 11)))

    assert reasons_of(flagged) == ["flagged_item"]
    assert plain.status == ClaimStatus.ACCEPTED


def test_a_provider_far_above_the_average_of_its_type_is_sampled(submit, org_tree, root_user):
    from mutualis.claims.services import claim_submit
    from mutualis.providers.models import Agreement, NegotiatedTariff, Provider

    cs2 = Provider.objects.create(
        organisation=org_tree.mutual, code="CS2", name="Centre B", kind="health_centre"
    )
    agreement = Agreement.objects.create(provider=cs2, reference="C2", valid_from=date(2026, 1, 1))
    NegotiatedTariff.objects.create(agreement=agreement, item_code="CONS", price=D(2000))
    cheap = [
        claim_submit(
            actor=root_user,
            provider=cs2,
            data=claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, day)),
            today=date(2026, 3, 16),
        )
        for day in (1, 2, 3, 4)
    ]
    dear = [
        submit(claim_input(lines=[("CONS", 1, 2000), ("NFS", 1, 3000)], start=date(2026, 3, d)))
        for d in (5, 6)
    ]
    configure(org_tree, outlier_factor=D("1.5"))

    count = sample_for_review(mutual=org_tree.mutual, claim_ids=[c.pk for c in cheap + dear])

    assert count == 2
    assert {c.pk for c in Claim.objects.filter(status=ClaimStatus.UNDER_REVIEW)} == {
        c.pk for c in dear
    }
    reason = dear[0].reviews.get().reasons[0]
    assert reason["code"] == "outlier_provider"
    assert reason["params"] == {"average": "5000", "kind_average": "3000", "factor": "1.5"}


def test_sampling_runs_the_same_queries_for_one_claim_or_many(submit, org_tree):
    claims = [
        submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, d))) for d in range(1, 13)
    ]
    Claim.objects.update(status=ClaimStatus.ACCEPTED)
    configure(org_tree, random_share=50, amount_above=D(1000), rare_below=2, outlier_factor=D(2))
    ReviewCase.objects.all().delete()

    with CaptureQueriesContext(connection) as one:
        sample_for_review(mutual=org_tree.mutual, claim_ids=[claims[0].pk])
    Claim.objects.update(status=ClaimStatus.ACCEPTED)
    ReviewCase.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        sampled = sample_for_review(mutual=org_tree.mutual, claim_ids=[c.pk for c in claims])

    assert sampled == 12
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Decisions -------------------------------------------------------------------------


@pytest.fixture
def adviser2(org_tree, make_user):
    return make_user("medecin2", Role.MEDICAL_ADVISER, org_tree.mutual)


@pytest.fixture
def sampled(submit, org_tree):
    configure(org_tree, random_share=100)
    return submit()  # CONS 2000 (80 %), PARA 2 × 500 (80 %), NFS 3000 (100 %)


def test_the_adviser_reduces_a_quantity_and_the_shares_follow_the_rate(
    sampled, medical_adviser, org_tree
):
    review_decide(
        actor=medical_adviser,
        claim=sampled,
        choices=[LineChoice(1, "reduce", quantity=1, reason="excessive_quantity", note="1 box")],
    )

    sampled.refresh_from_db()
    para = sampled.lines.get(position=1)
    assert (para.accepted_quantity, para.accepted, para.mutual_share, para.member_share) == (
        1, D(500), D(400), D(100)
    )  # fmt: skip
    assert para.status == LineStatus.PARTIALLY_ACCEPTED
    assert para.reasons == [{"code": "medical_review", "params": {"why": "excessive_quantity"}}]
    assert (sampled.status, sampled.accepted, sampled.mutual_share, sampled.member_share) == (
        ClaimStatus.PARTIALLY_ACCEPTED, D(5500), D(5000), D(500)
    )  # fmt: skip
    assert ConsumptionCounter.objects.get(pk=sampled.household_id).mutual_share == D(5000)
    assert sampled.events.last().kind == EventKind.REVIEWED
    assert AuditEvent.objects.filter(action="claim.review", target_id=str(sampled.pk)).exists()
    assert "1 box" not in str(list(AuditEvent.objects.values("data")))


def test_a_reduced_amount_is_never_above_the_claimed_and_a_rejection_pays_nothing(
    sampled, medical_adviser
):
    with pytest.raises(ValidationFailed) as caught:
        review_decide(
            actor=medical_adviser,
            claim=sampled,
            choices=[LineChoice(2, "reduce", amount=D(3500), reason="price")],
        )
    assert "lines.2.amount" in caught.value.fields

    review_decide(
        actor=medical_adviser,
        claim=sampled,
        choices=[
            LineChoice(2, "reduce", amount=D(1500), reason="price"),
            LineChoice(0, "reject", reason="not_performed"),
        ],
    )

    cons, _para, nfs = sampled.lines.order_by("position")
    assert (nfs.accepted, nfs.mutual_share, nfs.member_share) == (D(1500), D(1500), D(0))
    assert (cons.status, cons.accepted, cons.mutual_share) == (LineStatus.REJECTED, 0, 0)


def test_a_reduction_or_rejection_needs_a_reason(sampled, medical_adviser):
    with pytest.raises(ValidationFailed) as caught:
        review_decide(actor=medical_adviser, claim=sampled, choices=[LineChoice(0, "reject")])

    assert "lines.0.reason" in caught.value.fields


def test_only_a_medical_adviser_of_the_claims_mutual_reviews(
    sampled, claims_officer, org_tree, make_user
):
    elsewhere = make_user("medecin_mj", Role.MEDICAL_ADVISER, org_tree.other_mutual)
    choice = [LineChoice(0, "reject", reason="other")]

    with pytest.raises(Forbidden):
        review_decide(actor=claims_officer, claim=sampled, choices=choice)
    with pytest.raises(NotFound):
        review_decide(actor=elsewhere, claim=sampled, choices=choice)


def test_above_the_threshold_a_second_adviser_must_approve(
    sampled, medical_adviser, adviser2, org_tree
):
    configure(org_tree, random_share=100, four_eyes_above=D(1000))
    choice = [LineChoice(1, "reduce", quantity=1, reason="excessive_quantity")]

    case = review_decide(actor=medical_adviser, claim=sampled, choices=choice)

    sampled.refresh_from_db()
    assert case.state == ReviewState.PENDING
    assert sampled.mutual_share == D(5400)  # not applied yet
    assert sampled.status == ClaimStatus.UNDER_REVIEW
    with pytest.raises(SameReviewer) as caught:
        review_approve(actor=medical_adviser, case=case)
    assert "second adviser" in str(caught.value).lower() or "second" in str(caught.value)

    review_approve(actor=adviser2, case=case)

    sampled.refresh_from_db()
    case.refresh_from_db()
    assert sampled.mutual_share == D(5000)
    assert sampled.status == ClaimStatus.PARTIALLY_ACCEPTED
    assert (case.state, case.approved_by) == (ReviewState.CLOSED, adviser2)
    assert [e.kind for e in sampled.events.all()][-2:] == [
        EventKind.REVIEW_PENDING,
        EventKind.REVIEW_APPROVED,
    ]
    assert AuditEvent.objects.filter(action="claim.review_approve").count() == 1


def test_whoever_entered_the_claim_cannot_approve_its_review(
    world, provider, org_tree, make_user, medical_adviser, root_user
):
    from mutualis.claims.services import claim_submit
    from mutualis.core.services import role_assign

    both = make_user("dr_officer", Role.CLAIMS_OFFICER, org_tree.mutual)
    role_assign(actor=root_user, user=both, role=Role.MEDICAL_ADVISER, organisation=org_tree.mutual)
    configure(org_tree, random_share=100, four_eyes_above=D(0))
    claim = claim_submit(actor=both, provider=provider, data=claim_input(), today=date(2026, 3, 16))
    case = review_decide(
        actor=medical_adviser, claim=claim, choices=[LineChoice(0, "reject", reason="other")]
    )

    with pytest.raises(SameReviewer):
        review_approve(actor=both, case=case)


def test_a_second_adviser_may_return_the_decision_instead(
    sampled, medical_adviser, adviser2, org_tree
):
    configure(org_tree, random_share=100, four_eyes_above=D(0))
    case = review_decide(
        actor=medical_adviser, claim=sampled, choices=[LineChoice(0, "reject", reason="other")]
    )

    review_return(actor=adviser2, case=case)

    case.refresh_from_db()
    assert case.state == ReviewState.OPEN
    assert not case.lines.exists()
    assert sampled.lines.get(position=0).status == LineStatus.ACCEPTED


def test_below_the_threshold_the_decision_takes_effect_at_once(sampled, medical_adviser, org_tree):
    configure(org_tree, random_share=100, four_eyes_above=D(10000))

    case = review_decide(
        actor=medical_adviser, claim=sampled, choices=[LineChoice(1, "reject", reason="other")]
    )

    assert case.state == ReviewState.CLOSED


# --- Appeals ---------------------------------------------------------------------------


def test_an_upheld_appeal_pays_the_line_and_the_provider_sees_it(
    submit, provider_agent, medical_adviser
):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("PARA", 2, 600)]))
    para = claim.lines.get(position=1)
    assert para.accepted == D(1000)  # capped at the 500 tariff
    appeal = line_appeal(actor=provider_agent, line=para, reason="Prix du générique.")

    review_decide(
        actor=medical_adviser,
        claim=claim,
        choices=[LineChoice(1, "reduce", amount=D(1200), reason="price", note="ok")],
    )

    appeal.refresh_from_db()
    claim.refresh_from_db()
    para.refresh_from_db()
    assert appeal.status == "upheld"
    assert (para.accepted, para.mutual_share, para.member_share) == (D(1200), D(960), D(240))
    assert para.reasons == []
    assert claim.status == ClaimStatus.ACCEPTED
    outcome = claim.events.filter(kind=EventKind.APPEAL_DECIDED).get()
    assert outcome.data["outcome"] == "upheld"


def test_a_dismissed_appeal_keeps_the_line_and_needs_a_reason(
    submit, provider_agent, medical_adviser
):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("PARA", 2, 600)]))
    para = claim.lines.get(position=1)
    line_appeal(actor=provider_agent, line=para, reason="Prix du générique.")

    with pytest.raises(ValidationFailed):
        review_decide(actor=medical_adviser, claim=claim, choices=[LineChoice(1, "keep")])
    review_decide(
        actor=medical_adviser, claim=claim, choices=[LineChoice(1, "keep", reason="price")]
    )

    claim.refresh_from_db()
    assert LineAppeal.objects.get().status == "dismissed"
    assert claim.status == ClaimStatus.ACCEPTED
    assert claim.lines.get(position=1).accepted == D(1000)


def test_an_item_no_package_covers_cannot_be_paid_on_appeal(
    submit, provider_agent, medical_adviser
):
    claim = submit(claim_input(lines=[("CONS", 1, 2000), ("COSM", 1, 1000)]))
    line_appeal(actor=provider_agent, line=claim.lines.get(position=1), reason="Prescrit.")

    with pytest.raises(NotPayable):
        review_decide(actor=medical_adviser, claim=claim, choices=[LineChoice(1, "accept")])
