from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    QUORUM_CHOICES,
    AssemblyKind,
    Body,
    Choice,
    ComplaintKind,
    DocumentKind,
    MajorityRule,
    ResolutionKind,
    TieBreakRule,
    VoteMode,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatutesForm(forms.Form):
    mandate_years = forms.IntegerField(label=_("Mandate length (years)"), min_value=1, max_value=10)
    term_limit = forms.IntegerField(
        label=_("Term limit (consecutive mandates)"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("Empty for no limit."),
    )
    quorum_ordinary_first = forms.ChoiceField(
        label=_("Quorum, ordinary GA, first call"), choices=QUORUM_CHOICES
    )
    quorum_ordinary_second = forms.ChoiceField(
        label=_("Quorum, ordinary GA, second call"), choices=QUORUM_CHOICES
    )
    quorum_extraordinary_first = forms.ChoiceField(
        label=_("Quorum, extraordinary GA, first call"), choices=QUORUM_CHOICES
    )
    quorum_extraordinary_second = forms.ChoiceField(
        label=_("Quorum, extraordinary GA, second call"), choices=QUORUM_CHOICES
    )
    majority_ordinary = forms.ChoiceField(
        label=_("Majority for ordinary resolutions"), choices=MajorityRule.choices
    )
    majority_statutes = forms.ChoiceField(
        label=_("Majority for statute changes and extraordinary GAs"),
        choices=MajorityRule.choices,
    )
    abstentions_count = forms.BooleanField(
        label=_("Abstentions count as votes cast"), required=False
    )
    max_proxies = forms.IntegerField(label=_("Maximum proxies per member"), min_value=0)
    ga_by_delegates = forms.BooleanField(
        label=_("GA of delegates elected by sections"), required=False
    )
    notice_days = forms.IntegerField(label=_("Convocation notice (days)"), min_value=0)
    tie_break = forms.ChoiceField(label=_("Tie in an election"), choices=TieBreakRule.choices)
    ga_deadline_month = forms.IntegerField(
        label=_("Ordinary GA held by the end of month"), min_value=1, max_value=12
    )
    complaint_days = forms.IntegerField(label=_("Days to answer a complaint"), min_value=1)
    youth_age = forms.IntegerField(label=_("Youth: under this age"), min_value=15, max_value=60)


class PositionForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, initial=1)


class AssemblyForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Mutual"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AssemblyKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    starts_at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line."),
    )
    cutoff_on = forms.DateField(
        label=_("Cut-off date for good standing"),
        widget=DATE,
        help_text=_("Members in good standing on this date may vote."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class ConveneForm(forms.Form):
    sent_on = forms.DateField(label=_("Convocation sent on"), widget=DATE)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("PDF file"))


class CheckInForm(forms.Form):
    number = forms.CharField(
        label=_("Card number (typed or scanned)"),
        max_length=500,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class ProxyForm(forms.Form):
    giver = forms.CharField(label=_("Number of the absent member giving the proxy"), max_length=500)
    holder = forms.CharField(label=_("Number of the member present holding it"), max_length=500)


class ResolutionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResolutionKind.choices)
    title = forms.CharField(label=_("Resolution"), max_length=200)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    mode = forms.ChoiceField(label=_("Vote"), choices=VoteMode.choices)


class TallyForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0)
    against = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)


class RollCallForm(forms.Form):
    number = forms.CharField(label=_("Card number"), max_length=500)
    choice = forms.ChoiceField(label=_("Vote"), choices=Choice.choices, widget=forms.RadioSelect)


class ElectionForm(forms.Form):
    position = forms.ChoiceField(label=_("Position"))
    seats = forms.IntegerField(label=_("Seats to fill"), min_value=1, required=False)

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [
            (p.pk, f"{p.get_body_display()} · {p.title} ({p.seats})") for p in positions
        ]


class CandidateForm(forms.Form):
    number = forms.CharField(label=_("Number of the candidate"), max_length=500)


class StationTallyForm(forms.Form):
    station = forms.CharField(label=_("Polling station"), max_length=120)
    ballots = forms.IntegerField(label=_("Ballots in the box"), min_value=0)
    blank_or_spoilt = forms.IntegerField(label=_("Blank or spoilt"), min_value=0, initial=0)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_fields = []
        for c in candidates:
            name = f"votes_{c.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Votes for %(name)s") % {"name": c.membership.person},
                min_value=0,
                initial=0,
            )
            self.candidate_fields.append((c.pk, name))

    def votes(self) -> dict[int, int]:
        return {pk: self.cleaned_data[name] for pk, name in self.candidate_fields}


class CloseForm(forms.Form):
    chair = forms.CharField(label=_("Chair of the session"), max_length=200)
    secretary = forms.CharField(label=_("Secretary of the session"), max_length=200)


class MandateForm(forms.Form):
    position = forms.ChoiceField(label=_("Position"))
    number = forms.CharField(label=_("Member number"), max_length=500)
    start_on = forms.DateField(label=_("Start"), widget=DATE)
    end_on = forms.DateField(
        label=_("End"), widget=DATE, required=False, help_text=_("Empty: the statutes' length.")
    )

    def __init__(self, *args, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [
            (p.pk, f"{p.organisation} · {p.title}") for p in positions
        ]


class MeetingForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    present = forms.MultipleChoiceField(
        label=_("Officers present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One decision per line."),
    )

    def __init__(self, *args, organisations=(), mandates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["present"].choices = [
            (m.pk, f"{m.membership.person} · {m.position}") for m in mandates
        ]


class ComplaintForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ComplaintKind.choices)
    number = forms.CharField(
        label=_("Member number"), max_length=500, required=False, help_text=_("If a member.")
    )
    from_name = forms.CharField(label=_("From"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.name) for s in sections]


class AcknowledgeForm(forms.Form):
    on = forms.DateField(label=_("Acknowledged on"), widget=DATE)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—")] + [(u.pk, str(u)) for u in users]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
    on = forms.DateField(label=_("Answered on"), widget=DATE)


class MemberComplaintForm(forms.Form):
    membership = forms.ChoiceField(label=_("Member"), widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=ComplaintKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [(m.pk, m.number) for m in memberships]
