"""Claims (FR: factures, prestations), DOMAIN §7.

- `ClaimBatch` (FR: bordereau): a provider's monthly paper batch keyed by the
  mutual's staff, with its control totals (count, amount) and received date.
- `Claim`: one beneficiary's visit or stay at one provider, with the
  decision totals; `corrects` links a correction to the claim it replaces.
  Diagnoses are health data: kept out of history and audit data, shown only
  to those holding `Perm.DIAGNOSIS_VIEW`.
- `ClaimLine`: one act or item with the engine's decision (status, reason
  codes and parameters, accepted quantity and amount, shares, payee) and
  what it consumed of the limits.
- `ClaimEvent`: the claim's story (entered, decided, corrected, appealed).
- `LineAppeal`: a provider's appeal of a rejected line.
- `ConsumptionCounter`: one row per household, locked (`select_for_update`)
  while a claim of any of its beneficiaries is decided, so two concurrent
  claims cannot both spend the same remaining ceiling.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history

MONEY = {"max_digits": 14, "decimal_places": 2}


class CareType(models.TextChoices):
    OUT_PATIENT = "out_patient", _("Out-patient")
    IN_PATIENT = "in_patient", _("In-patient")


class ClaimSource(models.TextChoices):
    WEB = "web", _("Entered by the provider")
    API = "api", _("Sent through the API")
    PAPER = "paper", _("Keyed from a paper batch")


class ClaimStatus(models.TextChoices):
    ENTERED = "entered", _("Entered")
    ACCEPTED = "accepted", _("Approved")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Partially approved")
    REJECTED = "rejected", _("Rejected")
    UNDER_REVIEW = "under_review", _("Under medical review")
    REPLACED = "replaced", _("Replaced by a correction")


class LineStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
    REJECTED = "rejected", _("Rejected")


class Payee(models.TextChoices):
    PROVIDER = "provider", _("Provider (third-party payment)")
    MEMBER = "member", _("Member (reimbursement)")


class BatchState(models.TextChoices):
    OPEN = "open", _("Being keyed")
    CLOSED = "closed", _("Closed, totals match")


class ClaimBatch(models.Model):
    """A provider's paper batch of claims (FR: bordereau) and its control totals."""

    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("mutual")
    )
    provider = models.ForeignKey("providers.Provider", models.PROTECT, related_name="claim_batches")
    reference = models.CharField(_("batch reference"), max_length=64)
    period = models.DateField(_("month of care"), help_text=_("Any day of the month."))
    received_on = models.DateField(_("received on"))
    declared_count = models.PositiveIntegerField(_("number of claims declared"))
    declared_amount = models.DecimalField(_("amount declared"), **MONEY)
    state = models.CharField(max_length=8, choices=BatchState.choices, default=BatchState.OPEN)
    entered_by = models.ForeignKey("core.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = history()

    class Meta:
        verbose_name = _("claim batch")
        verbose_name_plural = _("claim batches")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="claim_batch_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(declared_amount__gte=0), name="claim_batch_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.reference}"


