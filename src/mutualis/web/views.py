"""Core pages: sign-in, home, language, organisation, users, API tokens, audit.

Views parse input, fetch through scoped selectors, call one service, render.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mutualis.core import selectors, services
from mutualis.core.errors import DomainError
from mutualis.core.models import ApiToken, OrgKind
from mutualis.core.roles import ROLE_PERMS, Perm, Role
from mutualis.core.scope import grants, has_perm, require, roles_of
from mutualis.providers.models import Provider

from .forms import LoginForm, OrganisationForm, RoleForm, TokenForm, UserForm
from .util import form_errors_from, paginate


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            response = redirect(_safe_next(request, "/"))
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    return render(
        request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@require_POST
def language_view(request):
    """Switch the interface language; remembered on the user's profile when signed in."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600
    )
    return response


# Home: one panel per role the user holds, each with links to the work of that role.
ROLE_TASKS = {
    Role.CLERK: [
        (gettext_lazy("Find a member"), "members:list"),
        (gettext_lazy("Enrol a household"), "members:enrol"),
        (gettext_lazy("Cash counter"), "contributions:counter"),
        (gettext_lazy("Check eligibility"), "benefits:eligibility"),
        (gettext_lazy("Complaints"), "governance:complaints"),
    ],
    Role.CLAIMS_OFFICER: [
        (gettext_lazy("Claims"), "claims:list"),
        (gettext_lazy("Enter a claim"), "claims:new"),
        (gettext_lazy("Paper batches"), "claims:batches"),
        (gettext_lazy("Providers"), "providers:list"),
    ],
    Role.MEDICAL_ADVISER: [
        (gettext_lazy("Review queue"), "claims:review"),
        (gettext_lazy("Claims"), "claims:list"),
    ],
    Role.ACCOUNTANT: [
        (gettext_lazy("Cash counter"), "contributions:counter"),
        (gettext_lazy("Mobile money"), "contributions:momo"),
        (gettext_lazy("Third-party payers"), "contributions:payers"),
        (gettext_lazy("Claims"), "claims:list"),
    ],
    Role.MANAGER: [
        (gettext_lazy("Members"), "members:list"),
        (gettext_lazy("Dues and status run"), "contributions:runs"),
        (gettext_lazy("Benefit packages"), "benefits:packages"),
        (gettext_lazy("Claims"), "claims:list"),
        (gettext_lazy("Governance"), "governance:home"),
        (gettext_lazy("Organisation"), "organisations"),
        (gettext_lazy("Users"), "users"),
    ],
    Role.BOARD: [
        (gettext_lazy("Governance"), "governance:home"),
        (gettext_lazy("Institutional indicators"), "governance:indicators"),
        (gettext_lazy("Benefit packages"), "benefits:packages"),
    ],
    Role.AUDITOR: [
        (gettext_lazy("Audit trail"), "audit"),
        (gettext_lazy("Members"), "members:list"),
        (gettext_lazy("Claims"), "claims:list"),
    ],
    Role.PROVIDER_AGENT: [
        (gettext_lazy("Check eligibility"), "benefits:eligibility"),
        (gettext_lazy("Enter a claim"), "claims:new"),
        (gettext_lazy("Our claims"), "claims:list"),
    ],
    Role.MEMBER: [
        (gettext_lazy("My household"), "members:mine"),
        (gettext_lazy("General Assemblies"), "governance:mine"),
    ],
}


@login_required
def home_view(request):
    from django.urls import NoReverseMatch, reverse

    panels = []
    user_grants = grants(request.user)
    for role in Role:
        where = [g for g in user_grants if g.role == role]
        if not where and not (request.user.is_superuser and role == Role.MANAGER):
            continue
        links = []
        for label, name in ROLE_TASKS.get(role, []):
            try:
                links.append({"label": label, "url": reverse(name)})
            except NoReverseMatch:
                pass
        panels.append(
            {
                "role": role.label,
                "links": links,
                "where": sorted({g.organisation_id for g in where}),
            }
        )
    orgs = {o.pk: o for o in selectors.organisation_list(user=request.user)}
    for panel in panels:
        panel["where"] = [orgs[i] for i in panel["where"] if i in orgs]
    return render(request, "web/home.html", {"panels": panels})


# --- Organisation ----------------------------------------------------------------


