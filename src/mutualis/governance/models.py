"""Democratic governance (DOMAIN §1 and §10): statutes, General Assemblies, mandates, voice.

- `Statutes`: per organisation, the rules the GA arithmetic follows.
- `Position`: a seat (or several) in a body (board, control committee, bureau,
  section delegates) that elections fill and mandates hold.
- `Assembly`: a General Assembly with its convocation, frozen electorate
  (`Voter`), check-in (`Attendance`, `Proxy`), `Resolution`s and `Election`s.
- Secret ballots store only tallies per polling station (`StationTally`,
  `StationVotes`), never who voted for whom; roll calls store `RollCallVote`.
- `Mandate`: the officers' register. `BoardMeeting` with attendance and decisions.
- `Complaint`: members' complaints and suggestions (réclamations).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualis.core.audit import history
from mutualis.engine.governance import QUORUM_FRACTIONS


class Body(models.TextChoices):
    BOARD = "board", _("Administrative Board")
    CONTROL = "control", _("Control Committee")
    BUREAU = "bureau", _("Executive Bureau")
    DELEGATES = "delegates", _("Section delegates")


class MajorityRule(models.TextChoices):
    SIMPLE = "simple", _("Simple (more for than against)")
    ABSOLUTE = "absolute", _("Absolute (more than half of votes cast)")
    TWO_THIRDS = "two_thirds", _("Two-thirds of votes cast")


class TieBreakRule(models.TextChoices):
    ELDEST = "eldest", _("The eldest candidate is elected")
    SENIORITY = "seniority", _("The longest-standing member is elected")
    NEW_ROUND = "new_round", _("A new round between the tied candidates")


QUORUM_CHOICES = [
    ("0", _("No quorum")),
    ("1/4", _("One quarter")),
    ("1/3", _("One third")),
    ("1/2", _("One half")),
    ("2/3", _("Two thirds")),
    ("3/4", _("Three quarters")),
]
assert [c for c, _l in QUORUM_CHOICES] == list(QUORUM_FRACTIONS)


class Statutes(models.Model):
    organisation = models.OneToOneField(
        "core.Organisation", models.PROTECT, related_name="statutes", verbose_name=_("organisation")
    )
    mandate_years = models.PositiveSmallIntegerField(_("mandate length (years)"), default=3)
    term_limit = models.PositiveSmallIntegerField(
        _("term limit"),
        null=True,
        blank=True,
        default=2,
        help_text=_("Consecutive mandates allowed in the same body; empty for no limit."),
    )
    quorum_ordinary_first = models.CharField(
        _("quorum, ordinary GA, first call"), max_length=4, choices=QUORUM_CHOICES, default="1/2"
    )
    quorum_ordinary_second = models.CharField(
        _("quorum, ordinary GA, second call"), max_length=4, choices=QUORUM_CHOICES, default="0"
    )
    quorum_extraordinary_first = models.CharField(
        _("quorum, extraordinary GA, first call"),
        max_length=4,
        choices=QUORUM_CHOICES,
        default="2/3",
    )
    quorum_extraordinary_second = models.CharField(
        _("quorum, extraordinary GA, second call"),
        max_length=4,
        choices=QUORUM_CHOICES,
        default="1/3",
    )
    majority_ordinary = models.CharField(
        _("majority for ordinary resolutions"),
        max_length=16,
        choices=MajorityRule.choices,
        default=MajorityRule.SIMPLE,
    )
    majority_statutes = models.CharField(
        _("majority for statute changes and extraordinary GAs"),
        max_length=16,
        choices=MajorityRule.choices,
        default=MajorityRule.TWO_THIRDS,
    )
    abstentions_count = models.BooleanField(_("abstentions count as votes cast"), default=False)
    max_proxies = models.PositiveSmallIntegerField(_("maximum proxies per member"), default=1)
    ga_by_delegates = models.BooleanField(
        _("GA of delegates elected by sections"),
        default=False,
        help_text=_("Otherwise the GA is of all adherents in good standing."),
    )
    notice_days = models.PositiveSmallIntegerField(_("convocation notice (days)"), default=15)
    tie_break = models.CharField(
        _("tie in an election"),
        max_length=16,
        choices=TieBreakRule.choices,
        default=TieBreakRule.ELDEST,
    )
    ga_deadline_month = models.PositiveSmallIntegerField(
        _("ordinary GA held by the end of month"),
        default=6,
        help_text=_("The ordinary GA approving last year's accounts is due by then."),
    )
    complaint_days = models.PositiveSmallIntegerField(_("days to answer a complaint"), default=30)
    youth_age = models.PositiveSmallIntegerField(_("youth: under this age"), default=35)

    history = history()

    class Meta:
        verbose_name = _("statutes")
        verbose_name_plural = _("statutes")

    def __str__(self) -> str:
        return f"{self.organisation}"


class Position(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation",
        models.PROTECT,
        related_name="positions",
        verbose_name=_("organisation"),
    )
    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    title = models.CharField(_("title"), max_length=120)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    order = models.PositiveSmallIntegerField(default=0)

    history = history()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organisation", "body", "order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="position_title_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="position_has_seats"),
        ]

    def __str__(self) -> str:
        return self.title


class AssemblyKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary General Assembly")
    EXTRAORDINARY = "extraordinary", _("Extraordinary General Assembly")


class AssemblyStatus(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    CONVENED = "convened", _("Convened")
    CLOSED = "closed", _("Closed")


class Assembly(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="assemblies", verbose_name=_("mutual")
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=AssemblyKind.choices, default=AssemblyKind.ORDINARY
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"), help_text=_("One item per line."))
    cutoff_on = models.DateField(
        _("cut-off date"), help_text=_("Members in good standing on this date may vote.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssemblyStatus.choices, default=AssemblyStatus.DRAFT
    )
    convocation_sent_on = models.DateField(_("convocation sent on"), null=True, blank=True)
    electorate_frozen_at = models.DateTimeField(_("electorate frozen at"), null=True, blank=True)
    call = models.PositiveSmallIntegerField(_("call"), default=1)
    chair = models.CharField(_("chair"), max_length=200, blank=True)
    secretary = models.CharField(_("secretary"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        verbose_name = _("general assembly")
        verbose_name_plural = _("general assemblies")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(call__in=[1, 2]), name="assembly_call_1_or_2"),
            models.CheckConstraint(
                condition=Q(cutoff_on__lte=models.F("held_on")), name="assembly_cutoff_before"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class DocumentKind(models.TextChoices):
    ANNUAL_REPORT = "annual_report", _("Annual report")
    ACCOUNTS = "accounts", _("Accounts")
    BUDGET = "budget", _("Budget")
    OTHER = "other", _("Other document")


class AssemblyDocument(models.Model):
    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to="governance/%Y/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.title


class Voter(models.Model):
    """One line of the frozen electorate: one vote, whatever the member pays."""

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="voters")
    membership = models.ForeignKey("members.Membership", models.PROTECT, related_name="+")
    section = models.ForeignKey("core.Organisation", models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=20)
    name = models.CharField(_("name"), max_length=250)

    class Meta:
        ordering = ["section", "name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "membership"], name="voter_once"),
            models.UniqueConstraint(fields=["assembly", "number"], name="voter_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Attendance(models.Model):
    """A voter checked in; each member at most once per GA."""

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="attendances")
    voter = models.OneToOneField(Voter, models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(auto_now_add=True)
    call = models.PositiveSmallIntegerField(default=1)
    by = models.ForeignKey("core.User", models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-checked_in_at", "-id"]

    def __str__(self) -> str:
        return f"{self.voter}"


class Proxy(models.Model):
    """A voter absent who gave a proxy (procuration) to one present."""

    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="proxies")
    giver = models.OneToOneField(Voter, models.CASCADE, related_name="proxy_given")
    holder = models.ForeignKey(Voter, models.CASCADE, related_name="proxies_held")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.CheckConstraint(condition=~Q(giver=models.F("holder")), name="proxy_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


class ResolutionKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Approval of the accounts")
    BUDGET = "budget", _("Budget")
    CONTRIBUTIONS = "contributions", _("Change of contributions")
    STATUTES = "statutes", _("Change of the statutes")
    OTHER = "other", _("Other decision")


class VoteMode(models.TextChoices):
    SHOW_OF_HANDS = "tally", _("Counts (show of hands or ballot)")
    ROLL_CALL = "roll_call", _("Roll call")


class Resolution(models.Model):
    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="resolutions")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=ResolutionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    majority = models.CharField(_("majority"), max_length=16, choices=MajorityRule.choices)
    mode = models.CharField(
        _("vote"), max_length=16, choices=VoteMode.choices, default=VoteMode.SHOW_OF_HANDS
    )
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="resolution_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class RollCallVote(models.Model):
    """A roll-call vote: named, so one per member (and per proxy given)."""

    resolution = models.ForeignKey(Resolution, models.CASCADE, related_name="roll_call")
    voter = models.ForeignKey(Voter, models.CASCADE, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resolution", "voter"], name="roll_call_once"),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.choice}"


class ElectionStatus(models.TextChoices):
    OPEN = "open", _("Candidates and counting")
    DECIDED = "decided", _("Results proclaimed")
    NEW_ROUND = "new_round", _("Tie: a new round is needed")


class Election(models.Model):
    assembly = models.ForeignKey(Assembly, models.CASCADE, related_name="elections")
    position = models.ForeignKey(Position, models.PROTECT, related_name="elections")
    seats = models.PositiveSmallIntegerField(_("seats"))
    status = models.CharField(
        max_length=16, choices=ElectionStatus.choices, default=ElectionStatus.OPEN
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    tie_broken_by = models.CharField(
        _("tie broken by"), max_length=16, choices=TieBreakRule.choices, blank=True
    )

    history = history()

    class Meta:
        ordering = ["assembly", "id"]

    def __str__(self) -> str:
        return f"{self.position} ({self.seats})"


class Candidate(models.Model):
    election = models.ForeignKey(Election, models.CASCADE, related_name="candidates")
    membership = models.ForeignKey("members.Membership", models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField(default=0)
    elected = models.BooleanField(default=False)

    class Meta:
        ordering = ["election", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "membership"], name="candidate_once"),
        ]

    def __str__(self) -> str:
        return str(self.membership.person)


class StationTally(models.Model):
    """The count of one polling station: ballots, blank or spoilt, votes per candidate."""

    election = models.ForeignKey(Election, models.CASCADE, related_name="tallies")
    station = models.CharField(_("polling station"), max_length=120)
    ballots = models.PositiveIntegerField(_("ballots in the box"))
    blank_or_spoilt = models.PositiveIntegerField(_("blank or spoilt"), default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "station"]
        constraints = [
            models.UniqueConstraint(fields=["election", "station"], name="station_tally_once"),
        ]

    def __str__(self) -> str:
        return self.station


class StationVotes(models.Model):
    tally = models.ForeignKey(StationTally, models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(Candidate, models.CASCADE, related_name="station_votes")
    votes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tally", "candidate"], name="station_votes_once"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.votes}"


class Mandate(models.Model):
    """A seat held: the officers' register."""

    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="mandates", verbose_name=_("organisation")
    )
    position = models.ForeignKey(Position, models.PROTECT, related_name="mandates")
    membership = models.ForeignKey("members.Membership", models.PROTECT, related_name="+")
    start_on = models.DateField(_("start"))
    end_on = models.DateField(_("end"))
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    election = models.ForeignKey(
        Election, models.SET_NULL, null=True, blank=True, related_name="mandates"
    )

    history = history()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["position__body", "position__order", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="mandate_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} · {self.membership.person}"

    @property
    def last_day(self):
        return self.ended_on or self.end_on


class BoardMeeting(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="board_meetings"
    )
    body = models.CharField(_("body"), max_length=16, choices=Body.choices, default=Body.BOARD)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    present = models.ManyToManyField(Mandate, related_name="meetings", blank=True)

    history = history()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.held_on:%Y-%m-%d}"


class BoardDecision(models.Model):
    meeting = models.ForeignKey(BoardMeeting, models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["meeting", "number"]

    def __str__(self) -> str:
        return self.text[:80]


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class ComplaintChannel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    MEMBER_ACCOUNT = "member_account", _("Member account")
    API = "api", _("API")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")


class Complaint(models.Model):
    section = models.ForeignKey(
        "core.Organisation", models.PROTECT, related_name="complaints", verbose_name=_("section")
    )
    membership = models.ForeignKey(
        "members.Membership",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    from_name = models.CharField(_("from"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    assignee = models.ForeignKey(
        "core.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = history()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.subject
