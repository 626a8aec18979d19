"""The member register (DOMAIN §3): persons, households, memberships, cover, cards.

- `Person`: an identity, registered by a mutual.
- `Household` (ménage): the unit that subscribes and pays; has a head.
- `Membership`: a person as a beneficiary of a household in a mutual, with the
  beneficiary number printed on the card (Damm check digit), relationship,
  adherent flag (who votes), member category and current status.
- `MembershipStatusChange`: dated transitions (effective date and recorded
  date); the status at any date is computed from them, never overwritten.
- `CoveragePeriod` (the openIMIS "policy"): household or person × package.
- `Card`: one valid serial per membership; a reprint revokes the previous one.
- `Group`: employer, cooperative, women's group paying under a group contract.
- `DuplicateCandidate`: likely duplicates waiting for a clerk's review.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Relationship(models.TextChoices):
    HEAD = "head", _("Household head")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    DEPENDANT = "dependant", _("Other dependant")


class MemberCategory(models.TextChoices):
    FORMAL = "formal", _("Formal-sector worker")
    INFORMAL = "informal", _("Informal sector")
    STUDENT = "student", _("Student")
    INDIGENT = "indigent", _("Indigent (subsidised)")
    OTHER = "other", _("Other")


class MembershipStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    RESIGNED = "resigned", _("Resigned")
    EXCLUDED = "excluded", _("Excluded")
    DECEASED = "deceased", _("Deceased")


# Allowed transitions (DOMAIN §3): candidate → active → suspended → resigned/excluded/deceased.
TRANSITIONS: dict[str, set[str]] = {
    MembershipStatus.CANDIDATE: {
        MembershipStatus.ACTIVE,
        MembershipStatus.RESIGNED,
        MembershipStatus.DECEASED,
        MembershipStatus.EXCLUDED,
    },
    MembershipStatus.ACTIVE: {
        MembershipStatus.SUSPENDED,
        MembershipStatus.RESIGNED,
        MembershipStatus.EXCLUDED,
        MembershipStatus.DECEASED,
    },
    MembershipStatus.SUSPENDED: {
        MembershipStatus.ACTIVE,
        MembershipStatus.RESIGNED,
        MembershipStatus.EXCLUDED,
        MembershipStatus.DECEASED,
    },
    MembershipStatus.RESIGNED: {MembershipStatus.CANDIDATE, MembershipStatus.ACTIVE},
    MembershipStatus.EXCLUDED: set(),
    MembershipStatus.DECEASED: set(),
}
ENDED = {MembershipStatus.RESIGNED, MembershipStatus.EXCLUDED, MembershipStatus.DECEASED}


class GroupKind(models.TextChoices):
    EMPLOYER = "employer", _("Employer")
    COOPERATIVE = "cooperative", _("Cooperative")
    WOMENS_GROUP = "womens_group", _("Women's group")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


class Group(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="member_groups", verbose_name=_("mutual")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    contract_reference = models.CharField(_("group contract reference"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = history()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="persons", verbose_name=_("registered by")
    )
    first_name = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("family name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        help_text=_("Enough when the exact date is not known."),
    )
    national_id = models.CharField(_("national ID"), max_length=40, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        help_text=_("International format, e.g. +221771234567."),
    )
    locality = models.CharField(_("village / neighbourhood"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/%Y/", null=True, blank=True)
    normalised_name = models.CharField(max_length=250, db_index=True, editable=False)
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        blank=True,
        help_text=_("Identifier in the source file of an import."),
    )
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
        db_index=False,  # partial index below: almost every person has none
    )
    user = models.OneToOneField(
        "core.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("member account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history(excluded_fields=["normalised_name"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["mutual", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique",
            ),
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="person_sex_valid"),
        ]
        indexes = [
            models.Index(
                fields=["national_id"], name="person_national_id_idx", condition=~Q(national_id="")
            ),
            models.Index(fields=["phone"], name="person_phone_idx", condition=~Q(phone="")),
            models.Index(
                fields=["merged_into"],
                name="person_merged_into_idx",
                condition=Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    @property
    def full_name(self) -> str:
        return str(self)


class Household(models.Model):
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="households", verbose_name=_("mutual")
    )
    section = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="section_households",
        verbose_name=_("section"),
    )
    number = models.CharField(_("household number"), max_length=20, unique=True)
    head = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_households",
        verbose_name=_("head"),
    )
    group = models.ForeignKey(
        Group,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("group contract"),
    )
    locality = models.CharField(_("village / neighbourhood"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    declared_income = models.DecimalField(
        _("declared monthly income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_band = models.CharField(_("income band"), max_length=16, blank=True)
    external_id = models.CharField(_("external ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["mutual", "external_id"],
                condition=~Q(external_id=""),
                name="household_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Membership(models.Model):
    """A beneficiary (ayant droit) of a household in a mutual; `number` is on the card."""

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="memberships", verbose_name=_("household")
    )
    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="memberships", verbose_name=_("mutual")
    )
    section = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="section_memberships",
        verbose_name=_("section"),
        db_index=False,  # the (section, status) index serves it
    )
    number = models.CharField(_("beneficiary number"), max_length=20, unique=True)
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices
    )
    category = models.CharField(
        _("member category"),
        max_length=16,
        choices=MemberCategory.choices,
        default=MemberCategory.INFORMAL,
    )
    is_adherent = models.BooleanField(
        _("adherent"),
        default=False,
        help_text=_("Adherents subscribe, pay and vote (statutes: head and adult spouses)."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.CANDIDATE,
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    first_contact_provider = models.ForeignKey(
        "providers.Provider",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first-contact facility"),
        db_index=False,  # partial index below: most members have none
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "mutual"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_mutual",
            ),
        ]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(
                fields=["first_contact_provider"],
                name="membership_first_contact_idx",
                condition=Q(first_contact_provider__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"


class MembershipStatusChange(models.Model):
    """One dated transition. Status at D = last change effective on or before D."""

    membership = models.ForeignKey(
        Membership,
        models.CASCADE,
        related_name="status_changes",
        db_index=False,  # the (membership, effective_on) index serves it
    )
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices)
    effective_on = models.DateField(_("effective on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["membership", "effective_on", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["membership", "effective_on"]),
            models.Index(
                fields=["actor"], name="status_change_actor_idx", condition=Q(actor__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.status} ({self.effective_on})"

    @property
    def reason_label(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


# Reason codes of status changes → labels. Apps that write status changes add
# their own codes in AppConfig.ready() (contributions: cover_started, arrears…).
REASONS = {
    "enrol": _("enrolment"),
    "import": _("import"),
    "arrears": _("arrears"),
    "payment": _("payment"),
    "resignation": _("resignation"),
    "left_household": _("left the household"),
    "exclusion": _("exclusion"),
    "death": _("death"),
    "duplicate": _("duplicate merged"),
}


class CoverageStatus(models.TextChoices):
    IDLE = "idle", _("Idle (not yet paid)")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class CoveragePeriod(models.Model):
    """Household (or one person) × package over dates: the openIMIS "policy"."""

    household = models.ForeignKey(
        Household, models.PROTECT, related_name="coverage_periods", verbose_name=_("household")
    )
    membership = models.ForeignKey(
        Membership,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="coverage_periods",
        verbose_name=_("beneficiary (when per person)"),
    )
    package = models.ForeignKey(
        "benefits.Package",
        models.PROTECT,
        related_name="coverage_periods",
        verbose_name=_("package"),
    )
    enrolled_on = models.DateField(_("enrolled on"))
    start_on = models.DateField(_("cover starts on"))
    expiry_on = models.DateField(_("cover expires on"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CoverageStatus.choices,
        default=CoverageStatus.IDLE,
        db_index=True,
    )
    renewal_of = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("renewal of"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("coverage period")
        verbose_name_plural = _("coverage periods")
        ordering = ["household", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_on__gte=models.F("start_on")), name="coverage_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["household", "package", "start_on"])]

    def __str__(self) -> str:
        return f"{self.household} · {self.package} · {self.start_on}–{self.expiry_on}"


class Card(models.Model):
    membership = models.ForeignKey(Membership, models.PROTECT, related_name="cards")
    serial = models.PositiveIntegerField(_("card serial"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.UniqueConstraint(fields=["membership", "serial"], name="card_serial_unique"),
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(revoked_at__isnull=True),
                name="card_one_valid_per_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.number}/{self.serial}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not a duplicate")


class DuplicateCandidate(models.Model):
    mutual = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=32)
    status = models.CharField(
        max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="duplicate_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id} ({self.reason})"


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MemberImport(models.Model):
    """One upload of a member file: its outcome and the error report to correct and re-import."""

    mutual = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="+", verbose_name=_("mutual")
    )
    actor = models.ForeignKey("core.User", models.SET_NULL, null=True, blank=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    batch = models.ForeignKey(
        "core.BatchLog", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error_report = models.TextField(blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
