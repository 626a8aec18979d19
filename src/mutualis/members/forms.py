"""Forms of the register pages. They only parse; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CoverageStatus, GroupKind, MemberCategory, MembershipStatus, Relationship, Sex

BLANK = [("", "—")]
MAX_PERSONS = 12


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Number, name or phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "autocomplete": "off"}),
    )


class PersonForm(forms.Form):
    """One person of the enrolment grid (head first)."""

    last_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    first_name = forms.CharField(label=_("First names"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + list(Sex.choices), required=False)
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=BLANK + list(Relationship.choices), required=False
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    national_id = forms.CharField(label=_("National ID"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["aria-label"] = str(f.label)
        self.fields["birth_year"].widget.attrs["style"] = "width:6em"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("last_name") or data.get("first_name"))


PersonFormSet = forms.formset_factory(PersonForm, extra=6, max_num=MAX_PERSONS)


class HouseholdForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    category = forms.ChoiceField(
        label=_("Member category"), choices=MemberCategory.choices, initial=MemberCategory.INFORMAL
    )
    locality = forms.CharField(label=_("Village / neighbourhood"), max_length=120, required=False)
    group = forms.ChoiceField(label=_("Group contract"), required=False)
    activate = forms.BooleanField(
        label=_("Active now (registration fee and first contribution paid)"),
        required=False,
        initial=True,
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked the similar persons: this is a new household"),
        required=False,
        widget=forms.HiddenInput(),
    )

    def __init__(self, *args, sections=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.name) for s in sections]
        self.fields["group"].choices = BLANK + [(g.pk, g.name) for g in groups]


class BeneficiaryForm(PersonForm):
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    activate = forms.BooleanField(label=_("Active now"), required=False, initial=True)
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked the similar persons: this is a new person"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("last_name", "first_name", "sex", "relationship"):
            self.fields[name].required = True
        self.fields["relationship"].choices = [
            c for c in Relationship.choices if c[0] != Relationship.HEAD
        ]


class PersonEditForm(forms.Form):
    last_name = forms.CharField(label=_("Family name"), max_length=120)
    first_name = forms.CharField(label=_("First names"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    national_id = forms.CharField(label=_("National ID"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    locality = forms.CharField(label=_("Village / neighbourhood"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    photo = forms.ImageField(label=_("Photo"), required=False)


class TransferForm(forms.Form):
    section = forms.ChoiceField(label=_("New section"))
    on = forms.DateField(label=_("Effective on"), widget=DateInput())

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.name) for s in sections]


STATUS_ACTIONS = [
    ("activate", _("Activate")),
    ("suspend", _("Suspend")),
    ("reactivate", _("Reactivate")),
    ("resign", _("Resign")),
    ("remove", _("Remove from the household")),
    ("exclude", _("Exclude")),
    ("death", _("Record a death")),
]


class StatusForm(forms.Form):
    action = forms.ChoiceField(label=_("Change"), choices=STATUS_ACTIONS)
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ResignForm(forms.Form):
    on = forms.DateField(label=_("Effective on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CoverageForm(forms.Form):
    package = forms.ChoiceField(label=_("Package"))
    start_on = forms.DateField(label=_("Cover starts on"), widget=DateInput())
    expiry_on = forms.DateField(label=_("Cover expires on"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=CoverageStatus.choices, initial=CoverageStatus.ACTIVE
    )

    def __init__(self, *args, packages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [(p.pk, p.name) for p in packages]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    mutual = forms.ChoiceField(label=_("Mutual"))

    def __init__(self, *args, mutuals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mutual"].choices = [(m.pk, m.name) for m in mutuals]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    contract_reference = forms.CharField(
        label=_("Group contract reference"), max_length=64, required=False
    )


__all__ = ["MembershipStatus"]
