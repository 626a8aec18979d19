"""Beneficiary feedback (DOMAIN §7): was the care received, was an extra charged?

A share of decided claims (`ReviewSettings.feedback_share`, drawn with the
review sample) asks the member. The member answers on the own pages, or a
section clerk records an answer given by phone. The answers are counted on
the provider's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import acting_as
from mutualis.core.errors import Conflict, NotFound, ValidationFailed
from mutualis.core.roles import Perm
from mutualis.core.scope import in_scope, require, scope_paths
from mutualis.core.services import audit_record

from .models import FeedbackChannel, FeedbackQuestion
from .selectors import _member_household_ids


class AlreadyAnswered(Conflict):
    code = "feedback_answered"
    message = _("This question was already answered.")


def feedback_list(*, user) -> QuerySet[FeedbackQuestion]:
    """A member: the own household's questions; a clerk: those of the own sections."""
    qs = FeedbackQuestion.objects.select_related("claim__membership__person", "provider")
    if getattr(user, "is_superuser", False):
        return qs
    q = Q(household_id__in=_member_household_ids(user))
    if scope_paths(user, Perm.COMPLAINT_HANDLE):
        q |= in_scope(user, "section", Perm.COMPLAINT_HANDLE)
    return qs.filter(q)


def feedback_get(*, user, question_id) -> FeedbackQuestion:
    try:
        return feedback_list(user=user).get(pk=question_id)
    except (FeedbackQuestion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@transaction.atomic
def feedback_answer(
    *,
    actor,
    question: FeedbackQuestion,
    care_received: bool,
    extra_charged: bool,
    extra_amount: Decimal | None = None,
) -> FeedbackQuestion:
    """Record the member's answer (given by the member, or by phone to a clerk)."""
    if question.household_id in _member_household_ids(actor):
        channel = FeedbackChannel.MEMBER
    else:
        require(actor, Perm.COMPLAINT_HANDLE, on=question.section)
        channel = FeedbackChannel.PHONE
    question = FeedbackQuestion.objects.select_for_update().get(pk=question.pk)
    if question.answered_at is not None:
        raise AlreadyAnswered()
    money = question.section.money
    if extra_charged and extra_amount is not None and extra_amount < 0:
        raise ValidationFailed(fields={"extra_amount": _("The amount cannot be negative.")})
    question.care_received = care_received
    question.extra_charged = extra_charged
    question.extra_amount = (
        money.quantize(extra_amount) if extra_charged and extra_amount is not None else None
    )
    question.channel = channel
    question.answered_by, question.answered_at = actor, timezone.now()
    with acting_as(actor):
        question.save()
    audit_record(
        actor=actor,
        action="claim.feedback",
        target=question,
        organisation=question.section,
        data={
            "claim": question.claim_id,
            "channel": channel,
            "care_received": care_received,
            "extra_charged": extra_charged,
        },
    )
    return question


@dataclass(frozen=True)
class FeedbackStats:
    asked: int
    answered: int
    not_received: int
    extra_charged: int

    @property
    def not_received_percent(self) -> int:
        return round(100 * self.not_received / self.answered) if self.answered else 0

    @property
    def extra_charged_percent(self) -> int:
        return round(100 * self.extra_charged / self.answered) if self.answered else 0


def provider_feedback(provider) -> FeedbackStats:
    """What members answered about this provider's claims (one query)."""
    row = FeedbackQuestion.objects.filter(provider=provider).aggregate(
        asked=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        not_received=Count("id", filter=Q(care_received=False)),
        extra=Count("id", filter=Q(extra_charged=True)),
    )
    return FeedbackStats(row["asked"], row["answered"], row["not_received"], row["extra"])
