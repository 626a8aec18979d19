from django import forms
from django.utils.translation import gettext_lazy as _

from mutualis.members.models import MemberCategory

from .models import PayerKind, PaymentMethod, PeriodKind, ProRata, ScheduleKind, VariesBy

COUNTER_METHODS = [
    (PaymentMethod.CASH, PaymentMethod.CASH.label),
    (PaymentMethod.BANK, PaymentMethod.BANK.label),
    (PaymentMethod.MOBILE_MONEY, PaymentMethod.MOBILE_MONEY.label),
    (PaymentMethod.EMPLOYER, PaymentMethod.EMPLOYER.label),
]


class FindForm(forms.Form):
    number = forms.CharField(
        label=_("Household or beneficiary number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )


class PaymentForm(forms.Form):
    amount = forms.CharField(label=_("Amount received"), max_length=20)
    method = forms.ChoiceField(label=_("Method"), choices=COUNTER_METHODS)
    value_date = forms.DateField(
        label=_("Value date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference (bank, operator)"), max_length=100, required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=255)


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ScheduleKind.choices)
    period = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    first_month = forms.IntegerField(label=_("First month of the year"), initial=1)
    amount = forms.DecimalField(label=_("Amount per period"), required=False, initial=0)
    varies_by = forms.CharField(
        label=_("Varies by"),
        required=False,
        max_length=32,
        widget=forms.Select(choices=VariesBy.choices),
    )
    rates = forms.CharField(
        label=_("Rates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: key=amount, e.g. informal=3500 or 3=5000 (income band 3)."),
    )
    household_cap = forms.DecimalField(label=_("Household cap"), required=False)
    income_rate = forms.DecimalField(label=_("Share of declared income"), required=False)
    floor = forms.DecimalField(label=_("Floor"), required=False)
    ceiling = forms.DecimalField(label=_("Ceiling"), required=False)
    registration_fee = forms.DecimalField(label=_("Registration fee"), initial=0)
    membership_fee = forms.DecimalField(label=_("Yearly membership (GA) fee"), initial=0)
    renewal_discount = forms.DecimalField(label=_("Renewal discount"), initial=0)
    pro_rata = forms.ChoiceField(label=_("Members added during a period"), choices=ProRata.choices)
    due_days = forms.IntegerField(label=_("Days to pay after the period starts"), initial=0)
    grace_days = forms.IntegerField(label=_("Grace period (days)"), initial=30)
    cover_share = forms.DecimalField(
        label=_("Share of the dues that gives partial cover"), initial=1
    )
    partial_cover_months = forms.IntegerField(label=_("Months covered by that share"), initial=0)
    strike_off_months = forms.IntegerField(
        label=_("Struck off after months of arrears"), initial=12
    )


class SubsidyForm(forms.Form):
    payer = forms.ChoiceField(label=_("Paid by"))
    share = forms.DecimalField(label=_("Share paid (0 to 1)"), required=False)
    fixed = forms.DecimalField(label=_("Or fixed amount"), required=False)
    category = forms.ChoiceField(
        label=_("For the category"),
        required=False,
        choices=[("", _("Everybody"))] + MemberCategory.choices,
    )
    under_age = forms.IntegerField(label=_("Only children under (years)"), required=False)
    fees = forms.BooleanField(label=_("Also pays the fees"), required=False)

    def __init__(self, *args, payers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = [(p.pk, p.name) for p in payers]


class PayerForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PayerKind.choices)


class GenerateForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-11 for a month, 2026 for a year.")
    )


class DailyForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class MomoForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Kind of statement"),
        choices=[
            (PaymentMethod.MOBILE_MONEY, PaymentMethod.MOBILE_MONEY.label),
            (PaymentMethod.BANK, PaymentMethod.BANK.label),
            (PaymentMethod.EMPLOYER, PaymentMethod.EMPLOYER.label),
        ],
    )
    operator = forms.CharField(
        label=_("Operator, bank or employer"), max_length=32, initial="Orange Money"
    )
    file = forms.FileField(
        label=_("Statement (CSV)"),
        help_text=_(
            "Columns: reference, date, amount, phone, text (no phone for a bank or an "
            "employer file); the text holds the beneficiary or household number."
        ),
    )


class MatchForm(forms.Form):
    number = forms.CharField(label=_("Household or beneficiary number"), max_length=40)


class ReceiptBookForm(forms.Form):
    collector = forms.ChoiceField(label=_("Collector"))
    first_number = forms.IntegerField(label=_("First receipt number"), min_value=1)
    last_number = forms.IntegerField(label=_("Last receipt number"), min_value=1)
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    commission_rate = forms.DecimalField(
        label=_("Commission rate"),
        required=False,
        initial=0,
        help_text=_("Share of the cash collected paid to the collector: 0.05 for 5%."),
    )

    def __init__(self, *args, collectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [(u.pk, str(u)) for u in collectors]


class FieldPaymentForm(forms.Form):
    number = forms.CharField(label=_("Household or beneficiary number"), max_length=40)
    book_number = forms.CharField(
        label=_("Receipt number in your book"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    amount = forms.CharField(label=_("Amount received"), max_length=20)
    value_date = forms.DateField(
        label=_("Date received"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class HandoverForm(forms.Form):
    collector = forms.IntegerField(widget=forms.HiddenInput)
    counted = forms.CharField(label=_("Cash counted"), max_length=20)
