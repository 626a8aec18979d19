"""Forms of the claims pages: keyboard entry of a claim, a paper batch, an appeal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CareType

LINE_ROWS = 6


class ClaimForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "numeric"}),
    )
    start_on = forms.DateField(
        label=_("Date of care"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_on = forms.DateField(
        label=_("Discharge date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only for a stay."),
    )
    care_type = forms.ChoiceField(label=_("Care"), choices=CareType.choices, initial="out_patient")
    diagnoses = forms.CharField(
        label=_("Diagnoses (ICD-10)"),
        max_length=200,
        help_text=_("One or more codes separated by spaces, e.g. J06.9"),
    )
    referral = forms.CharField(label=_("Referral number"), max_length=64, required=False)
    authorisation = forms.CharField(
        label=_("Prior authorisation number"), max_length=64, required=False
    )
    provider_reference = forms.CharField(
        label=_("Provider's invoice number"), max_length=64, required=False
    )

    def __init__(self, *args, providers=None, rows: int = LINE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = max(rows, LINE_ROWS)
        if providers is not None:
            self.fields["provider"] = forms.ChoiceField(
                label=_("Provider"), choices=[(p.pk, p.name) for p in providers]
            )
            self.order_fields(["provider"])
        for i in range(self.rows):
            self.fields[f"item_{i}"] = forms.CharField(
                label=_("Item"), max_length=32, required=False
            )
            self.fields[f"qty_{i}"] = forms.IntegerField(label=_("Qty"), required=False)
            self.fields[f"price_{i}"] = forms.DecimalField(
                label=_("Unit price"), required=False, max_digits=14, decimal_places=2
            )

    def line_rows(self):
        return [(self[f"item_{i}"], self[f"qty_{i}"], self[f"price_{i}"]) for i in range(self.rows)]

    def head_fields(self):
        return [
            f for f in self.visible_fields() if not f.name.startswith(("item_", "qty_", "price_"))
        ]

    def lines(self):
        out = []
        for i in range(self.rows):
            item = (self.cleaned_data.get(f"item_{i}") or "").strip().upper()
            if not item:
                continue
            qty = self.cleaned_data.get(f"qty_{i}")
            price = self.cleaned_data.get(f"price_{i}")
            out.append((i, item, 1 if qty is None else qty, price))
        return out


def initial_from(claim, *, diagnoses: bool) -> dict:
    """A stored claim as the entry form's initial data (for its correction).

    Diagnoses are copied only for those who may read them (medical secrecy).
    """
    data = {
        "card_number": claim.membership.number,
        "start_on": claim.start_on,
        "end_on": claim.end_on,
        "care_type": claim.care_type,
        "diagnoses": " ".join(claim.diagnoses) if diagnoses else "",
        "referral": claim.referral,
        "authorisation": claim.authorisation,
        "provider_reference": claim.provider_reference,
    }
    for i, ln in enumerate(claim.lines.all()):
        data.update(
            {f"item_{i}": ln.item_code, f"qty_{i}": ln.quantity, f"price_{i}": ln.unit_price}
        )
    return data


class BatchForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"))
    reference = forms.CharField(label=_("Batch reference"), max_length=64)
    period = forms.DateField(
        label=_("Month of care"), widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    declared_count = forms.IntegerField(label=_("Number of claims declared"), min_value=0)
    declared_amount = forms.DecimalField(label=_("Amount declared"), min_value=0, decimal_places=2)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.pk, p.name) for p in providers]


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should this line be paid?"), widget=forms.Textarea(attrs={"rows": 2})
    )