@login_required
def organisations_view(request):
    require(request.user, Perm.ORG_MANAGE)
    nodes = list(selectors.organisation_list(user=request.user))
    parents = [
        o
        for o in nodes
        if o.kind != OrgKind.SECTION and has_perm(request.user, Perm.ORG_MANAGE, on=o)
    ]
    form = OrganisationForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            parent = selectors.organisation_get(
                user=request.user, organisation_id=form.cleaned_data["parent"]
            )
            org = services.organisation_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                parent=parent,
                address=form.cleaned_data["address"],
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("“%(name)s” was created.") % {"name": org.name})
            return redirect("organisations")
    return render(request, "web/organisations.html", {"nodes": nodes, "form": form})


@login_required
def organisation_view(request, organisation_id: int):
    """One unit: its place in the tree, sub-units and the staff working there."""
    org = selectors.organisation_get(user=request.user, organisation_id=organisation_id)
    require(request.user, Perm.ORG_VIEW, on=org)
    children = selectors.organisation_list(user=request.user).filter(parent=org)
    staff = (
        org.assignments.select_related("user").order_by("role", "user__username")
        if has_perm(request.user, Perm.USER_MANAGE, on=org)
        else None
    )
    return render(
        request, "web/organisation.html", {"org": org, "children": children, "staff": staff}
    )


# --- Users -----------------------------------------------------------------------


def _role_choices(request):
    orgs = [
        o
        for o in selectors.organisation_list(user=request.user)
        if has_perm(request.user, Perm.USER_MANAGE, on=o)
    ]
    providers = (
        Provider.objects.filter(organisation__in=[o.pk for o in orgs]).order_by("name")
        if orgs
        else []
    )
    return orgs, providers


def _chosen(request, form):
    organisation = selectors.organisation_get(
        user=request.user, organisation_id=form.cleaned_data["organisation"]
    )
    provider = None
    if form.cleaned_data.get("provider"):
        provider = Provider.objects.filter(pk=form.cleaned_data["provider"]).first()
    return organisation, provider


@login_required
def users_view(request):
    users = selectors.user_list(user=request.user)
    orgs, providers = _role_choices(request)
    form = UserForm(
        request.POST or None,
        organisations=orgs,
        providers=providers,
        initial={"language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation, provider = _chosen(request, form)
            data = form.cleaned_data
            new_user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                language=data["language"],
                role=data["role"],
                organisation=organisation,
                provider=provider,
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("User %(name)s was created.") % {"name": new_user})
            return redirect("users")
    return render(request, "web/users.html", {"page": paginate(request, users), "form": form})


@login_required
def user_view(request, user_id: int):
    target = selectors.user_get(user=request.user, user_id=user_id)
    orgs, providers = _role_choices(request)
    form = RoleForm(request.POST or None, organisations=orgs, providers=providers)
    if request.method == "POST" and form.is_valid():
        try:
            organisation, provider = _chosen(request, form)
            services.role_assign(
                actor=request.user,
                user=target,
                role=form.cleaned_data["role"],
                organisation=organisation,
                provider=provider,
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The role was added."))
            return redirect("user", user_id=target.pk)
    assignments = target.assignments.select_related("organisation", "provider")
    return render(
        request, "web/user.html", {"target": target, "assignments": assignments, "form": form}
    )


@login_required
@require_POST
def role_revoke_view(request, assignment_id: int):
    assignment = selectors.assignment_get(user=request.user, assignment_id=assignment_id)
    services.role_revoke(actor=request.user, assignment=assignment)
    messages.success(request, _("The role was removed."))
    return redirect("user", user_id=assignment.user_id)


# --- My account: language and API tokens ---------------------------------------------


@login_required
def account_view(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    perms = sorted({p.value for g in grants(request.user) for p in ROLE_PERMS[g.role]})
    return render(
        request,
        "web/account.html",
        {
            "form": form,
            "tokens": tokens,
            "new_key": new_key,
            "perms": perms,
            "roles": sorted(roles_of(request.user)),
        },
    )


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is not None:
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token was revoked."))
    return redirect("account")


# --- Audit -------------------------------------------------------------------------


@login_required
def audit_view(request):
    events = selectors.audit_event_list(user=request.user)
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    batches = selectors.batch_log_list(user=request.user)[:20]
    return render(
        request,
        "web/audit.html",
        {"page": paginate(request, events, 50), "batches": batches, "action": action},
    )


@login_required
def audit_changes_view(request):
    """Row history of the register and organisation: who changed what, and when."""
    changes = selectors.history_list(user=request.user)
    return render(request, "web/audit_changes.html", {"changes": changes})


@login_required
def batch_view(request, batch_id: int):
    """Progress of a bulk operation; refreshes itself while it runs (no JS needed)."""
    batch = selectors.batch_log_get(user=request.user, batch_id=batch_id)
    return render(request, "web/batch.html", {"batch": batch})
