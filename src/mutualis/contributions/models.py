"""Contributions (DOMAIN §5): schedules, subsidies, dues, payments, receipts, status runs.

- `Schedule` (+ `ScheduleRate`, `Subsidy`): what a household owes per period, mapped
  to `mutualis.engine.contributions.Schedule`. Solidarity (DOMAIN §1): a schedule can
  never vary by age, sex or health; the service, the admin form and a database
  constraint all refuse it.
- `Payer`: a third party (State, partner, employer) paying part of the dues of a
  category, with a claimable statement.
- `Due`: what one payer (NULL = the household itself) owes for one kind (registration
  fee, GA fee, contribution) and one period. Unique per household, payer, kind,
  schedule and period, so generating twice creates nothing more.
- `Payment` + `Allocation`: money received, allocated to dues (engine
  `allocate_payment`); a reversal is another `Payment` with negative lines and a
  reason, never a deletion. Unallocated money is the payment's `credit`.
- `MobileMoneyImport` / `MobileMoneyLine`: operator statements, idempotent by
  operator reference; unmatched lines wait for a clerk.
- `ReceiptBook` / `CashHandover`: field collectors' receipt books and the cash they
  hand over to the section.
- `CoverageChange` and `CoverReinstatement`: what the daily run changed on cover,
  and the windows where claims rejected as not covered must be looked at again.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history
from mutualis.core.models import CURRENCY_CHOICES

# Names a schedule may never be keyed by (DOMAIN §1); also a database constraint.
RISK_CRITERIA = ("age", "sex", "gender", "health", "health_status", "pregnancy", "birth_date")


# Why the daily run (or a payment) changed a status: shown in the household's history.
REASON_LABELS = {
    "cover_started": _("cover started: dues paid"),
    "arrears": _("arrears past the grace period"),
    "reactivated": _("covered again: arrears paid"),
    "expired": _("coverage period ended"),
    "struck_off_arrears": _("struck off after long arrears"),
    "joined_covered_household": _("joined a covered household"),
}


class ScheduleKind(models.TextChoices):
    FLAT_PER_PERSON = "flat_per_person", _("Flat amount per person")
    FLAT_PER_HOUSEHOLD = "flat_per_household", _("Flat amount per household")
    PER_BENEFICIARY_CAPPED = "per_beneficiary_capped", _("Per beneficiary, with a household cap")
    INCOME_PERCENTAGE = "income_percentage", _("Percentage of declared income")
    INCOME_BANDS = "income_bands", _("Income bands")


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class ProRata(models.TextChoices):
    NONE = "none", _("Whole period")
    BY_DAY = "by_day", _("Pro rata by day")
    BY_MONTH = "by_month", _("Pro rata by month")


class VariesBy(models.TextChoices):
    NONE = "", _("Same for everybody")
    CATEGORY = "category", _("Member category")
    INCOME_BAND = "income_band", _("Income band")
    HOUSEHOLD_SIZE = "household_size", _("Household size")


class Schedule(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="schedules", verbose_name=_("mutual")
    )
    package = models.ForeignKey(
        "benefits.Package",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("package"),
        help_text=_("Empty: every household of the mutual pays it."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=ScheduleKind.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    period = models.CharField(
        _("period"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.YEARLY
    )
    first_month = models.PositiveSmallIntegerField(
        _("first month of the year"),
        default=1,
        help_text=_("Month a yearly or quarterly period starts (7 = July)."),
    )
    amount = models.DecimalField(
        _("amount per period"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    varies_by = models.CharField(_("varies by"), max_length=32, blank=True)
    household_cap = models.DecimalField(
        _("household cap"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_rate = models.DecimalField(
        _("share of declared income"),
        max_digits=7,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_("0.03 for 3%."),
    )
    floor = models.DecimalField(_("floor"), max_digits=14, decimal_places=2, null=True, blank=True)
    ceiling = models.DecimalField(
        _("ceiling"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    registration_fee = models.DecimalField(
        _("registration fee"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    membership_fee = models.DecimalField(
        _("yearly membership (GA) fee"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    membership_fee_month = models.PositiveSmallIntegerField(_("month the GA fee is due"), default=1)
    renewal_discount = models.DecimalField(
        _("renewal discount"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
        help_text=_("0.10 for 10% off when the household renews."),
    )
    pro_rata = models.CharField(
        _("members added during a period"),
        max_length=16,
        choices=ProRata.choices,
        default=ProRata.BY_MONTH,
    )
    due_days = models.PositiveSmallIntegerField(_("days to pay after the period starts"), default=0)
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=30)
    cover_share = models.DecimalField(
        _("share of the dues that gives partial cover"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(1),
        help_text=_("1 = only full payment covers; 0.75 with 6 months: Rwanda 2026."),
    )
    partial_cover_months = models.PositiveSmallIntegerField(
        _("months covered by that share"), default=0
    )
    strike_off_months = models.PositiveSmallIntegerField(
        _("struck off after months of arrears"), default=12
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("contribution schedule")
        verbose_name_plural = _("contribution schedules")
        ordering = ["mutual", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(varies_by__in=RISK_CRITERIA), name="schedule_no_risk_rating"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="schedule_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleRate(models.Model):
    schedule = models.ForeignKey(Schedule, models.CASCADE, related_name="rates")
    key = models.CharField(_("key"), max_length=32)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=5)

    class Meta:
        ordering = ["schedule", "key"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "key"], name="schedule_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class PayerKind(models.TextChoices):
    STATE = "state", _("State")
    PARTNER = "partner", _("Partner (NGO, project)")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other")


class Payer(models.Model):
    """A third party paying part of members' dues (a subsidy), with its own statement."""

    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="payers", verbose_name=_("mutual")
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PayerKind.choices)

    history = history()

    class Meta:
        verbose_name = _("third-party payer")
        verbose_name_plural = _("third-party payers")
        ordering = ["mutual", "name"]
        constraints = [
            models.UniqueConstraint(fields=["mutual", "code"], name="payer_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Subsidy(models.Model):
    """A payer pays a share or a fixed amount of the gross, for a category of people."""

    schedule = models.ForeignKey(Schedule, models.CASCADE, related_name="subsidies")
    payer = models.ForeignKey(Payer, models.PROTECT, related_name="subsidies")
    position = models.PositiveSmallIntegerField(default=0)
    share = models.DecimalField(
        _("share paid"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    fixed = models.DecimalField(
        _("fixed amount paid"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    category = models.CharField(_("member category"), max_length=16, blank=True)
    income_band = models.CharField(_("income band"), max_length=16, blank=True)
    under_age = models.PositiveSmallIntegerField(_("children under (years)"), null=True, blank=True)
    fees = models.BooleanField(_("also pays the fees"), default=False)

    class Meta:
        verbose_name = _("subsidy")
        verbose_name_plural = _("subsidies")
        ordering = ["schedule", "position", "id"]

    def __str__(self) -> str:
        return f"{self.payer} · {self.share or self.fixed}"


class DueKind(models.TextChoices):
    REGISTRATION_FEE = "registration_fee", _("Registration fee")
    MEMBERSHIP_FEE = "membership_fee", _("Membership (GA) fee")
    CONTRIBUTION = "contribution", _("Contribution")


class Due(models.Model):
    # Dues generation writes a million of these at once (COPY on PostgreSQL), so the
    # table carries only what reads use and what keeps it right: the unique key
    # (household first: every household's dues), the third-party statements, a
    # mutual's period. Its foreign keys stay checked by the database (a money table
    # keeps its integrity even against raw SQL), though the deferred checks cost about
    # as much as the COPY itself at a million dues (docs/contributions.md).
    mutual = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="+",
        db_index=False,
    )
    section = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="+",
        db_index=False,
    )
    household = models.ForeignKey(
        "members.Household",
        models.PROTECT,
        related_name="dues",
        verbose_name=_("household"),
        db_index=False,
    )
    payer = models.ForeignKey(
        Payer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dues",
        verbose_name=_("third-party payer"),
        help_text=_("Empty: the household pays."),
        db_index=False,
    )
    schedule = models.ForeignKey(Schedule, models.PROTECT, related_name="dues", db_index=False)
    # Set on the dues of a beneficiary added after the household's dues for the period
    # were generated (billed by the next run, once per person and period).
    beneficiary = models.ForeignKey(
        "members.Membership",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added beneficiary"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DueKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("due")
        verbose_name_plural = _("dues")
        ordering = ["household", "due_date", "id"]
        constraints = [
            # One due per household, schedule, period, kind, payer (NULL: the household)
            # and added beneficiary (NULL: the household's dues), so generating twice
            # creates nothing more. One index for both NULLs, on every database.
            models.UniqueConstraint(
                F("household"),
                F("schedule"),
                F("period_start"),
                F("kind"),
                Coalesce(F("payer"), Value(0), output_field=models.BigIntegerField()),
                Coalesce(F("beneficiary"), Value(0), output_field=models.BigIntegerField()),
                name="due_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="due_amount_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["payer", "period_start"],
                condition=Q(payer__isnull=False),
                name="due_payer_period_idx",
            ),
            # created_at: when the period was first generated (people added later).
            models.Index(
                fields=["mutual", "period_start", "created_at"], name="due_mutual_period_idx"
            ),
            models.Index(
                fields=["beneficiary"],
                condition=Q(beneficiary__isnull=False),
                name="due_beneficiary_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} {self.period_start} {self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, Decimal(0))


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash at the counter")
    COLLECTOR = "collector", _("Field collector (receipt book)")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    BANK = "bank", _("Bank transfer")
    EMPLOYER = "employer", _("Employer remittance")
    SUBSIDY = "subsidy", _("Subsidy transfer")
    REVERSAL = "reversal", _("Reversal")


class Payment(models.Model):
    mutual = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    section = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", null=True, blank=True
    )
    household = models.ForeignKey(
        "members.Household",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("household"),
    )
    payer = models.ForeignKey(Payer, models.PROTECT, null=True, blank=True, related_name="payments")
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    credit = models.DecimalField(_("credit"), max_digits=14, decimal_places=2, default=Decimal(0))
    value_date = models.DateField(_("value date"))
    received_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    receipt_number = models.CharField(_("receipt number"), max_length=32, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    reversal_of = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    collector = models.ForeignKey(
        "core.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("field collector"),
    )
    handover = models.ForeignKey(
        "CashHandover", models.SET_NULL, null=True, blank=True, related_name="payments"
    )

    history = history()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-value_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mutual", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["mutual", "receipt_number"],
                condition=~Q(receipt_number=""),
                name="payment_receipt_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "value_date"], name="payment_household_idx"),
            # The few payments with credit left, found by the nightly credit run.
            models.Index(fields=["mutual"], condition=Q(credit__gt=0), name="payment_credit_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number or f"#{self.pk}"

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversed_by")


class Allocation(models.Model):
    payment = models.ForeignKey(Payment, models.PROTECT, related_name="allocations")
    due = models.ForeignKey(Due, models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    value_date = models.DateField(_("value date"))
    # The payment's credit (an earlier overpayment) applied later to a new due,
    # dated by `value_date` (the day it was applied): `credit_apply`.
    from_credit = models.BooleanField(_("from credit"), default=False, db_default=False)

    class Meta:
        indexes = [models.Index(fields=["due", "value_date"], name="allocation_due_idx")]

    def __str__(self) -> str:
        return f"{self.payment_id}→{self.due_id} {self.amount}"


class ImportStatus(models.TextChoices):
    ALLOCATED = "allocated", _("Allocated")
    UNMATCHED = "unmatched", _("To match")
    MATCHED = "matched", _("Matched by hand")
    DUPLICATE = "duplicate", _("Already imported")


class MobileMoneyImport(models.Model):
    mutual = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    operator = models.CharField(_("operator"), max_length=32)
    method = models.CharField(
        _("method"),
        max_length=16,
        choices=PaymentMethod.choices,
        default=PaymentMethod.MOBILE_MONEY,
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lines_total = models.PositiveIntegerField(default=0)
    allocated = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.operator} {self.file_name}"


class MobileMoneyLine(models.Model):
    statement = models.ForeignKey(MobileMoneyImport, models.CASCADE, related_name="lines")
    mutual = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    line_no = models.PositiveIntegerField()
    operator = models.CharField(max_length=32)
    operator_reference = models.CharField(_("operator reference"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    value_date = models.DateField(_("value date"))
    text = models.CharField(_("payment reference text"), max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus.choices)
    household = models.ForeignKey(
        "members.Household", models.PROTECT, null=True, blank=True, related_name="+"
    )
    suggested_household = models.ForeignKey(
        "members.Household", models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.OneToOneField(
        Payment, models.PROTECT, null=True, blank=True, related_name="mobile_money_line"
    )

    class Meta:
        ordering = ["statement", "line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["mutual", "operator", "operator_reference"],
                condition=~Q(status="duplicate"),
                name="momo_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.operator_reference


class ReceiptBook(models.Model):
    """A numbered receipt book given to a field collector (enrolment officer)."""

    section = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    collector = models.ForeignKey("core.User", models.PROTECT, related_name="receipt_books")
    first_number = models.PositiveIntegerField(_("first receipt"))
    last_number = models.PositiveIntegerField(_("last receipt"))
    issued_on = models.DateField(_("issued on"))
    commission_rate = models.DecimalField(
        _("commission rate"), max_digits=5, decimal_places=4, default=Decimal(0)
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(last_number__gte=models.F("first_number")), name="receipt_book_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_number}–{self.last_number}"


class CashHandover(models.Model):
    """Cash a collector hands over to the section, counted against what was receipted."""

    section = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    collector = models.ForeignKey("core.User", models.PROTECT, related_name="+")
    expected = models.DecimalField(_("receipted"), max_digits=14, decimal_places=2)
    counted = models.DecimalField(_("counted"), max_digits=14, decimal_places=2)
    commission = models.DecimalField(_("commission"), max_digits=14, decimal_places=2)
    receipt_number = models.CharField(_("handover receipt"), max_length=32)
    handed_on = models.DateField(_("handed over on"))
    received_by = models.ForeignKey("core.User", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def difference(self):
        """Counted minus receipted: negative when cash is missing."""
        return self.counted - self.expected


class CoverageChange(models.Model):
    """A dated, explained change of a coverage period's status (daily run or payment)."""

    coverage = models.ForeignKey(
        "members.CoveragePeriod", models.CASCADE, related_name="status_changes"
    )
    household = models.ForeignKey("members.Household", models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16)
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=64)

    class Meta:
        ordering = ["household", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.coverage_id} → {self.status} ({self.effective_on})"


class CoverReinstatement(models.Model):
    """Cover given back from `covered_from`: claims rejected as not covered since then
    must be adjudicated again (the claims app reads this table)."""

    household = models.ForeignKey("members.Household", models.CASCADE, related_name="+")
    covered_from = models.DateField(_("covered again from"))
    recorded_on = models.DateField(_("recorded on"))
    handled = models.BooleanField(default=False)

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} from {self.covered_from}"
