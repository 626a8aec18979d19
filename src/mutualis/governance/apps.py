from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "mutualis.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from mutualis.core.roles import Perm
        from mutualis.web.nav import register

        register(
            "governance", _("Governance"), "governance:home", perm=Perm.GOVERNANCE_VIEW, order=70
        )
        register(
            "complaints",
            _("Complaints"),
            "governance:complaints",
            perm=Perm.COMPLAINT_HANDLE,
            order=72,
        )
