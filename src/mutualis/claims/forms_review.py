"""Forms of the medical review pages: settings, prior authorisation, feedback."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReviewSettings


class ReviewSettingsForm(forms.ModelForm):
    flagged_items = forms.CharField(
        label=_("Flagged items"),
        required=False,
        help_text=_("Item codes always reviewed, separated by spaces."),
    )

    class Meta:
        model = ReviewSettings
        fields = [
            "random_share",
            "seed",
            "amount_above",
            "rare_below",
            "flagged_items",
            "outlier_factor",
            "four_eyes_above",
            "authorisation_days",
            "authorisation_valid_days",
            "feedback_share",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and isinstance(self.instance.flagged_items, list):
            self.initial["flagged_items"] = " ".join(self.instance.flagged_items)


class AuthorisationForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=20)
    items = forms.CharField(
        label=_("Items"), max_length=200, help_text=_("Item codes separated by spaces.")
    )
    planned_on = forms.DateField(
        label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AuthorisationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    valid_until = forms.DateField(
        label=_("Authorised until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the mutual's usual validity after the planned date."),
    )
    answer = forms.CharField(
        label=_("Answer to the provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(forms.Form):
    care_received = forms.TypedChoiceField(
        label=_("Did you receive this care?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    extra_charged = forms.TypedChoiceField(
        label=_("Did the provider ask you to pay more than your part?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    extra_amount = forms.DecimalField(label=_("How much?"), required=False, min_value=0)
