"""Health-care providers (prestataires / formations sanitaires).

A provider (type, level in the pyramid, ownership, location), its agreements
with validity dates, payment terms and third-party payment, and the
negotiated tariffs of each agreement (DOMAIN §6). Its agents are users with
the health-facility agent role tied to it (core.RoleAssignment.provider).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history


class ProviderKind(models.TextChoices):
    HEALTH_POST = "health_post", _("Health post")
    HEALTH_CENTRE = "health_centre", _("Health centre")
    DISTRICT_HOSPITAL = "district_hospital", _("District hospital")
    REGIONAL_HOSPITAL = "regional_hospital", _("Regional hospital")
    NATIONAL_HOSPITAL = "national_hospital", _("National hospital")
    CLINIC = "clinic", _("Clinic")
    PHARMACY = "pharmacy", _("Pharmacy")
    LABORATORY = "laboratory", _("Laboratory")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")
    FAITH_BASED = "faith_based", _("Faith-based")
    COMMUNITY = "community", _("Community")


class Provider(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="providers",
        verbose_name=_("registered by"),
        help_text=_("The mutual, union or federation that registers this provider."),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=ProviderKind.choices)
    level = models.PositiveSmallIntegerField(
        _("level in the health pyramid"),
        default=1,
        help_text=_(
            "1 = first contact (health post/centre), 2 = district, 3 = regional, 4 = national."
        ),
    )
    ownership = models.CharField(
        _("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = history()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FlatBasis(models.TextChoices):
    VISIT = "visit", _("per visit")
    EPISODE = "episode", _("per episode")


class Agreement(models.Model):
    """A provider's agreement with the mutual (FR: convention), DOMAIN §6.

    Claims outside its dates, or for items not in its price list, are
    rejected by the engine (`agreement_invalid`, `not_in_price_list`), and so
    are claims received more than `submission_deadline_days` after the care
    (`invalid_date`, late). With
    `reference_prices`, every catalogue item not listed is accepted at its
    reference price. Without third-party payment (FR: tiers payant) the
    member pays the provider and the mutual reimburses the member.
    """

    provider = models.ForeignKey(
        Provider, models.PROTECT, related_name="agreements", verbose_name=_("provider")
    )
    reference = models.CharField(_("reference"), max_length=64)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, help_text=_("Days to pay a valuated claim.")
    )
    third_party_payment = models.BooleanField(
        _("third-party payment"),
        default=True,
        help_text=_("The mutual pays the provider; the member pays only the co-payment."),
    )
    reference_prices = models.BooleanField(
        _("catalogue items at reference price"),
        default=False,
        help_text=_("Items not in the tariff list are accepted at the catalogue's price."),
    )
    submission_deadline_days = models.PositiveSmallIntegerField(
        _("submission deadline (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the care (or discharge) within which a claim must reach the mutual; "
            "later claims are rejected. Empty: no deadline."
        ),
    )
    capitation_per_member = models.DecimalField(
        _("capitation per member per month"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["provider", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["provider", "reference"], name="agreement_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.reference}"

    def valid_on(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class NegotiatedTariff(models.Model):
    """A negotiated price for one catalogue item (FR: tarif conventionné).

    Either a unit `price` (fee-for-service) or a `flat_rate` per visit or
    episode, whatever the quantity.
    """

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="tariffs", verbose_name=_("agreement")
    )
    item_code = models.CharField(_("item code"), max_length=32)
    price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    flat_rate = models.DecimalField(
        _("flat rate"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    flat_basis = models.CharField(
        _("flat rate basis"), max_length=8, choices=FlatBasis.choices, blank=True
    )

    class Meta:
        verbose_name = _("negotiated tariff")
        verbose_name_plural = _("negotiated tariffs")
        ordering = ["agreement", "item_code"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "item_code"], name="tariff_item_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(price__isnull=False, flat_rate__isnull=True)
                    | models.Q(price__isnull=True, flat_rate__isnull=False)
                ),
                name="tariff_price_or_flat_rate",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0) | models.Q(price__isnull=True),
                name="tariff_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(flat_rate__gte=0) | models.Q(flat_rate__isnull=True),
                name="tariff_flat_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.price if self.price is not None else self.flat_rate}"
