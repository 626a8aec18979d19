"""Benefit packages (produits / paquets de garanties), DOMAIN §4.

A `Package` is the named product a coverage period refers to. Versions with
rules, rates, ceilings and waits are added by the benefits work.
"""

from django.db import models
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
