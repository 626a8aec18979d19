"""Organisation tree, users, role assignments, API tokens, audit and batch log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.engine.money import CURRENCIES, currency

from .audit import history
from .roles import Role


class OrgKind(models.TextChoices):
    FEDERATION = "federation", _("Federation")
    UNION = "union", _("Union")
    MUTUAL = "mutual", _("Mutual")
    SECTION = "section", _("Section")


# Which kind may sit under which (any level may be absent).
ALLOWED_PARENTS = {
    OrgKind.FEDERATION: {None},
    OrgKind.UNION: {None, OrgKind.FEDERATION},
    OrgKind.MUTUAL: {None, OrgKind.FEDERATION, OrgKind.UNION},
    OrgKind.SECTION: {OrgKind.MUTUAL},
}

CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


class Organisation(models.Model):
    """A node of the tree federation → union → mutual → section.

    `path` holds the ids from the root ("/1/4/9/"): a subtree is a prefix, so
    scoping any table to a user's nodes is one indexed condition.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="XOF"
    )
    country = models.CharField(
        _("country"), max_length=2, default="SN", help_text=_("ISO 3166 code, e.g. SN, CI, RW.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Africa/Dakar")
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in OrgKind]), name="org_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def money(self):
        """The currency of this node (a section uses its mutual's)."""
        return currency(self.currency)

    def is_within(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def mutual(self) -> Organisation | None:
        if self.kind == OrgKind.MUTUAL:
            return self
        if self.kind == OrgKind.SECTION:
            return self.parent
        return None


class User(AbstractUser):
    """A person who signs in: staff, a provider's agent or a member."""

    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    history = history(excluded_fields=["password", "last_login", "failed_logins", "locked_until"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """User × role × node: the user may act in that role over the node's subtree."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="assignments", verbose_name=_("organisation")
    )
    provider = models.ForeignKey(
        "providers.Provider",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name=_("provider"),
        help_text=_("Required for a health-facility agent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.PROVIDER_AGENT) | Q(provider__isnull=False),
                name="provider_agent_has_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A per-client API token. Only its SHA-256 is stored; shown once on creation."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """An explicit business action: who, when, what, on which object."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class BatchLog(models.Model):
    """A bulk operation (import, dues, adjudication…): who, when, parameters, rows."""

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status != BatchStatus.RUNNING else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class Sequence(models.Model):
    """A named counter (beneficiary numbers, receipt numbers…), advanced under a row lock."""

    key = models.CharField(max_length=100, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
