"""Benefit packages (produits / paquets de garanties), DOMAIN §4.

- `Package`: the named product a coverage period refers to (basic or
  complementary), per mutual.
- `PackageVersion`: what the package promises from `effective_from` on. A
  question about a date uses the published version in force then (latest
  `effective_from` on or before it). A version is edited while it is a draft;
  once published it never changes: a change is a new version with its date.
  It also carries the product fields of openIMIS (fees, grace, enrolment
  window, member thresholds, renewal discount, capitation share) that other
  apps read.
- `ServiceCategory` and `CatalogueItem`: the mutual's priced list of acts,
  medicines and consumables (reference prices; a provider's negotiated tariff
  overrides them, DOMAIN §6).
- `BenefitRule`: how a version treats a category, or one item of it: covered
  or excluded, rate or fixed co-payment, waiting period, referral, prior
  authorisation, clinical applicability, care type.
- `RuleCoverage`: a member category's own coverage (e.g. indigents exempt).
- `Limit`: a ceiling, count limit or frequency, of a rule or of the whole
  version, with its scope and window.

Never adult/child variants of rates, waits or limits (solidarity, DOMAIN §1):
an age/sex range here is the clinical applicability of an act, nothing else.
`selectors.package_version_facts` maps these rows to the engine's dataclasses.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history


class PackageKind(models.TextChoices):
    BASIC = "basic", _("Compulsory (basic)")
    COMPLEMENTARY = "complementary", _("Complementary")


class Package(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="packages", verbose_name=_("mutual")
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=PackageKind.choices, default=PackageKind.BASIC
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = history()

    class Meta:
        verbose_name = _("benefit package")
        verbose_name_plural = _("benefit packages")
        ordering = ["mutual", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mutual", "code"], name="package_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class CareType(models.TextChoices):
    OUT_PATIENT = "out_patient", _("Out-patient")
    IN_PATIENT = "in_patient", _("In-patient")
    BOTH = "both", _("In- or out-patient")


class ItemKind(models.TextChoices):
    ACT = "act", _("Act / service")
    MEDICINE = "medicine", _("Medicine")
    CONSUMABLE = "consumable", _("Consumable")


class ServiceCategory(models.Model):
    """A category of care (consultation, hospitalisation, maternity…), per mutual."""

    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("mutual")
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=100)

    history = history()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["mutual", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mutual", "code"], name="category_code_unique"),
        ]

    def __str__(self) -> str:
        from .categories import category_label

        return str(category_label(self.code, self.name))


class CatalogueItem(models.Model):
    """An act, medicine or consumable of the mutual's priced list (DOMAIN §4)."""

    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("mutual")
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ServiceCategory, models.PROTECT, related_name="items", verbose_name=_("category")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default="act")
    reference_price = models.DecimalField(_("reference price"), max_digits=14, decimal_places=2)
    care_type = models.CharField(
        _("care type"), max_length=16, choices=CareType.choices, default=CareType.BOTH
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = history()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["mutual", "category__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mutual", "code"], name="item_code_unique"),
            models.CheckConstraint(
                condition=Q(reference_price__gte=0), name="item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PremiumBasis(models.TextChoices):
    PER_MEMBER = "per_member", _("Per member")
    LUMP_SUM = "lump_sum", _("Lump sum per household")


class PackageVersion(models.Model):
    """What a package promises from `effective_from` on (openIMIS "product")."""

    package = models.ForeignKey(
        Package, models.PROTECT, related_name="versions", verbose_name=_("package")
    )
    effective_from = models.DateField(_("in force from"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.TextField(_("what changes"), blank=True)
    # Package-wide deductible (FR: franchise); null = none.
    deductible = models.DecimalField(
        _("deductible"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    deductible_scope = models.CharField(
        _("deductible per"),
        max_length=16,
        choices=[("beneficiary", _("beneficiary")), ("household", _("household"))],
        default="beneficiary",
    )
    # Product fields read by contributions and enrolment (openIMIS product).
    premium_basis = models.CharField(
        _("contribution basis"),
        max_length=16,
        choices=PremiumBasis.choices,
        default=PremiumBasis.PER_MEMBER,
    )
    premium_amount = models.DecimalField(
        _("contribution per year"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    threshold_members = models.PositiveSmallIntegerField(
        _("members included in the lump sum"), null=True, blank=True
    )
    max_members = models.PositiveSmallIntegerField(
        _("maximum members per household"), null=True, blank=True
    )
    registration_fee = models.DecimalField(
        _("registration fee"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    general_assembly_fee = models.DecimalField(
        _("general assembly fee"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    renewal_discount_percent = models.DecimalField(
        _("renewal discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    enrolment_opens = models.CharField(
        _("enrolment opens (MM-DD)"), max_length=5, blank=True, help_text=_("e.g. 10-01")
    )
    enrolment_closes = models.CharField(
        _("enrolment closes (MM-DD)"), max_length=5, blank=True, help_text=_("e.g. 12-31")
    )
    cover_months = models.PositiveSmallIntegerField(_("cover period (months)"), default=12)
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=0)
    capitation_percent = models.DecimalField(
        _("share paid as capitation (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Relative pricing: part of contributions shared among first-contact facilities."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        verbose_name = _("package version")
        verbose_name_plural = _("package versions")
        ordering = ["package", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "effective_from"], name="version_date_unique"
            ),
            models.CheckConstraint(
                condition=Q(deductible__isnull=True) | Q(deductible__gte=0),
                name="version_deductible_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package.code} {self.effective_from:%Y-%m-%d}"


class Sex(models.TextChoices):
    FEMALE = "F", _("Women")
    MALE = "M", _("Men")


class BenefitRule(models.Model):
    """How a version treats a category or, when `item` is set, one item of it.

    An item rule replaces the category rule for that item entirely.
    Coverage: `rate` (share the mutual pays, 0..1) or `fixed_copay` (FR:
    ticket modérateur, once per visit) — exactly one when covered.
    """

    version = models.ForeignKey(
        PackageVersion, models.CASCADE, related_name="rules", verbose_name=_("version")
    )
    category = models.ForeignKey(
        ServiceCategory, models.PROTECT, related_name="+", verbose_name=_("category")
    )
    item = models.ForeignKey(
        CatalogueItem,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    covered = models.BooleanField(_("covered"), default=True)
    rate = models.DecimalField(
        _("coverage rate"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    fixed_copay = models.DecimalField(
        _("fixed co-payment"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    waiting_days = models.PositiveIntegerField(_("waiting period (days)"), default=0)
    referral_required = models.BooleanField(_("referral required"), default=False)
    authorisation_required = models.BooleanField(_("prior authorisation required"), default=False)
    applicable_sex = models.CharField(
        _("act applies to"), max_length=1, choices=Sex.choices, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    care_type = models.CharField(
        _("care type"), max_length=16, choices=CareType.choices, default=CareType.BOTH
    )

    history = history()

    class Meta:
        verbose_name = _("benefit rule")
        verbose_name_plural = _("benefit rules")
        ordering = ["version", "category__position", "category__code", "item__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category"],
                condition=Q(item__isnull=True),
                name="rule_one_per_category",
            ),
            models.UniqueConstraint(
                fields=["version", "item"],
                condition=Q(item__isnull=False),
                name="rule_one_per_item",
            ),
            models.CheckConstraint(
                condition=Q(covered=False)
                | (Q(rate__isnull=False) & Q(fixed_copay__isnull=True))
                | (Q(rate__isnull=True) & Q(fixed_copay__isnull=False)),
                name="rule_rate_or_copay",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | (Q(rate__gte=0) & Q(rate__lte=1)),
                name="rule_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(fixed_copay__isnull=True) | Q(fixed_copay__gte=0),
                name="rule_copay_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.item.code if self.item_id else self.category.code}"


class RuleCoverage(models.Model):
    """A member category's own coverage under a rule (e.g. indigents exempt, DOMAIN §5)."""

    rule = models.ForeignKey(BenefitRule, models.CASCADE, related_name="category_coverages")
    member_category = models.CharField(_("member category"), max_length=16)
    rate = models.DecimalField(
        _("coverage rate"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    fixed_copay = models.DecimalField(
        _("fixed co-payment"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("coverage of a member category")
        verbose_name_plural = _("coverage of member categories")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "member_category"], name="rule_coverage_unique"
            ),
            models.CheckConstraint(
                condition=(Q(rate__isnull=False) & Q(fixed_copay__isnull=True))
                | (Q(rate__isnull=True) & Q(fixed_copay__isnull=False)),
                name="rule_coverage_rate_or_copay",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.member_category}"


class LimitKind(models.TextChoices):
    CEILING = "ceiling", _("Ceiling (amount)")
    COUNT = "count", _("Count limit")
    FREQUENCY = "frequency", _("Frequency")


class LimitScope(models.TextChoices):
    ACT = "act", _("per act")
    VISIT = "visit", _("per visit")
    EPISODE = "episode", _("per episode")
    BENEFICIARY = "beneficiary", _("per beneficiary")
    HOUSEHOLD = "household", _("per household")


class WindowKind(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", _("calendar year")
    ROLLING_DAYS = "rolling_days", _("rolling days")
    COVER_PERIOD = "cover_period", _("cover period")


class CountUnit(models.TextChoices):
    QUANTITY = "quantity", _("units")
    VISITS = "visits", _("visits")


class Limit(models.Model):
    """A ceiling (amount), count limit or frequency of a rule, or of the whole version.

    `rule` null: a package-wide ceiling (all that the package pays). Windows
    apply to the beneficiary and household scopes (ACT, VISIT, EPISODE have none).
    """

    version = models.ForeignKey(PackageVersion, models.CASCADE, related_name="limits")
    rule = models.ForeignKey(
        BenefitRule, models.CASCADE, null=True, blank=True, related_name="limits"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LimitKind.choices)
    scope = models.CharField(_("per"), max_length=16, choices=LimitScope.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_count = models.PositiveIntegerField(_("maximum"), null=True, blank=True)
    unit = models.CharField(
        _("counted in"), max_length=16, choices=CountUnit.choices, default=CountUnit.QUANTITY
    )
    window = models.CharField(
        _("window"), max_length=16, choices=WindowKind.choices, default=WindowKind.CALENDAR_YEAR
    )
    window_days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    care_type = models.CharField(
        _("care type"), max_length=16, choices=CareType.choices, default=CareType.BOTH
    )

    class Meta:
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        ordering = ["version", "rule", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ceiling") & Q(amount__gte=0) & Q(max_count__isnull=True))
                | (~Q(kind="ceiling") & Q(amount__isnull=True) & Q(max_count__isnull=False)),
                name="limit_amount_or_count",
            ),
            models.CheckConstraint(
                condition=(Q(window="rolling_days") & Q(window_days__gte=1))
                | (~Q(window="rolling_days") & Q(window_days__isnull=True)),
                name="limit_rolling_has_days",
            ),
            models.UniqueConstraint(
                fields=["rule"], condition=Q(kind="frequency"), name="limit_one_frequency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope} {self.amount or self.max_count}"
