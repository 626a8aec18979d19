from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "mutualis.members"
    label = "members"
    verbose_name = _("Member register")

    def ready(self):
        from mutualis.core.roles import Perm
        from mutualis.web.nav import register

        register("members", _("Members"), "members:list", perm=Perm.MEMBER_VIEW, order=10)
