from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "mutualis.web"
    label = "web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from mutualis.core.roles import Perm

        from .nav import register

        register("home", _("Home"), "home", order=0)
        register(
            "organisations", _("Organisation"), "organisations", perm=Perm.ORG_MANAGE, order=80
        )
        register("users", _("Users"), "users", perm=Perm.USER_MANAGE, order=85)
        register("audit", _("Audit"), "audit", perm=Perm.AUDIT_VIEW, order=90)
