"""Forms of the package pages: a package, a draft version's fields, its rules and limits.

They only parse; `services` validates (amounts in the mutual's currency, rate
or co-payment, windows…) and its errors land on the fields of the same name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.models import fields_for_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mutualis.members.models import MemberCategory

from .models import BenefitRule, Limit, PackageKind, PackageVersion
from .services import VERSION_FIELDS

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PackageForm(forms.Form):
    mutual = forms.ChoiceField(label=_("Mutual"))
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PackageKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, mutuals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mutual"].choices = [(m.pk, m.name) for m in mutuals]
        if len(mutuals) == 1:
            self.fields["mutual"].widget = forms.HiddenInput()
            self.fields["mutual"].initial = mutuals[0].pk


# The product fields of a version, labelled as in the model (`version_update` checks them).
VersionForm = type(
    "VersionForm", (forms.Form,), fields_for_model(PackageVersion, fields=VERSION_FIELDS)
)


# Rule fields edited as they are stored (rate, co-payment and coverages are converted).
RULE_FIELDS = (
    "waiting_days",
    "referral_required",
    "authorisation_required",
    "applicable_sex",
    "min_age",
    "max_age",
    "care_type",
)
LIMIT_FIELDS = (
    "kind",
    "scope",
    "amount",
    "max_count",
    "unit",
    "window",
    "window_days",
    "care_type",
)


def _coverage_field(category_label) -> forms.CharField:
    return forms.CharField(
        label=format_lazy(_("Cover of the category “{category}”"), category=category_label),
        required=False,
        max_length=20,
        help_text=_("100% = exempt, or an amount = fixed co-payment; empty = as above."),
    )


class RuleForm(forms.Form):
    """A rule of a category (or of one item). `rate` is typed in percent."""

    category = forms.ChoiceField(label=_("Category of care"))
    item = forms.CharField(
        label=_("Item code (only for a rule of one item)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "catalogue-codes", "autocomplete": "off"}),
    )
    covered = forms.BooleanField(label=_("Covered"), required=False, initial=True)
    rate = forms.DecimalField(
        label=_("Coverage rate (%)"),
        required=False,
        help_text=_("Share the mutual pays: 80 means the member pays 20%."),
    )
    fixed_copay = forms.CharField(
        label=_("Or fixed co-payment per visit"), required=False, max_length=20
    )

    def __init__(self, *args, categories=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, str(c)) for c in categories]
        self.fields.update(fields_for_model(BenefitRule, fields=RULE_FIELDS))
        self.fields["applicable_sex"].help_text = _(
            "Clinical applicability of the act (delivery: women 12–55), never a risk rating."
        )
        for code, label in MemberCategory.choices:
            self.fields[f"member_coverages.{code}"] = _coverage_field(label)
        if editing:  # the category and item name the rule: they do not change
            for name in ("category", "item"):
                self.fields[name].disabled = True

    def member_coverages(self) -> dict[str, tuple]:
        """{"indigent": (rate, None) or (None, copay)} from "100%" or "200"."""
        out = {}
        for code in MemberCategory.values:
            text = (self.cleaned_data.get(f"member_coverages.{code}") or "").strip()
            if not text:
                continue
            if text.endswith("%"):
                try:
                    out[code] = (Decimal(text[:-1].strip().replace(",", ".")) / 100, None)
                except InvalidOperation:
                    out[code] = ("?", None)  # the service says what is wrong
            else:
                out[code] = (None, text)
        return out

    def rule_values(self) -> dict:
        data = self.cleaned_data
        rate = data.get("rate")
        return {
            "covered": data["covered"],
            "rate": None if rate is None else rate / 100,
            "fixed_copay": data.get("fixed_copay") or None,
            "waiting_days": data.get("waiting_days") or 0,
            "referral_required": data["referral_required"],
            "authorisation_required": data["authorisation_required"],
            "applicable_sex": data.get("applicable_sex") or "",
            "min_age": data.get("min_age"),
            "max_age": data.get("max_age"),
            "care_type": data["care_type"],
            "member_coverages": self.member_coverages(),
        }


def rule_initial(rule) -> dict:
    initial = {
        "category": rule.category_id,
        "item": rule.item.code if rule.item_id else "",
        "covered": rule.covered,
        "rate": None if rule.rate is None else (rule.rate * 100).normalize(),
        "fixed_copay": "" if rule.fixed_copay is None else f"{rule.fixed_copay.normalize():f}",
    }
    for name in RULE_FIELDS:
        initial[name] = getattr(rule, name)
    for c in rule.category_coverages.all():
        initial[f"member_coverages.{c.member_category}"] = (
            f"{(c.rate * 100).normalize():f}%"
            if c.rate is not None
            else f"{c.fixed_copay.normalize():f}"
        )
    return initial


LimitForm = type(
    "LimitForm",
    (forms.Form,),
    fields_for_model(
        Limit,
        fields=[
            "kind",
            "scope",
            "amount",
            "max_count",
            "unit",
            "window",
            "window_days",
            "care_type",
        ],
    ),
)
