from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Ownership, ProviderKind


class ProviderForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=ProviderKind.choices)
    level = forms.IntegerField(
        label=_("Level in the health pyramid"), min_value=1, max_value=4, initial=1
    )
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    locality = forms.CharField(label=_("Locality"), max_length=120, required=False)


class AgreementForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=64)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=0, initial=30
    )
    third_party_payment = forms.BooleanField(
        label=_("Third-party payment"), required=False, initial=True
    )
    reference_prices = forms.BooleanField(
        label=_("Catalogue items at reference price"), required=False
    )
    submission_deadline_days = forms.IntegerField(
        label=_("Submission deadline (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Claims received later than this after the care are rejected. Empty: none."),
    )


class AgreementTermsForm(forms.Form):
    """The terms of an agreement that may change while it runs."""

    valid_to = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_terms_days = forms.IntegerField(label=_("Payment terms (days)"), min_value=0)
    third_party_payment = forms.BooleanField(label=_("Third-party payment"), required=False)
    reference_prices = forms.BooleanField(
        label=_("Catalogue items at reference price"), required=False
    )
    submission_deadline_days = AgreementForm.base_fields["submission_deadline_days"]


class TariffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tariff list (CSV or XLSX)"),
        help_text=_("Columns: code, price (or flat_rate and flat_basis: visit or episode)."),
    )
