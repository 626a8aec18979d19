from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "mutualis.contributions"
    label = "contributions"
    verbose_name = _("Contributions")

    def ready(self) -> None:
        from mutualis.core.roles import Perm, Role
        from mutualis.members.models import REASONS
        from mutualis.web.nav import register

        from .models import REASON_LABELS

        REASONS.update(REASON_LABELS)  # the daily run's reasons on the household history

        register(
            "contributions",
            _("Counter"),
            "contributions:counter",
            perm=Perm.PAYMENT_RECORD,
            order=20,
        )
        register(
            "contributions-field",
            _("Field payment"),
            "contributions:field_payment",
            perm=Perm.PAYMENT_RECORD,
            order=20,
            roles=(Role.CLERK,),
        )
        register(
            "contributions-books",
            _("Receipt books and cash handover"),
            "contributions:receipt_books",
            perm=Perm.PAYMENT_RECORD,
            order=21,
        )
        register(
            "contributions-momo",
            _("Mobile money"),
            "contributions:momo",
            perm=Perm.PAYMENT_RECORD,
            order=21,
            roles=(Role.MANAGER, Role.ACCOUNTANT),
        )
        register(
            "contributions-runs",
            _("Dues and status run"),
            "contributions:runs",
            perm=Perm.PAYMENT_RECORD,
            order=22,
            roles=(Role.MANAGER, Role.ACCOUNTANT),
        )
        register(
            "contributions-schedules",
            _("Contribution schedules"),
            "contributions:schedules",
            perm=Perm.PACKAGE_MANAGE,
            order=23,
        )
        register(
            "contributions-payers",
            _("Third-party payers"),
            "contributions:payers",
            perm=Perm.PAYMENT_VIEW,
            order=24,
            roles=(Role.MANAGER, Role.ACCOUNTANT, Role.AUDITOR),
        )
