"""Health-care providers (prestataires / formations sanitaires).

Minimal for now: identity, type, level and location. Agreements and tariffs
come with the claims work (DOMAIN §6).
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