class Claim(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("mutual")
    )
    section = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("section")
    )
    provider = models.ForeignKey(
        "providers.Provider", models.PROTECT, related_name="claims", verbose_name=_("provider")
    )
    membership = models.ForeignKey(
        "members.Membership", models.PROTECT, related_name="claims", verbose_name=_("beneficiary")
    )
    household = models.ForeignKey(
        "members.Household", models.PROTECT, related_name="claims", verbose_name=_("household")
    )
    batch = models.ForeignKey(
        ClaimBatch,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("paper batch"),
    )
    source = models.CharField(_("source"), max_length=8, choices=ClaimSource.choices)
    idempotency_key = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    provider_reference = models.CharField(_("provider's invoice number"), max_length=64, blank=True)
    care_type = models.CharField(_("care"), max_length=16, choices=CareType.choices)
    start_on = models.DateField(_("date of care"))
    end_on = models.DateField(_("discharge date"), null=True, blank=True)
    submitted_on = models.DateField(_("received on"))
    diagnoses = models.JSONField(_("diagnoses (ICD-10)"), default=list, blank=True)
    referral = models.CharField(_("referral number"), max_length=64, blank=True)
    authorisation = models.CharField(_("prior authorisation number"), max_length=64, blank=True)
    episode = models.CharField(_("episode"), max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("correction of"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.ENTERED
    )
    currency = models.CharField(_("currency"), max_length=3)
    claimed = models.DecimalField(_("claimed"), default=0, **MONEY)
    accepted = models.DecimalField(_("accepted"), default=0, **MONEY)
    mutual_share = models.DecimalField(_("paid by the mutual"), default=0, **MONEY)
    member_share = models.DecimalField(_("paid by the member"), default=0, **MONEY)
    payee = models.CharField(_("payee"), max_length=8, choices=Payee.choices, blank=True)
    entered_by = models.ForeignKey(
        "core.User", models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    # Diagnoses are health data: never in history (DOMAIN §7, medical secrecy).
    history = history(excluded_fields=["diagnoses", "fingerprint"])

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="claim_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="claim_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["household", "start_on"]),
            models.Index(fields=["section", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    item_code = models.CharField(_("item"), max_length=32)
    category = models.CharField(_("category"), max_length=32, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    on = models.DateField(_("date"))
    status = models.CharField(_("decision"), max_length=20, choices=LineStatus.choices)
    reasons = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    accepted_quantity = models.PositiveIntegerField(_("accepted quantity"), default=0)
    claimed = models.DecimalField(_("claimed"), **MONEY)
    accepted = models.DecimalField(_("accepted"), **MONEY)
    mutual_share = models.DecimalField(_("paid by the mutual"), **MONEY)
    member_share = models.DecimalField(_("paid by the member"), **MONEY)
    deductible = models.DecimalField(default=0, **MONEY)
    payee = models.CharField(_("payee"), max_length=8, choices=Payee.choices)
    package_id = models.IntegerField(null=True, blank=True)
    item_rule = models.BooleanField(default=False)

    class Meta:
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="claim_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}/{self.position} {self.item_code}"


class EventKind(models.TextChoices):
    ENTERED = "entered", _("Entered")
    CHECKED = "checked", _("Checked by the rules")
    DECIDED = "decided", _("Decided")
    CORRECTED = "corrected", _("Replaced by a correction")
    APPEALED = "appealed", _("Line appealed by the provider")
    SAMPLED = "sampled", _("Sampled for medical review")
    REVIEWED = "reviewed", _("Reviewed by the medical adviser")
    REVIEW_PENDING = "review_pending", _("Review awaiting a second approval")
    REVIEW_APPROVED = "review_approved", _("Review approved by a second adviser")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")


class ClaimEvent(models.Model):
    """One step of a claim's story: who, when, what. Never holds diagnoses."""

    claim = models.ForeignKey(Claim, models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey("core.User", models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class LineAppeal(models.Model):
    line = models.ForeignKey(ClaimLine, models.CASCADE, related_name="appeals")
    reason = models.TextField(_("reason for the appeal"))
    status = models.CharField(max_length=12, choices=AppealStatus.choices, default="open")
    filed_by = models.ForeignKey("core.User", models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(status="open"), name="one_open_appeal_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} ({self.status})"


class ConsumptionCounter(models.Model):
    """The household's lock row and running totals of what its claims consumed."""

    household = models.OneToOneField(
        "members.Household", models.CASCADE, primary_key=True, related_name="+"
    )
    claims = models.PositiveIntegerField(default=0)
    accepted = models.DecimalField(default=0, **MONEY)
    mutual_share = models.DecimalField(default=0, **MONEY)

    def __str__(self) -> str:
        return f"{self.household_id}: {self.claims} claims"


# --- Medical review, prior authorisation, feedback (DOMAIN §7) -----------------------


class ReviewSettings(models.Model):
    """A mutual's medical review settings (sampling, four-eyes, deadlines, feedback).

    Shares are percentages (0–100). Empty thresholds switch their rule off.
    """

    mutual = models.OneToOneField(
        "core.Organisation", models.CASCADE, related_name="+", verbose_name=_("mutual")
    )
    random_share = models.DecimalField(
        _("random share (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Share of decided claims sampled at random, e.g. 5."),
    )
    seed = models.CharField(
        _("sampling seed"),
        max_length=32,
        default="mutualis",
        help_text=_("Changing it draws another random sample; the same seed draws the same."),
    )
    amount_above = models.DecimalField(
        _("claims above this amount"),
        null=True,
        blank=True,
        help_text=_("Every claim whose claimed amount is above it is reviewed."),
        **MONEY,
    )
    rare_below = models.PositiveIntegerField(
        _("rare act: used fewer times than"),
        null=True,
        blank=True,
        help_text=_("An item claimed fewer times than this in the last 12 months at the mutual."),
    )
    flagged_items = models.JSONField(
        _("flagged items"),
        default=list,
        blank=True,
        help_text=_("Item codes always reviewed, separated by spaces."),
    )
    outlier_factor = models.DecimalField(
        _("outlier provider: times the average"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "A provider whose average claim over 90 days is above this many times the "
            "average of its type at the mutual, e.g. 1.5."
        ),
    )
    four_eyes_above = models.DecimalField(
        _("second approval above"),
        null=True,
        blank=True,
        help_text=_(
            "A review leaving the mutual more than this to pay on the claim, or changing a "
            "line by more than this, needs a second adviser's approval."
        ),
        **MONEY,
    )
    authorisation_days = models.PositiveSmallIntegerField(
        _("days to answer a prior authorisation"), default=5
    )
    authorisation_valid_days = models.PositiveSmallIntegerField(
        _("days an authorisation stays valid after the planned date"), default=30
    )
    feedback_share = models.DecimalField(
        _("feedback share (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Share of decided claims whose member is asked whether the care was given."),
    )

    history = history()

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(random_share__gte=0, random_share__lte=100)
                & Q(feedback_share__gte=0, feedback_share__lte=100),
                name="review_shares_are_percentages",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mutual_id}"


class ReviewOrigin(models.TextChoices):
    SAMPLED = "sampled", _("Sampled")
    APPEAL = "appeal", _("Appeal")


class ReviewState(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    PENDING = "pending", _("Awaiting a second approval")
    CLOSED = "closed", _("Review closed")


class ReviewCase(models.Model):
    """One medical review of one claim: why it was opened, by whom it was decided."""

    claim = models.ForeignKey(Claim, models.CASCADE, related_name="reviews")
    origin = models.CharField(_("origin"), max_length=8, choices=ReviewOrigin.choices)
    reasons = models.JSONField(_("why it is reviewed"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ReviewState.choices, default=ReviewState.OPEN
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "core.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "core.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=~Q(state="closed"), name="one_open_review_per_claim"
            ),
        ]
        indexes = [models.Index(fields=["state", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id} ({self.state})"


class ReviewAction(models.TextChoices):
    KEEP = "keep", _("Keep the decision")
    ACCEPT = "accept", _("Accept in full")
    REDUCE = "reduce", _("Reduce")
    REJECT = "reject", _("Reject")


class LineReview(models.Model):
    """The medical adviser's decision on one line: the new figures, why, and by whom.

    `applied` is False while the review awaits a second approval (four-eyes).
    """

    case = models.ForeignKey(ReviewCase, models.CASCADE, related_name="lines")
    line = models.ForeignKey(ClaimLine, models.CASCADE, related_name="reviews")
    appeal = models.ForeignKey(
        LineAppeal, models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    action = models.CharField(_("decision"), max_length=8, choices=ReviewAction.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=20, choices=LineStatus.choices)
    accepted_quantity = models.PositiveIntegerField()
    accepted = models.DecimalField(**MONEY)
    mutual_share = models.DecimalField(**MONEY)
    member_share = models.DecimalField(**MONEY)
    before = models.JSONField(default=dict)
    applied = models.BooleanField(default=False)

    # The adviser's note may hold health data: not in history.
    history = history(excluded_fields=["note"])

    class Meta:
        ordering = ["case", "line__position"]

    def __str__(self) -> str:
        return f"{self.line} {self.action}"


class AuthorisationStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the medical adviser")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class PriorAuthorisation(models.Model):
    """A provider's request to give a costly act (FR: entente préalable) and its answer."""

    mutual = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    section = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "providers.Provider", models.PROTECT, related_name="authorisations"
    )
    membership = models.ForeignKey(
        "members.Membership", models.PROTECT, related_name="authorisations"
    )
    items = models.JSONField(_("items"), default=list)
    planned_on = models.DateField(_("planned date"))
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AuthorisationStatus.choices,
        default=AuthorisationStatus.REQUESTED,
    )
    reference = models.CharField(_("reference"), max_length=32, blank=True)
    requested_on = models.DateField(_("requested on"))
    due_on = models.DateField(_("answer due by"))
    valid_until = models.DateField(_("authorised until"), null=True, blank=True)
    requested_by = models.ForeignKey("core.User", models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        "core.User", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    # The justification may hold health data: not in history.
    history = history(excluded_fields=["justification"])

    class Meta:
        verbose_name = _("prior authorisation")
        verbose_name_plural = _("prior authorisations")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="authorisation_reference"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"


class FeedbackChannel(models.TextChoices):
    MEMBER = "member", _("Answered by the member")
    PHONE = "phone", _("Given by phone to a clerk")


class FeedbackQuestion(models.Model):
    """A question to the member about a decided claim: was the care given, was an extra
    charged (DOMAIN §7, beneficiary feedback sampling)."""

    claim = models.OneToOneField(Claim, models.CASCADE, related_name="feedback")
    provider = models.ForeignKey(
        "providers.Provider", models.CASCADE, related_name="feedback_questions"
    )
    household = models.ForeignKey("members.Household", models.CASCADE, related_name="+")
    section = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    care_received = models.BooleanField(_("the care was received"), null=True)
    extra_charged = models.BooleanField(_("an extra was charged"), null=True)
    extra_amount = models.DecimalField(_("extra charged"), null=True, blank=True, **MONEY)
    channel = models.CharField(max_length=8, choices=FeedbackChannel.choices, blank=True)
    answered_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["provider", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.claim_id}"
