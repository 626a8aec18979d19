from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mutualis.core.models import OrgKind
from mutualis.core.roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OrganisationForm(forms.Form):
    parent = forms.ChoiceField(label=_("Under"))
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices, initial=OrgKind.SECTION)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=32)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            (o.pk, f"{o.get_kind_display()} · {o.name}") for o in parents
        ]


class UserForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First names"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters, not only digits."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ChoiceField(label=_("Where"))
    provider = forms.ChoiceField(label=_("Provider (facility agents)"), required=False)

    def __init__(self, *args, organisations=(), providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (o.pk, f"{o.get_kind_display()} · {o.name}") for o in organisations
        ]
        self.fields["provider"].choices = [("", "—")] + [(p.pk, p.name) for p in providers]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ChoiceField(label=_("Where"))
    provider = forms.ChoiceField(label=_("Provider (facility agents)"), required=False)

    def __init__(self, *args, organisations=(), providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (o.pk, f"{o.get_kind_display()} · {o.name}") for o in organisations
        ]
        self.fields["provider"].choices = [("", "—")] + [(p.pk, p.name) for p in providers]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("For example the name of the application using it."),
    )
