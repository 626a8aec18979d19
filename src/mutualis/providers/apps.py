from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "mutualis.providers"
    label = "providers"
    verbose_name = _("Providers")

    def ready(self) -> None:
        from mutualis.core.roles import Perm
        from mutualis.web.nav import register

        register("providers", _("Providers"), "providers:list", perm=Perm.PROVIDER_VIEW, order=35)
