from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "mutualis.benefits"
    label = "benefits"
    verbose_name = _("Benefit packages")

    def ready(self) -> None:
        from mutualis.core.roles import Perm
        from mutualis.web.nav import register

        register(
            "eligibility",
            _("Eligibility"),
            "benefits:eligibility",
            perm=Perm.ELIGIBILITY_CHECK,
            order=15,
        )
        register("packages", _("Packages"), "benefits:packages", perm=Perm.PACKAGE_VIEW, order=40)
        register(
            "catalogue", _("Catalogue"), "benefits:catalogue", perm=Perm.PACKAGE_MANAGE, order=41
        )
