"""Beneficiary feedback sampling: was the care received, was an extra charged?"""

from datetime import date
from decimal import Decimal

import pytest

from mutualis.claims.feedback import (
    AlreadyAnswered,
    feedback_answer,
    feedback_get,
    provider_feedback,
)
from mutualis.claims.models import FeedbackQuestion, ReviewSettings
from mutualis.core.errors import NotFound

from .conftest import claim_input

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def asked(submit, org_tree):
    ReviewSettings.objects.create(mutual=org_tree.mutual, feedback_share=100)
    claim = submit()
    return claim.feedback


def test_a_share_of_decided_claims_asks_the_member(submit, org_tree):
    ReviewSettings.objects.create(mutual=org_tree.mutual, feedback_share=0)
    submit()
    assert not FeedbackQuestion.objects.exists()

    ReviewSettings.objects.filter(mutual=org_tree.mutual).update(feedback_share=100)
    claim = submit(claim_input(lines=[("CONS", 1, 2000)], start=date(2026, 3, 11)))

    assert claim.feedback.answered_at is None
    assert claim.feedback.provider_id == claim.provider_id


def test_the_member_answers_and_the_provider_counts_follow(asked, member_user, provider):
    feedback_answer(
        actor=member_user,
        question=asked,
        care_received=False,
        extra_charged=True,
        extra_amount=D(500),
    )

    asked.refresh_from_db()
    stats = provider_feedback(provider)
    assert (asked.channel, asked.extra_amount) == ("member", D(500))
    assert (stats.asked, stats.answered, stats.not_received, stats.extra_charged) == (1, 1, 1, 1)
    assert stats.not_received_percent == 100
    with pytest.raises(AlreadyAnswered):
        feedback_answer(actor=member_user, question=asked, care_received=True, extra_charged=False)


def test_a_clerk_records_an_answer_given_by_phone(asked, clerk_a):
    feedback_answer(actor=clerk_a, question=asked, care_received=True, extra_charged=False)

    asked.refresh_from_db()
    assert (asked.channel, asked.answered_by, asked.care_received) == ("phone", clerk_a, True)


def test_a_clerk_of_another_section_does_not_see_the_question(asked, clerk_b):
    with pytest.raises(NotFound):
        feedback_get(user=clerk_b, question_id=asked.pk)
    with pytest.raises(NotFound):
        feedback_answer(actor=clerk_b, question=asked, care_received=True, extra_charged=False)
