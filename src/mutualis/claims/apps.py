from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "mutualis.claims"
    label = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from mutualis.core.roles import Perm, Role
        from mutualis.web.nav import register

        register("claims", _("Claims"), "claims:list", perm=Perm.CLAIM_VIEW, order=40)
        register("claims_mine", _("My claims"), "claims:list", roles=(Role.MEMBER,), order=41)
        register("claims_review", _("Review"), "claims:review", perm=Perm.CLAIM_REVIEW, order=42)
        register(
            "claims_authorisations",
            _("Prior authorisations"),
            "claims:authorisations",
            perm=Perm.CLAIM_VIEW,
            order=44,
        )
        register(
            "claims_feedback",
            _("Questions about my care"),
            "claims:feedback_list",
            roles=(Role.MEMBER,),
            order=45,
        )
        register(
            "claims_feedback_staff",
            _("Care feedback"),
            "claims:feedback_list",
            perm=Perm.COMPLAINT_HANDLE,
            order=46,
        )
        register(
            "claims_batches",
            _("Paper batches"),
            "claims:batches",
            perm=Perm.CLAIM_ADJUDICATE,
            order=43,
        )
        register(
            "claims_adjudicate",
            _("Batch adjudication"),
            "claims:adjudicate",
            perm=Perm.CLAIM_ADJUDICATE,
            order=44,
        )
